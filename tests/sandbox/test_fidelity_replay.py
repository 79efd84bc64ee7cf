"""Fidelity: the captured POST bodies replayed against the sandbox give the real outcomes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import BROWSER_DISABLE_485, EMPLOYEE_485, fixture_payload

from sonnys_async.domain import ALL
from sonnys_async.sandbox.rules import messages as rules

from .helpers import alerts, logged_in, make_sandbox, payload_pairs, post

XFER = re.compile(r"actionXfer=[A-Za-z0-9]{8}$")


def _seed_485(sb, **kw):
    return sb.state.add_employee(**{**EMPLOYEE_485, **kw})


@pytest.mark.parametrize(
    ("payload", "expected_sites"),
    [
        ("allowed_employee_insert_v2_request.json", frozenset({17, 18, 19})),
        ("w45f_employee_insert_request.json", frozenset({17, 18, 19})),
        # First exploration insert: isAllRegionsAllowed=0 (presence) -> every site (§2.2).
        ("allowed_employee_insert_request.json", ALL),
    ],
)
async def test_insert_bodies(payload, expected_sites):
    sb = make_sandbox()
    async with logged_in(sb) as c:
        r = await post(c, "/employee/insert", payload_pairs(fixture_payload(payload)))
        assert r.status_code == 302
        m = re.fullmatch(r"/employee/permissions/(\d+)", r.headers["location"])
        assert m
        assert len(r.content) == 246 + 4 * len(r.headers["location"])
        emp = sb.state.employees[int(m.group(1))]
        assert emp.sites == expected_sites
        assert emp.active
        assert emp.grants == frozenset()
        assert emp.department_ids == [3]
        assert emp.wages[0].effective_date == date(2026, 4, 13)
        page = (await c.get(r.headers["location"])).text
        assert alerts(page) == (
            "success",
            [f"{emp.full_name} has been created successfully! Please setup their POS permissions."],
        )
        # one-shot: the next page has an empty alert block
        assert alerts((await c.get(f"/employee/edit/{emp.id}")).text) == ("", [])
        listing = (await c.get("/employee", params={"posUserId": str(emp.pos_user_id)})).text
        assert f'id="link-edit-employee-{emp.id}"' in listing
        assert '<td class="employees-col-template">None</td>' in listing


async def test_insert_allocates_sequential_ids():
    sb = make_sandbox()
    _seed_485(sb)
    body = payload_pairs(fixture_payload("w45f_employee_insert_request.json"))
    async with logged_in(sb) as c:
        r = await post(c, "/employee/insert", body)
    assert r.headers["location"] == "/employee/permissions/486"
    assert sb.state.employees[486].pos_credential_id == 429


async def test_browser_permissions_body_gives_general_user():
    sb = make_sandbox()
    _seed_485(sb)
    body = payload_pairs(fixture_payload("allowed_employee_permissions_update_browser.json"))
    assert body.count(("permissions[1][id]", "1")) == 2  # the duplicate triple is replayed as is
    async with logged_in(sb) as c:
        r = await post(c, "/employee/permissions/update", body)
        assert r.status_code == 302
        assert r.headers["location"] == "/employee"
        emp = sb.state.employees[485]
        assert emp.grants == frozenset({22})
        assert emp.overrides == frozenset()
        assert sb.state.access_label(emp) == "General User"
        listing = (await c.get("/employee", params={"posUserId": "99002"})).text
        assert '<td class="employees-col-template">General User</td>' in listing


async def test_minimal_permissions_body_changes_nothing_but_flashes_success():
    sb = make_sandbox()
    _seed_485(sb, grants=frozenset({2, 3}))
    body = payload_pairs(
        fixture_payload("allowed_employee_permissions_update_minimal_request.json")
    )
    async with logged_in(sb) as c:
        r = await post(c, "/employee/permissions/update", body)
        assert r.headers["location"] == "/employee"
        assert len(r.content) == 282
        assert sb.state.employees[485].grants == frozenset({2, 3})
        page = (await c.get("/employee/permissions/485")).text
        assert alerts(page) == (
            "success",
            ["WrapperExplore DeleteMe-B2D8's permissions saved successfully"],
        )
        assert "DeleteMe-B2D8&#039;s permissions saved successfully</p>" in page


async def test_full_update_with_empty_start_date_fails_with_single_error():
    sb = make_sandbox()
    emp = _seed_485(sb)
    before = repr(emp)
    body = payload_pairs(fixture_payload("allowed_employee_update_full_disable_request.json"))
    assert len(body) == 33
    async with logged_in(sb) as c:
        r = await post(c, "/employee/update", body)
        loc = r.headers["location"]
        assert loc.startswith("/employee/edit/485?actionXfer=")
        assert XFER.search(loc)
        assert len(r.content) == 398
        page = (await c.get(loc)).text
    assert alerts(page) == ("danger", ["Start Date must be a valid date."])
    assert "<p>Start Date must be a valid date.</p>" in page
    assert repr(emp) == before
    assert emp.active


async def test_minimal_disable_lists_the_eight_errors_in_order():
    sb = make_sandbox()
    emp = sb.state.add_employee(id=484, sites=ALL, pos_user_id=99001)
    before = repr(emp)
    body = payload_pairs(fixture_payload("allowed_employee_update_minimal_disable_request.json"))
    async with logged_in(sb) as c:
        r = await post(c, "/employee/update", body)
        assert r.headers["location"].startswith("/employee/edit/484?actionXfer=")
        page = (await c.get(r.headers["location"])).text
    kind, messages = alerts(page)
    assert kind == "danger"
    assert messages == [
        "First Name must be  between 1 and 64 characters long.",
        "Last Name must be  between 1 and 64 characters long.",
        "Departments requires no less than 1 valid selection.",
        "Start Date must be a valid date.",
        "Available To Work requires no less than 1 valid selection.",
        "The employee must be assigned to at least one site. Please select a site where \n"
        "            the employee is Available to Work or set to inactive if they are no longer "
        "employed.",
        "POS Login ID must be a number which is no less than 1 and has no decimals.",
        "POS Login Password must be a number which is no less than 1 and has no decimals.",
    ]
    assert repr(emp) == before
    # the form is re-rendered from stored state: still active
    assert 'name="employee[isActive]"' in page


async def test_browser_style_disable_body_deactivates_and_keeps_sites():
    """The 17-key browser body of §8.3 (reconstructed: no isActive, no isAvailable)."""
    sb = make_sandbox()
    emp = _seed_485(sb)
    body = list(BROWSER_DISABLE_485)
    async with logged_in(sb) as c:
        r = await post(c, "/employee/update", body)
        assert r.headers["location"] == "/employee"
        assert len(r.content) == 282
        assert not emp.active
        assert emp.sites == frozenset({17, 18, 19})
        page = (await c.get("/employee/edit/485")).text
        assert alerts(page) == (
            "success",
            ["WrapperExplore DeleteMe-B2D8 was updated successfully."],
        )
        default_list = (await c.get("/employee", params={"posUserId": "99002"})).text
        assert "link-edit-employee-485" not in default_list
        all_list = (await c.get("/employee", params={"posUserId": "99002", "active": "all"})).text
        assert "link-edit-employee-485" in all_list
        # reactivation: isActive present with any value (presence semantics)
        r = await post(c, "/employee/update", [*body, ("employee[isActive]", "0")])
        assert r.headers["location"] == "/employee"
        assert emp.active


@pytest.mark.parametrize(
    ("payload", "user_id", "is_new"),
    [
        ("w45v2_user_permissions_request.json", 3312102, ""),
        ("allowed_bo_user_permissions_browser_captured.json", 3312136, ""),
    ],
)
async def test_bo_access_without_sites_fails(payload, user_id, is_new):
    sb = make_sandbox()
    user = sb.state.add_user(id=user_id, username=f"u{user_id}")
    async with logged_in(sb) as c:
        r = await post(c, "/user/permissions/update", payload_pairs(fixture_payload(payload)))
        loc = r.headers["location"]
        assert loc.startswith(f"/user/permissions/{user_id}?userIsNew={is_new}&actionXfer=")
        assert XFER.search(loc)
        assert len(r.content) == 486
        page = (await c.get(loc)).text
    assert alerts(page) == ("danger", [rules.MSG_ACCESSIBLE_SITES])
    assert user.sites == frozenset()
    assert user.tokens == frozenset()
    # the rejected grants are echoed on the re-rendered page (§13.4), not stored
    assert 'name="perms[0][isEnabled]"' in page


async def test_bo_access_all_regions_noop_succeeds():
    sb = make_sandbox()
    user = sb.state.add_user(id=2944451, username="dralstead")
    body = payload_pairs(fixture_payload("w45v2_amber_noop_request.json"))
    async with logged_in(sb) as c:
        r = await post(c, "/user/permissions/update", body)
    assert r.headers["location"] == "/user"
    assert len(r.content) == 266
    assert user.sites == ALL
    assert "category.list" in user.tokens
    assert "category.write" not in user.tokens
    assert len(user.tokens) == 14


async def test_bo_access_with_site_ids_succeeds():
    sb = make_sandbox()
    user = sb.state.add_user(id=3312102, username="wrapperJ2K7bo")
    body = [
        (k, v)
        for k, v in payload_pairs(fixture_payload("w45v2_user_permissions_request.json"))
        if k != "disabledRegions[]"
    ]
    body += [("disabledRegions[]", "2"), ("siteIds[]", "17"), ("siteIds[]", "18")]
    async with logged_in(sb) as c:
        r = await post(c, "/user/permissions/update", body)
    assert r.headers["location"] == "/user"
    assert user.sites == frozenset({17, 18})
    assert user.template_id == 3


async def test_user_insert_for_inactive_employee_fails():
    sb = make_sandbox()
    sb.state.add_employee(id=486, active=False, email="wrapper-explore-E5F7@example.invalid")
    body = payload_pairs(fixture_payload("w45_user_insert_request.json"))
    body = [(k, "Secret-pass-1" if "assword" in k else v) for k, v in body]
    users_before = dict(sb.state.users)
    async with logged_in(sb) as c:
        r = await post(c, "/user/insert", body)
        loc = r.headers["location"]
        assert loc.startswith("/user/create?actionXfer=")
        assert len(r.content) == 374
        page = (await c.get(loc)).text
    assert alerts(page) == ("danger", [rules.MSG_USER_INACTIVE_EMPLOYEE])
    assert sb.state.users == users_before


async def test_user_insert_linked_active_employee_succeeds():
    sb = make_sandbox()
    sb.state.add_employee(
        id=487,
        first_name="WrapperExplore",
        last_name="DeleteMe-F8A1",
        email="wrapper-explore-F8A1@example.invalid",
    )
    body = payload_pairs(fixture_payload("w45f_user_insert_request.json"))
    body = [(k, "Secret-pass-1" if "assword" in k else v) for k, v in body]
    async with logged_in(sb) as c:
        r = await post(c, "/user/insert", body)
        m = re.fullmatch(r"/user/permissions/(\d+)\?userIsNew=1", r.headers["location"])
        assert m
        user = sb.state.users[int(m.group(1))]
        assert user.employee_id == 487
        assert user.username == "wrapperF8A1bo"
        assert user.sites == frozenset()
        page = (await c.get(r.headers["location"])).text
    assert alerts(page) == (
        "success",
        [
            "WrapperExplore DeleteMe-F8A1 has been created successfully! "
            "Please setup their POS permissions."
        ],
    )
    assert 'name="userIsNew" value=""' in page
