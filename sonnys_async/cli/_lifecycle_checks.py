"""Checks of the staff-lifecycle commands' rows against the tenant, by reading only.

Every run checks names (sites, departments, POS and Backoffice templates: an unknown name is a
row error before anything is written, as for ``onboard``) and, for ``users create``, usernames
already taken. ``--dry-run`` also looks up who each row names (an employee, a Backoffice user),
one or a few reads per row; a real run leaves that to the row itself (a row naming nobody
fails alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from .. import AsyncBackofficeClient
from ..core import payloads as P
from ..core import sites
from ..domain import BoTemplate, Department, PosTemplate, SiteTree
from ..errors import AmbiguousMatchError, NotFoundError
from ..journal import JournalContents
from ..models import BackofficeUserSummary
from ._csv import RowError
from ._lifecycle_csv import LifecycleRow

__all__ = [
    "check_changes",
    "check_names",
    "check_rehires",
    "check_user_changes",
    "check_user_keys",
    "check_users",
]

Check = Callable[[], object]


@dataclass(frozen=True, slots=True)
class _Names:
    """The tenant's names, read once per run (cached by the client)."""

    tree: SiteTree
    departments: Sequence[Department]
    pos: Sequence[PosTemplate]
    bo: Sequence[BoTemplate]
    #: Whether a ``permission`` field names a POS template (else a Backoffice one).
    pos_permission: bool

    @classmethod
    async def read(cls, client: AsyncBackofficeClient, *, pos: bool, bo: bool = True) -> _Names:
        """The names; ``pos``: the rows' ``permission`` is a POS template; ``bo``: Backoffice
        templates are named (read only then: 2 requests)."""
        return cls(
            await client.get_site_tree(),
            await client.list_departments(),
            await client.list_pos_templates() if pos else (),
            await client.list_backoffice_templates() if bo else (),
            pos,
        )

    def check(self, r: Any, errors: list[RowError], row: int) -> None:
        """Every name of request ``r`` (whichever of these fields it has)."""
        checks: list[tuple[str, Check]] = []
        if getattr(r, "available_sites", None) is not None:
            checks.append(("available_sites", lambda: sites.resolve(self.tree, r.available_sites)))
        if getattr(r, "wage_site", None) is not None:
            checks.append(("wage_site", lambda: sites.resolve(self.tree, [r.wage_site])))
        if getattr(r, "departments", None) is not None:
            checks.append(
                ("departments", lambda: P.resolve_departments(self.departments, r.departments))
            )
        permission = getattr(r, "permission", None)
        if permission is not None and self.pos_permission:
            checks.append(("permission", partial(P.resolve_pos_template, self.pos, permission)))
        elif permission is not None:
            checks.append(("permission", partial(P.resolve_bo_template, self.bo, permission)))
        bo_permission = getattr(r, "backoffice_permission", None)
        if bo_permission is not None:
            checks.append(
                ("backoffice_permission", partial(P.resolve_bo_template, self.bo, bo_permission))
            )
        for field, check in checks:
            try:
                check()
            except NotFoundError as exc:
                errors.append(RowError(row, field, str(exc)))


async def check_names(
    client: AsyncBackofficeClient, rows: Sequence[tuple[int, Any]], *, pos: bool
) -> list[RowError]:
    """The names of rows that will not run (invalid, or duplicates), from their valid cells
    (``(row, stand-in request)``): so a name typo shows up with the row's other problems.

    Args:
        pos: A ``permission`` names a POS template (else a Backoffice one).
    """
    if not rows:
        return []
    bo = not pos or any(getattr(r, "backoffice_permission", None) for _, r in rows)
    names = await _Names.read(client, pos=pos, bo=bo)
    errors: list[RowError] = []
    for row, request in rows:
        names.check(request, errors, row)
    return errors


async def _employee_problem(client: AsyncBackofficeClient, r: Any) -> tuple[str, str] | None:
    """``(field, reason)`` when the employee ``r`` names cannot be found (nor, for a row that
    changes its own lookup key, under the new value: an earlier run may have changed it)."""

    async def find(pos_user_id: Any, email: Any, first: Any, last: Any, phone: Any) -> None:
        if pos_user_id is not None:
            if not await client.search_employees(pos_user_id=pos_user_id):
                raise NotFoundError(f"no employee with POS User ID {pos_user_id}")
        elif email is not None:
            await client.get_employee_profile(email=email)
        else:
            await client.find_employee(
                first_name=first, last_name=last, phone=phone or None, active="all"
            )

    first, last, phone = (getattr(r, n, None) for n in ("first_name", "last_name", "phone"))
    field = "pos_user_id" if r.pos_user_id is not None else "email" if r.email else "first_name"
    try:
        await find(r.pos_user_id, r.email, first, last, phone)
    except (NotFoundError, AmbiguousMatchError) as exc:
        new_email = getattr(r, "new_email", None)
        new_first, new_last = getattr(r, "new_first_name", None), getattr(r, "new_last_name", None)
        try:
            if r.email is not None and new_email:
                await find(None, new_email, None, None, None)
            elif first is not None and (new_first or new_last):
                await find(None, None, new_first or first, new_last or last, phone)
            else:
                return field, str(exc)
        except (NotFoundError, AmbiguousMatchError):
            return field, str(exc)
    return None


async def _employees(
    client: AsyncBackofficeClient, rows: Sequence[LifecycleRow], errors: list[RowError]
) -> None:
    for row in rows:
        problem = await _employee_problem(client, row.request)
        if problem is not None:
            errors.append(RowError(row.row, *problem))


async def check_changes(
    client: AsyncBackofficeClient,
    rows: Sequence[LifecycleRow],
    *,
    dry_run: bool,
    journal: JournalContents | None,
) -> list[RowError]:
    """``modify`` rows: names; with ``dry_run`` also that each employee exists."""
    errors: list[RowError] = []
    names = await _Names.read(client, pos=True, bo=False)
    for row in rows:
        names.check(row.request, errors, row.row)
    if dry_run:
        await _employees(client, rows, errors)
    return errors


async def check_rehires(
    client: AsyncBackofficeClient,
    rows: Sequence[LifecycleRow],
    *,
    dry_run: bool,
    journal: JournalContents | None,
) -> list[RowError]:
    """``rehire`` rows: names (POS and Backoffice templates); with ``dry_run`` also that each
    employee exists."""
    errors: list[RowError] = []
    bo = any(r.request.restore_backoffice for r in rows)
    names = await _Names.read(client, pos=True, bo=bo)
    for row in rows:
        names.check(row.request, errors, row.row)
    if dry_run:
        await _employees(client, rows, errors)
    return errors


async def _users(client: AsyncBackofficeClient) -> list[BackofficeUserSummary]:
    return await client.list_backoffice_users(status="all")


async def check_users(
    client: AsyncBackofficeClient,
    rows: Sequence[LifecycleRow],
    *,
    dry_run: bool,
    journal: JournalContents | None,
) -> list[RowError]:
    """``users create`` rows: names, and usernames and e-mails Backoffice users already have
    (one read of the user list; rows the journal knows are checked for names only, since an
    earlier run may have created them); with ``dry_run`` also that each linked employee exists
    and is active."""
    errors: list[RowError] = []
    names = await _Names.read(client, pos=False)
    users = await _users(client)
    taken = {u.username.casefold() for u in users}
    emails = {(u.email or "").casefold() for u in users} - {""}
    for row in rows:
        r = row.request
        names.check(r, errors, row.row)
        if journal is not None and journal.state(r.username.casefold()) is not None:
            continue
        if r.username.casefold() in taken:
            errors.append(RowError(row.row, "username", "already taken by a Backoffice user"))
        if r.email and r.email.casefold() in emails:
            errors.append(RowError(row.row, "email", "already used by a Backoffice user"))
        if not dry_run or not r.linked:
            continue
        try:
            if r.link_to_employee_pos_user_id is not None:
                found = await client.search_employees(pos_user_id=r.link_to_employee_pos_user_id)
                if not found:
                    raise NotFoundError(
                        f"no employee with POS User ID {r.link_to_employee_pos_user_id}"
                    )
                active = found[0].is_active
            else:
                profile = await client.get_employee_profile(email=r.link_to_employee_email)
                active = profile.is_active
        except (NotFoundError, AmbiguousMatchError) as exc:
            field = (
                "link_to_employee_pos_user_id"
                if r.link_to_employee_pos_user_id is not None
                else "link_to_employee_email"
            )
            errors.append(RowError(row.row, field, str(exc)))
            continue
        if not active:
            errors.append(
                RowError(row.row, "link_to_employee", "the employee is inactive; rehire them first")
            )
    return errors


def _user_problem(
    users: Sequence[BackofficeUserSummary], user_id: int | None, username: str | None
) -> BackofficeUserSummary | None:
    for u in users:
        if user_id is not None and u.user_id == user_id:
            return u
        if username is not None and u.username.casefold() == username.casefold():
            return u
    return None


async def check_user_changes(
    client: AsyncBackofficeClient,
    rows: Sequence[LifecycleRow],
    *,
    dry_run: bool,
    journal: JournalContents | None,
) -> list[RowError]:
    """``users modify`` rows: names; with ``dry_run`` also that each user exists (or, renamed
    by an earlier run, exists under its new username) and that a new username or e-mail is not
    another user's (one read of the user list)."""
    errors: list[RowError] = []
    names = await _Names.read(client, pos=False)
    for row in rows:
        names.check(row.request, errors, row.row)
    if not dry_run:
        return errors
    users = await _users(client)
    for row in rows:
        r = row.request
        user = _user_problem(users, r.user_id, r.username)
        if user is None and r.new_username:
            user = _user_problem(users, None, r.new_username)
        if user is None:
            field = "user_id" if r.user_id is not None else "username"
            errors.append(RowError(row.row, field, f"no Backoffice user {row.lookup}"))
            continue
        for other in users:
            if other.user_id == user.user_id:
                continue
            if r.new_username and other.username.casefold() == r.new_username.casefold():
                errors.append(RowError(row.row, "new_username", "already taken by another user"))
            if r.new_email and (other.email or "").casefold() == r.new_email.casefold():
                errors.append(RowError(row.row, "new_email", "already used by another user"))
    return errors


async def check_user_keys(
    client: AsyncBackofficeClient,
    rows: Sequence[LifecycleRow],
    *,
    dry_run: bool,
    journal: JournalContents | None,
) -> list[RowError]:
    """``users disable`` / ``users reactivate`` rows: with ``dry_run``, that each user exists
    (one read of the user list); a real run has no names to check."""
    if not dry_run:
        return []
    users = await _users(client)
    errors: list[RowError] = []
    for row in rows:
        key = row.request
        if _user_problem(users, key.user_id, key.username) is None:
            field = "user_id" if key.user_id is not None else "username"
            errors.append(RowError(row.row, field, f"no Backoffice user {row.lookup}"))
    return errors
