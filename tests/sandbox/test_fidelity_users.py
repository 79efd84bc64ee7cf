"""Fidelity, attribute by attribute: the BO user forms, the list headers and pagers, and the wage
toggles, against the captures (issue 10's list).

Raw server captures are compared exactly (every attribute of every control, in document order).
Browser DOM snapshots (§0) are compared after removing what the page scripts added: select2 and
date-picker traces, tooltip titles moved to ``data-original-title``, and ``required="required"``
(jQuery's spelling, set by the create form's mode switch: the raw page has no ``required`` on
``user[employeeId]``, ``w45_user_insert_landed.html``).
"""

from __future__ import annotations

import re

import pytest
from conftest import fixture_html, fixture_payload
from selectolax.lexbor import LexborHTMLParser, LexborNode

from sonnys_async.domain import ALL

from .helpers import logged_in, make_sandbox, payload_pairs, post, seed_capture_records

Attrs = dict[str, str | None]
_CONTROLS = "input, select, textarea, button"
#: Attributes only a browser's scripts write (select2, bootstrap tooltips, date picker).
_SCRIPT_ATTRS = frozenset(
    {"data-select2-id", "tabindex", "aria-hidden", "data-original-title", "readonly"}
    | {"aria-haspopup", "aria-expanded", "aria-readonly", "aria-owns"}
)
_BOOLEAN = frozenset({"checked", "disabled", "required", "selected", "multiple", "data-unique"})


def _raw_attrs(el: LexborNode) -> Attrs:
    """Attributes as written; a bare boolean attribute and ``=""`` read alike."""
    return {k: ("" if v is None and k in _BOOLEAN else v) for k, v in el.attributes.items()}


def _dom_attrs(el: LexborNode) -> Attrs | None:
    """A DOM snapshot control as the server wrote it, or None for a script-made control."""
    a = _raw_attrs(el)
    if a.get("name") == "" or "picker__input" in (a.get("class") or ""):
        return None  # the date picker's visible copy (its hidden input carries the name)
    if a.get("type") == "search" and "name" not in a:
        return None  # select2's search box
    if "data-original-title" in a:
        a["title"] = a["data-original-title"]  # bootstrap tooltip moved the title
    for k in _SCRIPT_ATTRS & a.keys():
        del a[k]
    if a.get("required") == "required":
        del a["required"]  # jQuery .attr("required", "required") of the mode switch
    if a.get("class") is not None:
        a["class"] = " ".join(c for c in (a["class"] or "").split() if not c.startswith("select2"))
    return a


def _controls(html: str, form: str, *, dom: bool = False) -> list[tuple[str, Attrs]]:
    node = LexborHTMLParser(html).css_first(form)
    assert node is not None, form
    out = []
    for el in node.css(_CONTROLS):
        attrs = _dom_attrs(el) if dom else _raw_attrs(el)
        if attrs is not None:
            out.append((el.tag or "", attrs))
    return out


def _by_key(ctrls: list[tuple[str, Attrs]]) -> dict[tuple[str | None, str | None], Attrs]:
    """Named controls by (name, value of a radio), script-free buttons by id."""
    out: dict[tuple[str | None, str | None], Attrs] = {}
    for _, a in ctrls:
        name = a.get("name") or a.get("id")
        out[(name, a.get("value") if a.get("type") == "radio" else None)] = a
    return out


# --- /user/create -----------------------------------------------------------------------------
async def test_user_create_controls_equal_the_raw_capture_after_a_refused_insert():
    """The captured bounce (inactive employee 486, w45_user_insert_landed.html): every control
    with every attribute, the posted e-mail and username re-filled, the passwords empty."""
    sb = make_sandbox()
    sb.state.add_employee(id=486, first_name="WrapperExplore", last_name="E5F7", active=False)
    body = payload_pairs(fixture_payload("w45_user_insert_request.json"))
    async with logged_in(sb) as c:
        r = await post(c, "/user/insert", body)
        html = (await c.get(r.headers["location"])).text
    real = fixture_html("w45_user_insert_landed.html")
    form = "form#user-create-edit-form"
    assert _controls(html, form) == _controls(real, form)
    values = {a.get("name"): a.get("value") for _, a in _controls(html, form)}
    assert values["employee[email]"] == "wrapper-explore-E5F7@example.invalid"
    assert values["user[username]"] == "wrapperE5F7bo"
    assert values["user[password]"] == values["user[confirmPassword]"] == ""


async def test_user_create_controls_equal_the_dom_captures():
    """The blank form against the linked-mode snapshot (and, name by name, the standalone one)."""
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get("/user/create")).text
    form = "form#user-create-edit-form"
    ours = _by_key(_controls(html, form, dom=True))
    linked = _by_key(_controls(fixture_html("user_create.html"), form, dom=True))
    # The linked-mode script also removed `required` from the hidden name inputs.
    for key in (("employee[firstName]", None), ("employee[lastName]", None)):
        assert ours[key].pop("required") == ""
    assert ours == linked
    select = ours[("user[employeeId]", None)]
    assert "required" not in select
    link = ours[("user[linkExistingAccount]", None)]
    assert link["data-fhcheck-disable"] == "#btn-user-save"
    assert link["data-fhcheck-enable"] == "#btn-user-save"
    assert (link["data-on"], link["data-off"]) == ("Yes", "No")
    standalone = _by_key(_controls(fixture_html("user_create_standalone.html"), form, dom=True))
    assert ours.keys() == standalone.keys()


# --- /user/edit/<id> ---------------------------------------------------------------------------
async def test_user_edit_controls_equal_the_raw_capture_attribute_by_attribute():
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        html = (await c.get("/user/edit/3312060")).text
    form = "form#user-edit-edit-form"
    assert _controls(html, form) == _controls(fixture_html("w45f_user_edit_3312060.html"), form)


# --- wage toggles (create form and compensation page) ------------------------------------------
@pytest.mark.parametrize(
    ("path", "capture", "form"),
    [
        (
            "/employee/compensation/54",
            "employee_compensation_54.html",
            "form#employee-compensation-edit-form",
        ),
        ("/employee/create", "employee_create.html", "form#employee-create-edit-form"),
    ],
)
async def test_wage_controls_carry_the_captured_attributes(path, capture, form):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        html = (await c.get(path)).text
    ours = _by_key(_controls(html, form, dom=True))
    theirs = _by_key(_controls(fixture_html(capture), form, dom=True))
    wage = [k for k in theirs if (k[0] or "").startswith("wage[") and k[0] != "wage[effectiveDate]"]
    assert wage
    for key in wage:
        assert ours[key] == theirs[key], key
    clock_ins = ours[("wage[ignoreSalarySchedule]", "1")]
    assert clock_ins["data-fhcheck-disable"] == "#employee-compensation-salary-wage-site"
    assert ours[("wage[ignoreSalarySchedule]", "0")]["data-fhcheck-enable"] == (
        "#employee-compensation-salary-wage-site"
    )
    assert ours[("wage[isOvertimeEligible]", None)]["data-fhcheck-enable"] == (
        "#employee-compensation-overtime-rate"
    )


# --- list headers and pagers -------------------------------------------------------------------
def _flat(html: str, selector: str) -> str:
    """A node re-serialised by the parser, whitespace collapsed (raw and DOM markup compare)."""
    node = LexborHTMLParser(html).css_first(selector)
    assert node is not None, selector
    return " ".join((node.html or "").split())


async def test_list_headers_equal_the_captures_sort_icons_included():
    sb = make_sandbox(employees=0)
    sb.state.add_employee(id=54, first_name="morris", last_name="stockton", sites={1})
    async with logged_in(sb) as c:
        users = (await c.get("/user", params={"limit": "10000", "active": "all"})).text
        users_page1 = (await c.get("/user")).text
        employees = (await c.get("/employee", params={"q": "ignored"})).text
        by_last_desc = (
            await c.get("/employee", params={"sort_type": "last_name", "sort_dir": "-1"})
        ).text
    head = "table.table-users-list thead"
    assert _flat(users, head) == _flat(fixture_html("w45_user_list_preflight.html"), head)
    assert _flat(users_page1, head) == _flat(fixture_html("user_list.html"), head)
    head = "table.table-employees-list thead"
    assert _flat(employees, head) == _flat(fixture_html("employee_search_by_name.html"), head)
    tree = LexborHTMLParser(employees)
    sortable = [a.attributes["id"] for a in tree.css("thead a.col-th-link")]
    assert sortable == ["sort-employee-first-name", "sort-employee-last-name"]
    # The descending pair (never captured) follows the ascending one's pattern.
    last = LexborHTMLParser(by_last_desc).css_first("#sort-employee-last-name")
    assert last.attributes["class"] == "col-th-link sorted sorted-desc"
    assert last.css_first("i").attributes["class"] == "fa fa-sort-desc fa-spacer-left hidden-print"
    assert last.css_first("span.sr-only").text() == "(Sorted Descending)"
    first = LexborHTMLParser(by_last_desc).css_first("#sort-employee-first-name")
    assert first.css_first("span.sr-only").text() == "(Sortable)"


def _raw_nav(html: str, kind: str) -> str:
    """The pager exactly as sent, only whitespace between tags removed."""
    start = html.index(f'<nav id="pager-{kind}"')
    end = html.index("</nav>", start) + len("</nav>")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html[start:end]))


async def test_user_pager_nesting_equals_the_raw_capture():
    """`div.pagination-fullwidth-pages` is left open: `</ul></nav>` (the DOM snapshots'
    `</div></nav>` is the browser closing it), and a gap is `&hellip;`."""
    sb = make_sandbox(employees=0)
    for i in range(192):
        sb.state.add_employee(first_name=f"E{i:03d}", last_name="X", pos_user_id=10000 + i)
    async with logged_in(sb) as c:
        users = (await c.get("/user/3312060")).text
        employees = (await c.get("/employee")).text
    real = fixture_html("w45f_probe_3312060.html.html")
    assert _raw_nav(users, "users") == _raw_nav(real, "users")
    assert _raw_nav(users, "users").endswith("</ul></nav>")
    assert _raw_nav(employees, "employees").endswith("</ul></nav>")
    assert "<li><span>&hellip;</span></li>" in _raw_nav(employees, "employees")
    # Parsed, both pagers are what the DOM snapshots show.
    nav = "nav#pager-employees"
    dom = fixture_html("employee_search_by_name.html")
    assert LexborHTMLParser(employees).css_first(f"{nav} > div > ul") is not None
    assert LexborHTMLParser(dom).css_first(f"{nav} > div > ul") is not None


async def test_user_rows_show_active_and_inactive_like_the_capture():
    """§12.2: the captured active and inactive cells, byte for byte once whitespace collapses."""
    sb = make_sandbox(bo_users=0)
    sb.state.add_user(username="alive", sites=ALL)
    sb.state.add_user(username="gone", is_deleted=True)
    async with logged_in(sb) as c:
        html = (await c.get("/user", params={"statusSearch": "all"})).text
    real = LexborHTMLParser(fixture_html("w45_user_list_preflight.html"))

    def cell(tree: LexborHTMLParser, icon: str) -> str:
        for td in tree.css("td.users-col-active"):
            if td.css_first(f"i.{icon}") is not None:
                return " ".join((td.html or "").split())
        raise AssertionError(icon)

    ours = LexborHTMLParser(html)
    assert cell(ours, "fa-check") == cell(real, "fa-check")
    assert cell(ours, "fa-times") == cell(real, "fa-times")
