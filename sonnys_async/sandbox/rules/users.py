"""Backoffice user endpoints: insert (§11.3), update (§14), access save (§13.4)."""

from __future__ import annotations

import re
from urllib.parse import quote

from sonnys_async.domain import ALL
from sonnys_async.sandbox.catalogue import BO_TOKENS
from sonnys_async.sandbox.reference import BO_TEMPLATES
from sonnys_async.sandbox.rules.body import FormBody, int_or_none, name_ok
from sonnys_async.sandbox.rules.messages import (
    MSG_ACCESSIBLE_SITES,
    MSG_BO_FIRST,
    MSG_BO_LAST,
    MSG_DUP_EMAIL,
    MSG_DUP_USERNAME,
    MSG_EMAIL_REQUIRED,
    MSG_EMPLOYEE_HAS_USER,
    MSG_PASSWORD,
    MSG_UNKNOWN_USER,
    MSG_USER_INACTIVE_EMPLOYEE,
    MSG_USERNAME,
)
from sonnys_async.sandbox.rules.outcome import PostResult, fail, ok
from sonnys_async.sandbox.rules.sites import employee_sites_from_body
from sonnys_async.sandbox.rules.unique import email_taken
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState

__all__ = ["user_insert", "user_permissions_update", "user_update"]

_USERNAME_RE = re.compile(r"[A-Za-z]\w{2,63}", re.ASCII)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BO_PERM_KEY = re.compile(r"perms\[(\d{1,9})\]\[(token|isEnabled)\]")


def _password_errors(body: FormBody) -> list[str]:
    pw, confirm = body.get("user[password]"), body.get("user[confirmPassword]")
    if len(pw) < 8 or len(pw) > 4096 or pw != confirm:
        return [MSG_PASSWORD]
    return []


def _username_errors(state: TenantState, username: str, self_id: int | None) -> list[str]:
    if not _USERNAME_RE.fullmatch(username):
        return [MSG_USERNAME]
    other = state.user_by_username(username)
    if state.options.unique_username and other is not None and other.id != self_id:
        return [MSG_DUP_USERNAME]
    return []


def _email_errors(
    state: TenantState, email: str, *, self_user: int | None, own_employee: int | None
) -> list[str]:
    if not _EMAIL_RE.fullmatch(email) or len(email) > 180:
        return [MSG_EMAIL_REQUIRED]
    if state.options.unique_email and email_taken(
        state, email, employee_id=own_employee, user_id=self_user
    ):
        return [MSG_DUP_EMAIL]
    return []


def user_insert(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/insert`` (§11.3): linked when ``employee[isOnSiteEmployee]`` is present."""
    back = "/user/create"
    username = body.get("user[username]").strip()
    email = body.get("employee[email]").strip()
    # Captured (w45_user_insert_landed.html): the form it bounces to shows the posted e-mail
    # and username again; nothing else is known to be re-filled, passwords never are.
    refill = tuple((k, body.get(k)) for k in ("employee[email]", "user[username]"))
    employee: StoredEmployee | None = None
    if body.has("employee[isOnSiteEmployee]"):
        eid = int_or_none(body.get("user[employeeId]"))
        employee = state.employees.get(eid) if eid is not None else None
        if employee is None or not employee.active:
            return fail(back, [MSG_USER_INACTIVE_EMPLOYEE], fields=refill)
        if any(not u.is_deleted for u in state.users_of_employee(employee.id)):
            return fail(back, [MSG_EMPLOYEE_HAS_USER], fields=refill)
        first, last = employee.first_name, employee.last_name
        errors: list[str] = []
    else:
        first = body.get("employee[firstName]").strip()
        last = body.get("employee[lastName]").strip()
        errors = []
        if not name_ok(first, 2):
            errors.append(MSG_BO_FIRST)
        if not name_ok(last, 2):
            errors.append(MSG_BO_LAST)
    errors += _email_errors(
        state, email, self_user=None, own_employee=employee.id if employee else None
    )
    errors += _username_errors(state, username, None)
    errors += _password_errors(body)
    if errors:
        return fail(back, errors, fields=refill)
    uid = state.allocate_user_id()
    user = StoredUser(
        id=uid,
        employee_id=employee.id if employee else None,
        first_name=first,
        last_name=last,
        email=email,
        username=username,
        password=body.get("user[password]"),
    )
    state.users[uid] = user
    return ok(
        f"/user/permissions/{uid}?userIsNew=1",
        f"{user.full_name} has been created successfully! Please setup their POS permissions.",
    )


def user_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/update`` (§14; never submitted live - semantics are sandbox choices)."""
    uid = int_or_none(body.get("user[userId]"))
    user = state.users.get(uid) if uid is not None else None
    if user is None:
        return fail("/user", [MSG_UNKNOWN_USER])
    back = f"/user/edit/{user.id}"
    username = body.get("user[username]").strip()
    email = body.get("employee[email]").strip()
    errors = _email_errors(state, email, self_user=user.id, own_employee=user.employee_id)
    errors += _username_errors(state, username, user.id)
    change_password = not body.has("user[changePassword]")  # checked = "do not change" (§14)
    if change_password:
        errors += _password_errors(body)
    if errors:
        return fail(back, errors)
    user.username, user.email = username, email
    if change_password:
        user.password = body.get("user[password]")
    if body.has("universalSiteAccess"):
        user.sites = ALL
    elif user.sites == ALL:
        user.sites = frozenset()
    user.is_deleted = body.has("user[isDeleted]")  # checked = "User is active? No"
    return ok("/user", f"{user.full_name} was updated successfully.")


def user_permissions_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/permissions/update`` (§13.4): needs at least one accessible site."""
    uid = int_or_none(body.get("userId"))
    user = state.users.get(uid) if uid is not None else None
    if user is None:
        return fail("/user", [MSG_UNKNOWN_USER])
    tokens: set[str] = set()
    index_token: dict[str, str] = {}
    enabled_idx: set[str] = set()
    for k, v in body.pairs:
        m = _BO_PERM_KEY.fullmatch(k)
        if not m:
            continue
        if m.group(2) == "token":
            index_token[m.group(1)] = v
        else:
            enabled_idx.add(m.group(1))
    known = set(BO_TOKENS)
    tokens = {index_token[i] for i in enabled_idx if index_token.get(i) in known}
    sites = employee_sites_from_body(body, state.tenant.tree, bo=True)
    if sites != ALL and not sites:
        back = f"/user/permissions/{user.id}?userIsNew={quote(body.get('userIsNew'), safe='')}"
        return fail(back, [MSG_ACCESSIBLE_SITES], echo=frozenset(tokens))
    user.sites = sites
    user.tokens = frozenset(tokens)
    tid = int_or_none(body.get("template"))
    user.template_id = tid if any(t.id == tid for t in BO_TEMPLATES) else None
    return ok("/user", f"{user.full_name}'s permissions saved successfully")
