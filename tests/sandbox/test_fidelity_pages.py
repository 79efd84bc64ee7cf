"""Fidelity: sandbox pages vs the raw-server / DOM captures (form ids, names, types, order, state).

Equivalent records are seeded with the captures' ids and values, the sandbox page is fetched over
the in-process transport, and the named controls of the form are compared with the capture's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EMPLOYEE_485, fixture_html
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.domain import ALL
from sonnys_async.sandbox import StoredWage
from sonnys_async.sandbox.responses import redirect_body

from .helpers import classes, controls, logged_in, make_sandbox, option_values


def _names_types(ctrls):
    return [(c["name"], c["type"]) for c in ctrls]


def _dom_normalise(ctrls):
    """DOM snapshots: the date picker renames the text input and appends a hidden copy."""
    out = []
    for c in ctrls:
        if c["name"] in ("employee[startDate]", "wage[effectiveDate]"):
            c = {**c, "type": "text"}
        out.append(c)
    return out


def _seed_485(sb):
    return sb.state.add_employee(**EMPLOYEE_485)


def _seed_484(sb):
    return sb.state.add_employee(
        id=484,
        first_name="WrapperExplore",
        last_name="DeleteMe-A3F9",
        phone="5555550001",
        email="wrapper-explore-A3F9@example.invalid",
        department_ids=[3],
        start_date=date(2026, 4, 13),
        sites=ALL,
        pos_credential_id=427,
        pos_user_id=99001,
        pos_pin=99999,
    )


@pytest.mark.parametrize(
    ("capture", "seed"),
    [
        ("employee_edit_485_before_write3.html", _seed_485),
        ("employee_edit_484_before_disable.html", _seed_484),
    ],
)
async def test_employee_edit_matches_raw_capture_exactly(capture, seed):
    """Every named control: same order, type, value, checked and disabled state."""
    sb = make_sandbox()
    emp = seed(sb)
    async with logged_in(sb) as c:
        html = (await c.get(f"/employee/edit/{emp.id}")).text
    ours = controls(html, "form#employee-create-edit-form")
    theirs = controls(fixture_html(capture), "form#employee-create-edit-form")
    assert ours == theirs
    tree = LexborHTMLParser(html)
    assert tree.css_first("title").text().split("|")[-1].strip() == f"Edit {emp.full_name}"
    assert tree.css_first("h1#page-title").text() == f"Edit {emp.full_name}"
    form = tree.css_first("form#employee-create-edit-form")
    assert form.attributes["action"] == "/employee/update"
    assert form.attributes["data-check-unique"] == "/employee/checkunique"
    date_input = tree.css_first("input[name='employee[startDate]']")
    assert "value" not in date_input.attributes
    assert date_input.attributes["data-value"] == "04/13/2026"
    assert tree.css_first("button#btn-user-save").text() == "Save"
    assert tree.css_first("a#btn-employee-edit-cancel").attributes["href"] == "/employee"
    assert tree.css_first("div.alerts.alerts-js") is not None


async def test_employee_edit_site_state_matches_employee_54():
    """The canonical polarity example (Fiesta-only): checked/disabled of every tree control."""
    sb = make_sandbox()
    emp = sb.state.add_employee(id=54, sites={1})
    async with logged_in(sb) as c:
        html = (await c.get(f"/employee/edit/{emp.id}")).text

    def tree_state(h):
        return [
            (x["name"], x["checked"], x["disabled"])
            for x in controls(h, "form#employee-create-edit-form")
            if "Regions" in x["name"]
            or "Districts" in x["name"]
            or "[sites]" in x["name"]
            or "ByDistrict" in x["name"]
            or "ByRegion" in x["name"]
        ]

    assert tree_state(html) == tree_state(fixture_html("employee_edit_54.html"))


async def test_employee_create_matches_dom_capture_names_and_types():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get("/employee/create")).text
    ours = _dom_normalise(controls(html, "form#employee-create-edit-form"))
    theirs = _dom_normalise(
        controls(fixture_html("employee_create.html"), "form#employee-create-edit-form")
    )
    assert _names_types(ours) == _names_types(theirs)
    assert len({c["name"] for c in ours}) == 77  # §6.2
    # Default state of the blank form (§21.9): every tree control "No", siteIds disabled.
    assert [(c["name"], c["checked"], c["disabled"]) for c in ours] == [
        (c["name"], c["checked"], c["disabled"]) for c in theirs
    ]
    assert option_values(html, "select[name='wage[siteId]']") == option_values(
        fixture_html("employee_create.html"), "select[name='wage[siteId]']"
    )
    assert option_values(html, "#employee-departments") == option_values(
        fixture_html("employee_create.html"), "#employee-departments"
    )
    tree = LexborHTMLParser(html)
    assert tree.css_first("button#btn-user-save").text() == "Set POS Access"
    assert tree.css_first("form#employee-create-edit-form").attributes["action"] == (
        "/employee/insert"
    )
    assert "value" not in tree.css_first("input[name='employee[startDate]']").attributes


async def test_employee_permissions_matches_raw_capture():
    sb = make_sandbox()
    emp = sb.state.add_employee(
        id=484, first_name="WrapperExplore", last_name="DeleteMe-A3F9", pos_user_id=99001
    )
    async with logged_in(sb) as c:
        html = (await c.get("/employee/permissions/484")).text
    capture = fixture_html("employee_permissions_after_insert_484.html")
    sel = "form#employee-permission-update-form"
    assert controls(html, sel) == controls(capture, sel)
    assert option_values(html, "select#template") == option_values(capture, "select#template")
    ours = LexborHTMLParser(html)
    theirs = LexborHTMLParser(capture)
    for attr in ("data-permissions-set", "data-manager-override-permissions-set"):
        assert [o.attributes.get(attr) for o in ours.css("select#template option")] == [
            o.attributes.get(attr) for o in theirs.css("select#template option")
        ]
    assert ours.css_first("h3#page-sub-title").html == theirs.css_first("h3#page-sub-title").html
    assert ours.css_first("h1#page-title").text() == "Employee Access"
    assert emp.full_name in ours.css_first("title").text()
    keys = [a.attributes["id"] for a in ours.css("a[id^='link-sbox-collapse-permission-']")]
    assert keys == [
        a.attributes["id"] for a in theirs.css("a[id^='link-sbox-collapse-permission-']")
    ]


async def test_employee_permissions_checked_state_matches_employee_54():
    """Grants/overrides rendered `checked` like the server rendered employee 54's."""
    capture = fixture_html("employee_permissions_54.html")
    theirs = controls(capture, "form#employee-permission-update-form")
    grants = {
        int(c["name"].split("[")[1][:-1])
        for c in theirs
        if c["name"].endswith("[hasGrantAccess]") and c["checked"]
    }
    overrides = {
        int(c["name"].split("[")[1][:-1])
        for c in theirs
        if c["name"].endswith("[requiresOverride]") and c["checked"]
    }
    assert grants
    sb = make_sandbox()
    sb.state.add_employee(id=54, grants=frozenset(grants), overrides=frozenset(overrides))
    async with logged_in(sb) as c:
        html = (await c.get("/employee/permissions/54")).text
    ours = controls(html, "form#employee-permission-update-form")
    assert [(c["name"], c["checked"]) for c in ours] == [(c["name"], c["checked"]) for c in theirs]


async def test_compensation_matches_dom_capture():
    sb = make_sandbox()
    sb.state.add_employee(
        id=54,
        first_name="morris",
        last_name="stockton",
        sites={1},
        start_date=date(2024, 9, 2),
        wages=[
            StoredWage(date(2024, 9, 2), date(2025, 2, 11), True, Decimal("14.00"), False, None),
            StoredWage(
                date(2025, 2, 11), date(2025, 7, 7), True, Decimal("14.50"), True, Decimal("21.75")
            ),
            StoredWage(date(2025, 7, 7), None, True, Decimal("14.75"), True, Decimal("22.13")),
        ],
    )
    async with logged_in(sb) as c:
        html = (await c.get("/employee/compensation/54")).text
    capture = fixture_html("employee_compensation_54.html")
    sel = "form#employee-compensation-edit-form"
    ours, theirs = _dom_normalise(controls(html, sel)), _dom_normalise(controls(capture, sel))
    assert _names_types(ours) == _names_types(theirs)
    assert [(c["name"], c["checked"], c["disabled"]) for c in ours] == [
        (c["name"], c["checked"], c["disabled"]) for c in theirs
    ]
    assert option_values(html, "select[name='wage[siteId]']") == [("", ""), ("1", "FIESTA")]
    table = "table.table-employee-compensation-history"
    assert classes(html, f"{table} th") == classes(capture, f"{table} th")
    assert classes(html, f"{table} tbody td") == classes(capture, f"{table} tbody td")

    def cells(h):
        return [
            [td.text(strip=True) for td in tr.css("td")]
            for tr in LexborHTMLParser(h).css(f"{table} tbody tr")
        ]

    assert cells(html) == cells(capture)
    tree = LexborHTMLParser(html)
    eff = tree.css_first("input#wage-effective-date")
    assert eff.attributes["data-pickadate-min"] == "07/08/2025"
    assert "value" not in eff.attributes
    assert tree.css_first("h1#page-title").text() == "Compensation for morris stockton"


async def test_employee_list_matches_dom_capture():
    sb = make_sandbox()
    sb.state.add_employee(
        id=54,
        first_name="morris",
        last_name="stockton",
        sites={1},
        phone="(702) 555-0119",
        grants=frozenset({1, 2}),
    )
    async with logged_in(sb) as c:
        html = (await c.get("/employee", params={"first_name": "morris"})).text
    capture = fixture_html("employee_search_by_name.html")
    sel = "form#frm-employee-list-search"
    assert _names_types(controls(html, sel)) == _names_types(controls(capture, sel))
    assert option_values(html, "select[name='sites[]']") == option_values(
        capture, "select[name='sites[]']"
    )
    assert option_values(html, "select[name='active']") == option_values(
        capture, "select[name='active']"
    )
    tbl = "table.table.table-full-width.table-striped.table-hover.table-employees-list"
    assert classes(html, f"{tbl} thead th") == classes(capture, f"{tbl} thead th")
    ours_row = LexborHTMLParser(html).css(f"{tbl} tbody tr")
    theirs_row = LexborHTMLParser(capture).css(f"{tbl} tbody tr")
    assert len(ours_row) == 1
    assert [td.attributes.get("class") for td in ours_row[0].css("td")] == [
        td.attributes.get("class") for td in theirs_row[0].css("td")
    ]
    assert [td.text(strip=True) for td in ours_row[0].css("td")][:9] == [
        "morris",
        "stockton",
        "FIESTA",
        "Custom",
        str(sb.state.employees[54].pos_user_id),
        "Greeter",
        "(702) 555-0119",
        "Hourly",
        ours_row[0].css("td")[8].text(strip=True),
    ]
    links = [a.attributes["id"] for a in ours_row[0].css("td.customers-col-edit a")]
    assert links == [a.attributes["id"] for a in theirs_row[0].css("td.customers-col-edit a")]
    assert [a.attributes["href"] for a in ours_row[0].css("td.customers-col-edit a")] == [
        a.attributes["href"] for a in theirs_row[0].css("td.customers-col-edit a")
    ]
    tree = LexborHTMLParser(html)
    assert tree.css_first("h1#page-title").text() == "Employees"
    assert tree.css_first("a#btn-create-employee").attributes["href"] == "/employee/create"
    assert tree.css_first("div.alerts.alerts-js-filters") is not None


async def test_user_create_matches_dom_capture():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get("/user/create")).text
    capture = fixture_html("user_create.html")
    sel = "form#user-create-edit-form"
    assert _names_types(controls(html, sel)) == _names_types(controls(capture, sel))
    ours = controls(html, sel)
    assert ours[0]["name"] == "employee[isOnSiteEmployee]"
    assert ours[0]["checked"]
    tree = LexborHTMLParser(html)
    opt = tree.css("select#user-employee option")
    assert opt[0].attributes.get("value") == ""
    for attr in ("data-email", "data-first-name", "data-last-name"):
        assert attr in opt[1].attributes
    assert tree.css_first("button#btn-user-save").text() == "Set Permissions"


async def test_user_list_matches_raw_capture():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get("/user", params={"limit": "10000", "active": "all"})).text
        empty = (await c.get("/user/3312060")).text
    capture = fixture_html("w45_user_list_preflight.html")
    sel = "form#frm-user-list-search"
    assert _names_types(controls(html, sel)) == _names_types(controls(capture, sel))
    tbl = "table.table.table-full-width.table-striped.table-hover.table-users-list"
    assert classes(html, f"{tbl} thead th") == classes(capture, f"{tbl} thead th")
    first_ours = LexborHTMLParser(html).css_first(f"{tbl} tbody tr")
    first_theirs = LexborHTMLParser(capture).css_first(f"{tbl} tbody tr")
    assert [td.attributes.get("class") for td in first_ours.css("td")] == [
        td.attributes.get("class") for td in first_theirs.css("td")
    ]
    assert LexborHTMLParser(html).css_first("nav#pager-users") is None  # all on one page
    probe = fixture_html("w45f_probe_3312060.html.html")
    assert LexborHTMLParser(empty).css_first(f"{tbl} tbody h3").text(strip=True) == (
        LexborHTMLParser(probe).css_first(f"{tbl} tbody h3").text(strip=True)
    )
    ids = [a.attributes["id"] for a in LexborHTMLParser(empty).css("nav#pager-users a")]
    assert ids == [a.attributes["id"] for a in LexborHTMLParser(probe).css("nav#pager-users a")]


async def test_user_edit_matches_raw_capture():
    sb = make_sandbox()
    sb.state.add_employee(id=487, first_name="WrapperExplore", last_name="DeleteMe-F8A1")
    sb.state.add_user(
        id=3312060,
        employee_id=487,
        first_name="WrapperExplore",
        last_name="DeleteMe-F8A1",
        email="wrapper-explore-F8A1@example.invalid",
        username="wrapperF8A1bo",
        is_deleted=True,
    )
    async with logged_in(sb) as c:
        html = (await c.get("/user/edit/3312060")).text
    capture = fixture_html("w45f_user_edit_3312060.html")
    sel = "form#user-edit-edit-form"
    assert controls(html, sel) == controls(capture, sel)
    tree = LexborHTMLParser(html)
    assert tree.css_first("h1#page-title").text() == "Edit Back Office User"
    assert (
        "Edit Back Office User for WrapperExplore DeleteMe-F8A1" in tree.css_first("title").text()
    )


@pytest.mark.parametrize(
    ("capture", "user_id", "sites", "tokens_from_capture"),
    [
        ("w45v2_user_permissions_page_3312102.html", 3312102, frozenset(), False),
        ("w45f_user_permissions_2944451.html", 2944451, ALL, True),
    ],
)
async def test_user_permissions_matches_raw_capture(capture, user_id, sites, tokens_from_capture):
    html_capture = fixture_html(capture)
    sel = "form#user-permissions-update-form"
    theirs = controls(html_capture, sel)
    tokens = frozenset()
    if tokens_from_capture:
        tree = LexborHTMLParser(html_capture)
        tokens = frozenset(
            tree.css_first(f"input[name='perms[{c['name'][6:].split(']')[0]}][token]']").attributes[
                "value"
            ]
            for c in theirs
            if c["name"].endswith("[isEnabled]") and c["checked"]
        )
    sb = make_sandbox()
    sb.state.add_user(
        id=user_id, first_name="A", last_name="B", username="abuser", sites=sites, tokens=tokens
    )
    async with logged_in(sb) as c:
        html = (await c.get(f"/user/permissions/{user_id}")).text
    assert controls(html, sel) == theirs
    assert option_values(html, "select#template") == option_values(html_capture, "select#template")
    ours_t = LexborHTMLParser(html)
    theirs_t = LexborHTMLParser(html_capture)
    assert [
        o.attributes.get("data-permissions-set") for o in ours_t.css("select#template option")
    ] == [o.attributes.get("data-permissions-set") for o in theirs_t.css("select#template option")]
    for attr in ("id", "data-sibling", "data-toggle-sibling-on"):
        assert [i.attributes.get(attr) for i in ours_t.css("input[name$='[isEnabled]']")] == [
            i.attributes.get(attr) for i in theirs_t.css("input[name$='[isEnabled]']")
        ]
    assert ours_t.css_first("h1#page-title").text() == "Back Office Access Control"


@pytest.mark.parametrize(
    ("path", "capture"),
    [
        ("/pos-permission-template/list", "w45f_pos-permission-template_list.html"),
        ("/bo-permission-template/list", "w45f_bo-permission-template_list.html"),
    ],
)
async def test_template_lists_match_raw_captures(path, capture):
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get(path)).text

    def rows(h):
        out = []
        for tr in LexborHTMLParser(h).css("div.main-column-full-width table tbody tr"):
            tds = tr.css("td")
            a = tds[2].css_first("a")
            out.append((tds[0].text(), tds[1].text(), a.attributes["href"], a.attributes["title"]))
        return out

    assert rows(html) == rows(fixture_html(capture))
    assert (
        LexborHTMLParser(html).css_first("h1#page-title").text()
        == LexborHTMLParser(fixture_html(capture)).css_first("h1#page-title").text()
    )


@pytest.mark.parametrize(
    ("capture", "target"),
    [
        ("employee_insert_response.html", "/employee/permissions/484"),
        ("employee_permissions_update_minimal_response.html", "/employee"),
        ("w45v2_amber_noop_response.html", "/user"),
        ("employee_update_minimal_disable_response.html", "/employee/edit/484?actionXfer=REDACTED"),
        ("w45_user_insert_response.html", "/user/create?actionXfer=REDACTED"),
        ("w45v2_user_insert_response.html", "/user/permissions/3312102?userIsNew=1"),
        (
            "w45v2_user_permissions_response.html",
            "/user/permissions/3312102?userIsNew=&actionXfer=REDACTED",
        ),
    ],
)
def test_redirect_shell_is_byte_identical(capture, target):
    body = redirect_body(target)
    assert body == fixture_html(capture).encode()
    escaped = target.replace("&", "&amp;")
    assert len(body) == 246 + 4 * len(escaped)
