"""Employee writes: insert, update, POS permissions, compensation, uniqueness, flat tenants."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.domain import ALL
from sonnys_async.sandbox.rules import messages as rules

from .helpers import (
    XFER_RE,
    alerts,
    controls,
    insert_body,
    logged_in,
    make_sandbox,
    post,
)


async def test_grant_flag_is_presence_and_override_flag_reads_its_value():
    sb = make_sandbox()
    emp = sb.state.add_employee()
    body = [
        ("employeeId", str(emp.id)),
        ("permissions[1][requiresOverride]", "0"),  # the always-submitted hidden input
        ("permissions[1][hasGrantAccess]", "0"),  # presence: granted anyway
        ("permissions[22][hasGrantAccess]", ""),
        ("permissions[22][requiresOverride]", "1"),
    ]
    async with logged_in(sb) as c:
        r = await post(c, "/employee/permissions/update", body)
    assert r.headers["location"] == "/employee"
    assert emp.grants == frozenset({1, 22})
    assert emp.overrides == frozenset({22})


async def test_permissions_page_placeholder_selected_and_granted_overrides_expanded():
    sb = make_sandbox()
    emp = sb.state.add_employee(grants=frozenset({18, 33, 2}), overrides=frozenset({18}))
    async with logged_in(sb) as c:
        html = (await c.get(f"/employee/permissions/{emp.id}")).text
    tree = LexborHTMLParser(html)
    first = tree.css("select#template option")[0]
    assert first.attributes.get("value") == ""
    assert "selected" in first.attributes
    assert sum("selected" in o.attributes for o in tree.css("select#template option")) == 1
    for pid in (2, 18, 33):
        assert "checked" in tree.css_first(f"#perm-grant-{pid}").attributes
        assert "in" in (tree.css_first(f"#sbox-perm-override-{pid}").attributes["class"] or "")
    assert "checked" in tree.css_first("#perm-override-18").attributes
    assert "checked" not in tree.css_first("#perm-override-33").attributes
    assert "checked" not in tree.css_first("#perm-grant-22").attributes
    assert tree.css_first("#has-action-approval-authority").attributes["value"] == "0"


async def test_pos_user_id_of_an_inactive_employee_stays_reserved():
    sb = make_sandbox()
    sb.state.add_employee(pos_user_id=88888, active=False)
    count = len(sb.state.employees)
    async with logged_in(sb) as c:
        r = await post(c, "/employee/insert", insert_body("88888"))
        assert XFER_RE.search(r.headers["location"])
        assert alerts((await c.get(r.headers["location"])).text) == (
            "danger",
            [rules.MSG_DUP_POS],
        )
    assert len(sb.state.employees) == count


async def test_name_length_is_decided_by_the_server_not_the_html_maxlength():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        ok = await post(c, "/employee/insert", insert_body("70001", first="A" * 64))
        bad = await post(c, "/employee/insert", insert_body("70002", first="B" * 65))
        assert alerts((await c.get(bad.headers["location"])).text)[1] == [rules.MSG_FIRST_NAME]
    assert re.fullmatch(r"/employee/permissions/\d+", ok.headers["location"])
    assert XFER_RE.search(bad.headers["location"])


def _wage_body(emp_id: int, effective: str) -> list[tuple[str, str]]:
    return [
        ("employeeId", str(emp_id)),
        ("wage[isHourly]", "1"),
        ("wage[regularRate]", "16.50"),
        ("wage[isOvertimeEligible]", "1"),
        ("wage[overtimeRate]", "24.75"),
        ("wage[effectiveDate]", effective),
    ]


@pytest.mark.parametrize("effective", ["01/01/2025", "12/31/2024"])
async def test_wage_not_after_latest_is_silently_dropped_by_default(effective):
    # §9.3 / §16.5 / §21.25: "silently not applied" -> the success answer, nothing stored.
    sb = make_sandbox()
    emp = sb.state.add_employee(sites={1, 2}, start_date=date(2025, 1, 1))
    async with logged_in(sb) as c:
        ok = await post(c, "/employee/compensation/update", _wage_body(emp.id, "03/01/2025"))
        ok_page = (await c.get(ok.headers["location"])).text
        before = [(w.effective_date, w.rate, w.end_date) for w in emp.wages]
        r = await post(c, "/employee/compensation/update", _wage_body(emp.id, effective))
        assert r.status_code == 302
        # Same target and same alert as the successful save just above.
        assert r.headers["location"] == ok.headers["location"] == f"/employee/compensation/{emp.id}"
        page = (await c.get(r.headers["location"])).text
        assert alerts(page) == alerts(ok_page)
        assert alerts(page)[0] == "success"
    assert [(w.effective_date, w.rate, w.end_date) for w in emp.wages] == before
    assert len(emp.wages) == 2


async def test_wage_not_after_latest_bounces_with_the_switch():
    sb = make_sandbox(reject_wage_not_after_latest=True)
    emp = sb.state.add_employee(sites={1, 2}, start_date=date(2025, 1, 1))
    async with logged_in(sb) as c:
        r = await post(c, "/employee/compensation/update", _wage_body(emp.id, "01/01/2025"))
        assert r.headers["location"].startswith(f"/employee/compensation/{emp.id}?")
        assert XFER_RE.search(r.headers["location"])
        page = (await c.get(r.headers["location"])).text
        assert alerts(page) == ("danger", [rules.MSG_WAGE_NOT_AFTER])
    assert len(emp.wages) == 1
    assert emp.wages[0].end_date is None


async def test_compensation_add():
    sb = make_sandbox()
    emp = sb.state.add_employee(sites={1, 2}, start_date=date(2025, 1, 1))
    base = _wage_body(emp.id, "")[:-1]
    async with logged_in(sb) as c:
        r = await post(
            c, "/employee/compensation/update", [*base, ("wage[effectiveDate]", "03/01/2025")]
        )
        assert r.headers["location"] == f"/employee/compensation/{emp.id}"
        assert [w.rate for w in emp.wages] == [Decimal("15.00"), Decimal("16.50")]
        assert emp.wages[0].end_date == date(2025, 3, 1)
        assert emp.wages[1].end_date is None
        page = (await c.get(f"/employee/compensation/{emp.id}")).text
        cells = [
            td.text(strip=True)
            for td in LexborHTMLParser(page)
            .css("table.table-employee-compensation-history tbody tr")[0]
            .css("td")
        ]
        assert cells == [
            "Hourly",
            "$16.50/hr",
            "Employee is Eligible for Overtime",
            "$24.75/hr",
            "03/01/2025",
            "",
        ]
        assert 'data-pickadate-min="03/02/2025"' in page
        r = await post(
            c,
            "/employee/compensation/update",
            [*base, ("wage[effectiveDate]", "04/01/2025"), ("wage[siteId]", "17")],
        )
        assert alerts((await c.get(r.headers["location"])).text)[1] == [rules.MSG_WAGE_SITE]


async def test_duplicates_are_rejected_on_insert():
    sb = make_sandbox()
    other = sb.state.add_employee(
        pos_user_id=77777, email="taken@example.invalid", phone="(312) 555-0100"
    )
    body = [
        ("employee[firstName]", "New"),
        ("employee[lastName]", "Person"),
        ("employee[phone]", "3125550100"),
        ("employee[email]", "TAKEN@example.invalid"),
        ("employee[startDate]", "04/13/2026"),
        ("posCredential[POSLoginID]", "77777"),
        ("posCredential[POSLoginPassword]", "1234"),
        ("wage[regularRate]", "12.00"),
        ("employee[departments][]", "3"),
        ("employee[sites][17][siteId]", "17"),
    ]
    async with logged_in(sb) as c:
        r = await post(c, "/employee/insert", body)
        assert r.headers["location"].startswith("/employee/create?actionXfer=")
        assert alerts((await c.get(r.headers["location"])).text) == (
            "danger",
            [rules.MSG_DUP_POS, rules.MSG_DUP_EMAIL, rules.MSG_DUP_PHONE],
        )
    assert len([e for e in sb.state.employees.values() if e.pos_user_id == 77777]) == 1
    assert other.first_name == "Test"


async def test_flat_tenant_markup_and_payload_rules():
    sb = make_sandbox(tenant="flat")
    async with logged_in(sb) as c:
        html = (await c.get("/employee/create")).text
        tree = LexborHTMLParser(html)
        assert tree.css_first("input.boac-permission-region-option") is None
        assert tree.css_first("input[name='employee[isAllSitesAllowed]']") is not None
        boxes = tree.css("input.boac-permission-site-option[name='employee[siteIds][]']")
        assert len(boxes) == 19
        assert all("checked" in b.attributes for b in boxes)  # blank form: every site "No"
        excluded = [str(s.id) for s in sb.state.tenant.tree.sites if s.id not in (1, 2)]
        body = [
            ("employee[firstName]", "Flat"),
            ("employee[lastName]", "Tenant"),
            ("employee[startDate]", "04/13/2026"),
            ("posCredential[POSLoginID]", "424242"),
            ("posCredential[POSLoginPassword]", "1234"),
            ("wage[regularRate]", "12.00"),
            ("employee[departments][]", "3"),
            *[("employee[siteIds][]", s) for s in excluded],
        ]
        r = await post(c, "/employee/insert", body)
        eid = int(r.headers["location"].rsplit("/", 1)[1])
        assert sb.state.employees[eid].sites == frozenset({1, 2})
        edit = (await c.get(f"/employee/edit/{eid}")).text
        checked = {
            x["value"]
            for x in controls(edit, "form#employee-create-edit-form")
            if x["name"] == "employee[siteIds][]" and x["checked"]
        }
        assert checked == set(excluded)
        second = [
            (k, "424243" if k == "posCredential[POSLoginID]" else v)
            for k, v in body[: -len(excluded)]
        ]
        r = await post(c, "/employee/insert", [*second, ("employee[isAllSitesAllowed]", "1")])
        eid2 = int(r.headers["location"].rsplit("/", 1)[1])
        assert sb.state.employees[eid2].sites == ALL
        user = sb.state.add_user(username="flatbo")
        r = await post(c, "/user/permissions/update", [("userId", str(user.id)), ("userIsNew", "")])
        assert XFER_RE.search(r.headers["location"])
        r = await post(
            c,
            "/user/permissions/update",
            [("userId", str(user.id)), ("userIsNew", ""), ("siteIds[]", "5")],
        )
        assert r.headers["location"] == "/user"
        assert user.sites == frozenset({5})


async def test_flat_minimal_disable_reports_field_errors():
    sb = make_sandbox(tenant="flat")
    emp = sb.state.add_employee(id=484, sites=ALL)
    async with logged_in(sb) as c:
        r = await post(
            c, "/employee/update", [("employee[id]", "484"), ("employee[isActive]", "0")]
        )
        kind, msgs = alerts((await c.get(r.headers["location"])).text)
    assert kind == "danger"
    # No site keys on a flat tenant = nothing excluded, so only the six field errors.
    assert msgs == [
        rules.MSG_FIRST_NAME,
        rules.MSG_LAST_NAME,
        rules.MSG_DEPARTMENTS,
        rules.MSG_START_DATE,
        rules.MSG_POS_ID,
        rules.MSG_POS_PIN,
    ]
    assert emp.sites == ALL
