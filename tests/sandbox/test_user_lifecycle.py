"""Backoffice users over their lifetime (§11, §12, §14) and who holds an e-mail (§20.3).

An e-mail is unique among employees and Backoffice users (an employee and its linked users are
one holder); a deleted user keeps its e-mail and username; ``POST /user/update`` without
``user[isDeleted]`` reactivates; a reactivated user logs in with its (new) password. Behaviours
the real server was never seen doing are sandbox choices (docs/sandbox.md, choices 5, 15, 18).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.domain import ALL
from sonnys_async.sandbox import Sandbox, StoredEmployee, StoredUser
from sonnys_async.sandbox.rules import messages as msg

from .helpers import alerts, controls, insert_body, logged_in, make_sandbox, post

PASSWORD = "Password-123"


def _edit_body(html: str) -> list[tuple[str, str]]:
    """What a browser submits from the edit page as rendered (checked boxes only)."""
    return [
        (c["name"], c["value"] or "")
        for c in controls(html, "form#user-edit-edit-form")
        if c["type"] != "checkbox" or c["checked"]
    ]


def _replace(pairs: list[tuple[str, str]], values: dict[str, str | None]) -> list[tuple[str, str]]:
    """The pairs with those fields set (appended) or, for None, dropped."""
    out = [(k, v) for k, v in pairs if k not in values]
    return out + [(k, v) for k, v in values.items() if v is not None]


async def _login_as(sb: Sandbox, username: str, password: str) -> str:
    async with sb.client() as c:
        r = await post(c, "/login_check", [("_username", username), ("_password", password)])
        return r.headers["location"]


def _standalone(sb: Sandbox, **kw: Any) -> StoredUser:
    """A standalone BO user (all sites), ``stanalone`` / ``stan@example.invalid`` by default."""
    base: dict[str, Any] = {
        "first_name": "Stan",
        "last_name": "Alone",
        "email": "stan@example.invalid",
        "username": "stanalone",
        "password": PASSWORD,
        "sites": ALL,
    }
    return sb.state.add_user(**{**base, **kw})


def _employee_update(emp: StoredEmployee) -> list[tuple[str, str]]:
    """A valid ``/employee/update`` body restating an active employee at site 17."""
    return [
        ("employee[id]", str(emp.id)),
        ("employee[firstName]", emp.first_name),
        ("employee[lastName]", emp.last_name),
        ("employee[email]", emp.email),
        ("employee[departments][]", "3"),
        ("employee[startDate]", "04/13/2026"),
        ("employee[sites][17][siteId]", "17"),
        ("posCredential[POSLoginID]", str(emp.pos_user_id)),
        ("posCredential[POSLoginPassword]", "12345"),
        ("employee[isActive]", "1"),
    ]


def _standalone_insert(email: str, username: str = "newbie") -> list[tuple[str, str]]:
    return [
        ("employee[firstName]", "New"),
        ("employee[lastName]", "User"),
        ("employee[email]", email),
        ("user[username]", username),
        ("user[password]", PASSWORD),
        ("user[confirmPassword]", PASSWORD),
    ]


# --- e-mail uniqueness across employees and Backoffice users ----------------------------------
async def test_employee_insert_and_update_refuse_the_email_of_a_standalone_user():
    sb = make_sandbox()
    _standalone(sb, email="Stan@Example.invalid")
    emp = sb.state.add_employee(email="mine@example.invalid", pos_user_id=4242)
    async with logged_in(sb) as c:
        body = [*insert_body("5151"), ("employee[email]", "stan@example.INVALID")]
        r = await post(c, "/employee/insert", body)
        assert r.headers["location"].startswith("/employee/create?actionXfer=")
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_DUP_EMAIL])
        pairs = _employee_update(emp)
        pairs = _replace(pairs, {"employee[email]": "stan@example.invalid"})
        r = await post(c, "/employee/update", pairs)
        assert r.headers["location"].startswith(f"/employee/edit/{emp.id}?actionXfer=")
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_DUP_EMAIL])
    assert emp.email == "mine@example.invalid"
    assert not any(e.email.lower() == "stan@example.invalid" for e in sb.state.employees.values())


async def test_an_employee_and_its_linked_user_hold_one_email():
    """Updating an employee keeps the e-mail its own BO user also holds; a standalone user
    cannot take it; a user linked to that employee can."""
    sb = make_sandbox()
    emp = sb.state.add_employee(email="pair@example.invalid", pos_user_id=4343)
    linked = sb.state.add_user(employee_id=emp.id, email="pair@example.invalid", username="pair1")
    async with logged_in(sb) as c:
        pairs = _employee_update(emp)
        r = await post(c, "/employee/update", pairs)
        assert r.headers["location"] == "/employee"
        r = await post(c, "/user/insert", _standalone_insert("PAIR@example.invalid"))
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_DUP_EMAIL])
        # the linked user re-saves its own e-mail
        r = await post(c, "/user/update", _edit_body((await c.get(f"/user/edit/{linked.id}")).text))
        assert r.headers["location"] == "/user"


# --- /user/create: re-fill after a refusal, active employees only -----------------------------
async def test_refused_insert_refills_email_and_username_once_never_passwords():
    sb = make_sandbox()
    _standalone(sb)
    body = _standalone_insert("stan@example.invalid", username="fresh_name")
    async with logged_in(sb) as c:
        r = await post(c, "/user/insert", body)
        assert r.headers["location"].startswith("/user/create?actionXfer=")
        page = (await c.get(r.headers["location"])).text
        again = (await c.get("/user/create")).text
    values = {x["name"]: x["value"] for x in controls(page, "form#user-create-edit-form")}
    assert values["employee[email]"] == "stan@example.invalid"
    assert values["user[username]"] == "fresh_name"
    assert values["user[password]"] == values["user[confirmPassword]"] == ""
    assert values["employee[firstName]"] == values["employee[lastName]"] == ""
    assert PASSWORD not in page
    assert alerts(page) == ("danger", [msg.MSG_DUP_EMAIL])
    blank = {x["name"]: x["value"] for x in controls(again, "form#user-create-edit-form")}
    assert blank["employee[email]"] == blank["user[username]"] == ""  # one-shot, like the alert


async def test_refilled_values_are_escaped():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        r = await post(c, "/user/insert", _standalone_insert('"><b>x', username="'quote"))
        page = (await c.get(r.headers["location"])).text
    values = {x["name"]: x["value"] for x in controls(page, "form#user-create-edit-form")}
    assert values["employee[email]"] == '"><b>x'
    assert values["user[username]"] == "'quote"
    assert "&quot;&gt;&lt;b&gt;x" in page


def _dropdown(html: str) -> list[str]:
    return [
        o.attributes.get("value") or ""
        for o in LexborHTMLParser(html).css("select#user-employee option")
    ][1:]


@pytest.mark.parametrize("lists_inactive", [False, True])
async def test_create_dropdown_lists_active_employees_unless_switched(lists_inactive):
    sb = make_sandbox(employees=0, user_create_lists_inactive=lists_inactive)
    a = sb.state.add_employee(first_name="Ann", last_name="Active")
    b = sb.state.add_employee(first_name="Bob", last_name="Gone", active=False)
    c_ = sb.state.add_employee(first_name="Cy", last_name="Linked")
    sb.state.add_user(employee_id=c_.id, username="cylinked")
    async with logged_in(sb) as c:
        html = (await c.get("/user/create")).text
    expected = [a.id, b.id, c_.id] if lists_inactive else [a.id, c_.id]
    assert _dropdown(html) == [str(i) for i in expected]


# --- deactivation, reactivation, credentials --------------------------------------------------
async def test_deleted_user_keeps_email_and_username_then_is_reactivated_with_new_credentials():
    sb = make_sandbox()
    user = _standalone(sb)
    async with logged_in(sb) as c:
        edit = (await c.get(f"/user/edit/{user.id}")).text
        r = await post(c, "/user/update", [*_edit_body(edit), ("user[isDeleted]", "1")])
        assert r.headers["location"] == "/user"
        assert user.is_deleted
        assert await _login_as(sb, "stanalone", PASSWORD) == "/login"
        # a deleted user still holds its e-mail and its username
        r = await post(c, "/user/insert", _standalone_insert("STAN@example.invalid"))
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_DUP_EMAIL])
        r = await post(c, "/user/insert", _standalone_insert("x@example.invalid", "StanAlone"))
        assert alerts((await c.get(r.headers["location"])).text) == (
            "danger",
            [msg.MSG_DUP_USERNAME],
        )
        # re-posting the edit form as rendered (isDeleted checked) keeps it deleted
        edit = (await c.get(f"/user/edit/{user.id}")).text
        assert ("user[isDeleted]", "1") in _edit_body(edit)
        r = await post(c, "/user/update", _edit_body(edit))
        assert r.headers["location"] == "/user"
        assert user.is_deleted
        # without user[isDeleted]: reactivated, with a new e-mail, username and password
        body = _replace(
            _edit_body(edit),
            {
                "user[isDeleted]": None,
                "user[changePassword]": None,
                "employee[email]": "stan.new@example.invalid",
                "user[username]": "stan_new",
                "user[password]": "New-Pass-456",
                "user[confirmPassword]": "New-Pass-456",
            },
        )
        r = await post(c, "/user/update", body)
        assert r.headers["location"] == "/user"
        assert alerts((await c.get("/user")).text) == (
            "success",
            ["Stan Alone was updated successfully."],
        )
    assert not user.is_deleted
    assert (user.email, user.username, user.password) == (
        "stan.new@example.invalid",
        "stan_new",
        "New-Pass-456",
    )
    assert user.sites == ALL
    assert await _login_as(sb, "stan_new", "New-Pass-456") == "/"
    assert await _login_as(sb, "stan_new", PASSWORD) == "/login"
    assert await _login_as(sb, "stanalone", PASSWORD) == "/login"


async def test_user_update_keeps_its_own_email_and_username_but_not_anothers():
    sb = make_sandbox()
    user = _standalone(sb)
    _standalone(sb, email="other@example.invalid", username="otheruser")
    async with logged_in(sb) as c:
        edit = (await c.get(f"/user/edit/{user.id}")).text
        r = await post(
            c,
            "/user/update",
            _replace(_edit_body(edit), {"employee[email]": "STAN@example.invalid"}),
        )
        assert r.headers["location"] == "/user"
        r = await post(
            c,
            "/user/update",
            _replace(_edit_body(edit), {"employee[email]": "other@example.invalid"}),
        )
        assert r.headers["location"].startswith(f"/user/edit/{user.id}?actionXfer=")
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_DUP_EMAIL])
        r = await post(
            c, "/user/update", _replace(_edit_body(edit), {"user[username]": "OtherUser"})
        )
        assert alerts((await c.get(r.headers["location"])).text) == (
            "danger",
            [msg.MSG_DUP_USERNAME],
        )
        # a new password must satisfy the password rule; nothing is stored otherwise
        r = await post(
            c,
            "/user/update",
            _replace(
                _edit_body(edit),
                {
                    "user[changePassword]": None,
                    "user[password]": "short",
                    "user[confirmPassword]": "short",
                },
            ),
        )
        assert alerts((await c.get(r.headers["location"])).text) == ("danger", [msg.MSG_PASSWORD])
    assert (user.email, user.username, user.password) == (
        "STAN@example.invalid",
        "stanalone",
        PASSWORD,
    )


async def test_deleted_user_can_login_switch_lets_a_deleted_user_in():
    sb = make_sandbox(deleted_user_can_login=True)
    user = _standalone(sb, is_deleted=True)
    assert await _login_as(sb, "stanalone", PASSWORD) == "/"
    user.is_deleted = False
    assert await _login_as(sb, "stanalone", PASSWORD) == "/"


# --- the /user list: statusSearch and the active column ---------------------------------------
def _usernames(html: str) -> list[str]:
    return [
        td.text(strip=True)
        for td in LexborHTMLParser(html).css("table.table-users-list td.users-col-username")
    ]


async def _list(c: httpx.AsyncClient, **params: str) -> str:
    return (await c.get("/user", params={"limit": "10000", **params})).text


async def test_status_search_filters_on_is_deleted_and_rows_follow_reactivation():
    sb = make_sandbox(bo_users=0)
    user = _standalone(sb)
    sb.state.add_user(username="zz_gone", is_deleted=True)
    async with logged_in(sb) as c:
        assert sorted(_usernames(await _list(c))) == sorted([sb.username, "stanalone", "zz_gone"])
        assert _usernames(await _list(c, statusSearch="active")) == [sb.username, "stanalone"]
        assert _usernames(await _list(c, statusSearch="inactive")) == ["zz_gone"]
        assert sorted(_usernames(await _list(c, statusSearch="bogus"))) == sorted(
            [sb.username, "stanalone", "zz_gone"]
        )
        edit = (await c.get(f"/user/edit/{user.id}")).text
        await post(c, "/user/update", [*_edit_body(edit), ("user[isDeleted]", "1")])
        assert _usernames(await _list(c, statusSearch="inactive")) == ["stanalone", "zz_gone"]
        page = await _list(c, statusSearch="inactive")
        row = LexborHTMLParser(page).css("table.table-users-list tbody tr")[0]
        assert row.css_first("td.users-col-active i").attributes["title"] == "Inactive"
        await post(c, "/user/update", _replace(_edit_body(edit), {"user[isDeleted]": None}))
        page = await _list(c, statusSearch="active")
        assert _usernames(page) == [sb.username, "stanalone"]
        cells = LexborHTMLParser(page).css("td.users-col-active i")
        assert {i.attributes["title"] for i in cells} == {"Active"}
        select = LexborHTMLParser(page).css_first("select#users-status-avail option[selected]")
        assert select.attributes["value"] == "active"
