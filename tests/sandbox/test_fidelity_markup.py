"""Fidelity of page markup beyond form controls: titles and headings, the login page, alert
blocks, data-* attributes, option orders, site-tree attributes and response headers.

Each test names the protocol section (§) or the capture it holds the sandbox to; where the
sandbox and a capture disagree, the capture wins.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import fixture_html, fixture_payload
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.domain import ALL

from .helpers import (
    XFER_RE,
    controls,
    logged_in,
    make_sandbox,
    option_values,
    payload_pairs,
    post,
    seed_capture_records,
)


def _tree_inputs(html: str) -> list[dict[str, str | None]]:
    out = []
    for el in LexborHTMLParser(html).css("fieldset.boac-accessible-sites input"):
        attrs = dict(el.attributes)
        if attrs.get("class"):
            attrs["class"] = " ".join((attrs["class"] or "").split())
        out.append(attrs)
    return out


@pytest.mark.parametrize(
    ("path", "capture"),
    [
        ("/employee/edit/485", "employee_edit_485_before_write3.html"),
        ("/user/permissions/3312102", "w45v2_user_permissions_page_3312102.html"),
        ("/user/permissions/2944451", "w45f_user_permissions_2944451.html"),
    ],
)
async def test_site_tree_inputs_carry_every_captured_attribute(path, capture):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        html = (await c.get(path)).text
    ours, theirs = _tree_inputs(html), _tree_inputs(fixture_html(capture))
    assert len(ours) == len(theirs)
    for mine, real in zip(ours, theirs, strict=True):
        assert mine == real
    for attr in ("data-fhcheck-disable", "data-region-id", "data-district-id"):
        assert any(attr in a for a in ours)


def _heads(html: str) -> tuple[str, str | None, str | None]:
    tree = LexborHTMLParser(html)
    title = " ".join(tree.css_first("title").text().split())
    h1 = tree.css_first("h1#page-title")
    h3 = tree.css_first("h3#page-sub-title")
    return title, h1.text() if h1 else None, h3.html if h3 else None


@pytest.mark.parametrize(
    ("path", "capture"),
    [
        ("/", "home.html"),
        ("/employee", "employee_search_by_name.html"),
        ("/employee/create", "employee_create.html"),
        ("/employee/edit/485", "employee_edit_485_before_write3.html"),
        ("/employee/permissions/485", "employee_permissions_485_before.html"),
        ("/employee/compensation/54", "employee_compensation_54.html"),
        ("/user", "user_list.html"),
        ("/user/create", "user_create.html"),
        ("/user/edit/3312060", "w45f_user_edit_3312060.html"),
        ("/user/permissions/3312102", "w45v2_user_permissions_page_3312102.html"),
        ("/user/3312060", "w45f_probe_3312060.html.html"),
        ("/pos-permission-template/list", "w45f_pos-permission-template_list.html"),
        ("/bo-permission-template/list", "w45f_bo-permission-template_list.html"),
    ],
)
async def test_titles_and_headings_match_captures(path, capture):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        r = await c.get(path)
    assert r.status_code == 200
    assert _heads(r.text) == _heads(fixture_html(capture))


async def test_login_page_title_and_form():
    sb = make_sandbox()
    async with sb.client() as c:
        html = (await c.get("/login")).text
    assert _heads(html) == _heads(fixture_html("login_page.html"))
    form = LexborHTMLParser(html).css_first("form#login-form")
    assert form.attributes["action"] == "/login_check"
    assert "data-submit-once" in form.attributes
    assert [(x["name"], x["type"]) for x in controls(html, "form#login-form")] == [
        ("_username", "text"),
        ("_password", "password"),
    ]


AUTH_PAGES = [
    "/",
    "/employee",
    "/employee/2",
    "/employee/create",
    "/employee/edit/485",
    "/employee/permissions/485",
    "/employee/compensation/485",
    "/user",
    "/user/3312060",
    "/user/create",
    "/user/edit/3312060",
    "/user/permissions/3312102",
    "/pos-permission-template/list",
    "/bo-permission-template/list",
]


async def test_authenticated_pages_lack_login_inputs_and_csrf_tokens():
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        for path in AUTH_PAGES:
            r = await c.get(path)
            assert r.status_code == 200, path
            assert r.headers["content-type"] == "text/html; charset=UTF-8"
            assert 'name="_username"' not in r.text, path
            assert 'name="_password"' not in r.text, path
            assert "csrf" not in r.text.lower(), path
            assert "[_token]" not in r.text, path
            assert 'href="/logout"' in r.text, path
            assert LexborHTMLParser(r.text).css_first("div.alerts.alerts-server") is not None, path
    async with sb.client() as c:
        login = (await c.get("/login")).text
    assert 'name="_username"' in login
    assert 'name="_password"' in login
    assert "csrf" not in login.lower()


def _alert_block(html: str) -> str:
    return LexborHTMLParser(html).css_first("div.alerts.alerts-server").html or ""


async def test_alert_blocks_equal_the_captured_markup():
    sb = make_sandbox()
    sb.state.add_employee(id=484, first_name="WrapperExplore", last_name="DeleteMe-A3F9", sites=ALL)
    sb.state.add_employee(id=485, first_name="WrapperExplore", last_name="DeleteMe-B2D8")
    sb.state.add_employee(id=486, active=False)
    async with logged_in(sb) as c:
        # danger, several messages: <ul><li>
        r = await post(
            c, "/employee/update", [("employee[id]", "484"), ("employee[isActive]", "0")]
        )
        page = (await c.get(r.headers["location"])).text
        real = fixture_html("employee_edit_484_after_minimal_disable.html")
        assert _alert_block(page) == _alert_block(real)
        assert "</div><!-- /alert-danger -->" in page
        assert '<span class="sr-only">Error:</span>' in page
        # danger, one message: <p>
        r = await post(
            c, "/user/insert", [("employee[isOnSiteEmployee]", "1"), ("user[employeeId]", "486")]
        )
        page = (await c.get(r.headers["location"])).text
        assert _alert_block(page) == _alert_block(fixture_html("w45_user_insert_landed.html"))
        # success: <p>, apostrophe as &#039;, no final period
        await post(c, "/employee/permissions/update", [("employeeId", "485")])
        page = (await c.get("/employee/permissions/485")).text
        real = fixture_html("employee_permissions_485_after_minimal.html")
        assert _alert_block(page) == _alert_block(real)
        assert "</div><!-- /alert-success -->" in page
        assert '<span class="sr-only">Success:</span>' in page
        assert "DeleteMe-B2D8&#039;s permissions saved successfully</p>" in page
        # success after insert, on whichever page comes next (§6.5): here the edit page
        r = await post(
            c,
            "/employee/insert",
            payload_pairs(fixture_payload("w45f_employee_insert_request.json")),
        )
        eid = r.headers["location"].rsplit("/", 1)[1]
        page = (await c.get(f"/employee/edit/{eid}")).text
        real = fixture_html("employee_edit_485_v2_verify.html")
        name = sb.state.employees[int(eid)].full_name
        assert _alert_block(page) == _alert_block(real).replace(
            "WrapperExplore DeleteMe-B2D8", name
        )


async def test_data_attributes_relied_on_by_the_client():
    sb = make_sandbox(employees=0)
    emp = sb.state.add_employee(
        first_name="Ann", last_name="O'Hara", email="ann@example.invalid", sites={1}
    )
    blank = sb.state.add_employee(first_name="No", last_name="Mail", email="", sites={2})
    async with logged_in(sb) as c:
        create = (await c.get("/user/create")).text
        edit = (await c.get(f"/employee/edit/{emp.id}")).text
        comp = (await c.get(f"/employee/compensation/{emp.id}")).text
        new = (await c.get("/employee/create")).text
    opts = {
        o.attributes.get("value"): o
        for o in LexborHTMLParser(create).css("select#user-employee option")
    }
    assert opts[str(emp.id)].attributes["data-email"] == "ann@example.invalid"
    assert opts[str(emp.id)].attributes["data-first-name"] == "Ann"
    assert opts[str(emp.id)].attributes["data-last-name"] == "O'Hara"
    assert "O&#039;Hara" in create
    assert opts[str(blank.id)].attributes["data-email"] == ""  # e-mail may be empty (§11.2)
    assert opts[""].text(strip=True) == "" or "selected" not in opts[""].attributes
    start = LexborHTMLParser(edit).css_first("input[name='employee[startDate]']")
    assert start.attributes["data-value"] == emp.start_date.strftime("%m/%d/%Y")
    assert "value" not in start.attributes
    eff = LexborHTMLParser(comp).css_first("input[name='wage[effectiveDate]']")
    assert "value" not in eff.attributes
    assert eff.attributes["data-value"] == "04/13/2026"  # the server's today
    latest = max(w.effective_date for w in emp.wages)
    minimum = date.fromordinal(latest.toordinal() + 1).strftime("%m/%d/%Y")
    assert eff.attributes["data-pickadate-min"] == minimum
    new_start = LexborHTMLParser(new).css_first("input[name='employee[startDate]']")
    assert new_start.attributes["data-value"] == "04/13/2026"


async def test_option_orders_departments_and_site_codes():
    sb = make_sandbox()
    seed_capture_records(sb)
    departments = [("1", "Cashier"), ("3", "Greeter"), ("2", "Line"), ("4", "Management")]
    codes = [
        *("BERWYN", "BURBT1", "BurbT2", "CAROL", "CENT", "DESPLN", "DKSN", "EVERG2", "EVRGRN"),
        *("FIESTA", "FRVW", "JKSN", "JOLIET", "NAPER", "NILES", "NOLO", "PLNFLD", "VILLAP"),
        "WHEAT",
    ]
    async with logged_in(sb) as c:
        create = (await c.get("/employee/create")).text
        edit = (await c.get("/employee/edit/485")).text
        listing = (await c.get("/employee")).text
    assert option_values(create, "#employee-departments") == departments
    assert option_values(edit, "#employee-departments") == departments
    assert [t for _, t in option_values(listing, "select[name='sites[]']")] == codes
    wage_sites = option_values(create, "select[name='wage[siteId]']")
    assert wage_sites[0] == ("", "")
    assert [t for _, t in wage_sites[1:]] == codes
    assert option_values(edit, "#employee-departments") == option_values(
        fixture_html("employee_edit_485_before_write3.html"), "#employee-departments"
    )


async def test_headers_of_post_redirects_and_pages():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        responses = [
            await post(c, "/employee/insert", [("employee[firstName]", "x")]),  # failure
            await post(c, "/employee/permissions/update", [("employeeId", "2")]),  # success
            await c.get("/employee"),
        ]
    for r in responses:
        h = r.headers
        assert h["content-type"] == "text/html; charset=UTF-8"
        assert h["server"] == "Sonnys Controls"
        assert h["cache-control"] == "max-age=0, must-revalidate, no-cache, no-store, private"
        assert h["pragma"] == "no-cache"
        assert h["expires"] == h["date"]
        assert h["strict-transport-security"] == "max-age=15768000"
        assert h["x-content-type-options"] == "nosniff"
        assert h["vary"] == "User-Agent"
        assert "content-length" not in h  # chunked when served, like the real server
    for r in responses[:2]:
        assert r.status_code == 302
        loc = r.headers["location"]
        assert loc.startswith("/")  # relative (§1)
        assert len(r.content) == 246 + 4 * len(loc.replace("&", "&amp;"))
    assert XFER_RE.search(responses[0].headers["location"])
    assert responses[1].headers["location"] == "/employee"
