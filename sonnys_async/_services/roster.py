"""Who is on the tenant: roster reads and searches, availability checks, lookups by key.

The roster (``/employee``, protocol §10) and the Backoffice user list (``/user``, §12) are the
only server-side searches; everything that finds "the employee with this POS User ID / e-mail /
name" goes through :class:`Roster`, which also reads the edit pages lookups lead to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._transport import SessionHandle
from ..core import pages
from ..core.text import digits, norm
from ..errors import AmbiguousMatchError, FieldIssue, InputValidationError, NotFoundError
from ..models import ActiveFilter, EmployeeSummary
from .gateway import Gateway

__all__ = [
    "LOOKUP_LIMIT",
    "ROSTER_LIMIT",
    "Roster",
    "Target",
    "check_pos_user_id",
    "pick_one",
    "same_name",
    "summary",
]

#: Page size for roster reads. The server honours ``limit`` (§10.2); lookups by POS User ID
#: return one row, so a small page keeps the response small.
LOOKUP_LIMIT = 25
ROSTER_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Target:
    """An employee resolved from a lookup key."""

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    row: pages.EmployeeRow | None = None
    email: str | None = None


def same_name(row: pages.EmployeeRow, first_name: str, last_name: str) -> bool:
    """Whether a roster row carries these names (trimmed, case-insensitive)."""
    return (norm(row.first_name), norm(row.last_name)) == (norm(first_name), norm(last_name))


def summary(row: pages.EmployeeRow) -> EmployeeSummary:
    """The public model of a roster row."""
    return EmployeeSummary(
        employee_id=row.employee_id,
        pos_user_id=row.pos_user_id,
        first_name=row.first_name,
        last_name=row.last_name,
        phone=digits(row.phone) or None,
        is_active=row.is_active,
        site_codes=tuple(row.site_codes),
        departments=tuple(row.departments),
        access=row.access or None,
        wage_type=row.wage_type or None,
    )


def pick_one(
    rows: list[pages.EmployeeRow], first_name: str, last_name: str, phone: str | None
) -> pages.EmployeeRow:
    """The one row of a name match; ``phone`` (last 10 digits) breaks ties.

    Raises:
        NotFoundError: No row.
        AmbiguousMatchError: Several rows even after the tiebreak.
    """
    if not rows:
        raise NotFoundError(f"no employee named {first_name} {last_name}")
    if len(rows) > 1 and phone:
        want = digits(phone)[-10:]
        narrowed = [r for r in rows if digits(r.phone)[-10:] == want]
        if narrowed:
            rows = narrowed
    if len(rows) > 1:
        candidates = [
            {
                "employee_id": r.employee_id,
                "pos_user_id": r.pos_user_id,
                "name": f"{r.first_name} {r.last_name}",
                "phone": digits(r.phone),
                "is_active": r.is_active,
            }
            for r in rows
        ]
        ids = ", ".join(str(r.pos_user_id) for r in rows)
        raise AmbiguousMatchError(
            f"{len(rows)} employees named {first_name} {last_name} (POS User IDs {ids})",
            candidates,
        )
    return rows[0]


def check_pos_user_id(pos_user_id: object) -> int:
    """``pos_user_id`` if it is an int >= 1 (not a bool), else :class:`InputValidationError`."""
    if isinstance(pos_user_id, bool) or not isinstance(pos_user_id, int) or pos_user_id < 1:
        raise InputValidationError([FieldIssue("pos_user_id", "must be an integer >= 1")])
    return pos_user_id


class Roster:
    """Roster and user-list reads, lookups by key, and the edit pages they lead to.

    Args:
        gateway: Page reads.
    """

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    # ------------------------------------------------------------------ raw reads

    async def rows(
        self,
        *,
        active: ActiveFilter,
        first_name: str | None = None,
        last_name: str | None = None,
        pos_user_id: int | None = None,
        limit: int | None = None,
        session: SessionHandle | None = None,
    ) -> list[pages.EmployeeRow]:
        """Roster rows matching the server-side filters, every page followed."""
        if active not in ("active", "inactive", "all"):
            raise InputValidationError([FieldIssue("active", "must be active, inactive or all")])
        params: list[tuple[str, str | int]] = [("sort_type", "first_name"), ("sort_dir", 1)]
        if first_name:
            params.append(("first_name", first_name.strip()))
        if last_name:
            params.append(("last_name", last_name.strip()))
        if pos_user_id is not None:
            params.append(("posUserId", pos_user_id))
        params += [("active", active), ("limit", ROSTER_LIMIT if limit is None else limit)]
        rows: list[pages.EmployeeRow] = []
        page_no = 1
        while True:
            path = "/employee" if page_no == 1 else f"/employee/{page_no}"
            resp = await self._gateway.page(path, params, session=session, what="employee list")
            listing = pages.parse_employee_list(resp.text)
            rows.extend(listing.rows)
            if not listing.pager.has_next or not listing.rows or page_no >= 10_000:
                return rows
            page_no += 1

    async def rows_by_pos_user_id(
        self, pos_user_id: int, *, session: SessionHandle | None = None
    ) -> list[pages.EmployeeRow]:
        """The targeted search of §10.2 (exact, inactive holders included): one small page.
        ``session`` pins the read (settling a lost POST)."""
        rows = await self.rows(
            active="all", pos_user_id=pos_user_id, limit=LOOKUP_LIMIT, session=session
        )
        return [r for r in rows if r.pos_user_id == pos_user_id]

    async def name_matches(
        self, first_name: str, last_name: str, active: ActiveFilter
    ) -> list[pages.EmployeeRow]:
        """Rows whose names equal these (the server's prefix filter narrows first)."""
        rows = await self.rows(active=active, first_name=first_name, last_name=last_name)
        f, l_ = norm(first_name), norm(last_name)
        return [r for r in rows if norm(r.first_name) == f and norm(r.last_name) == l_]

    async def users_by(
        self,
        *,
        email: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        session: SessionHandle | None = None,
    ) -> list[pages.UserRow]:
        """Backoffice users (active or not) by exact e-mail / username, or by name search."""
        params: list[tuple[str, str | int]] = []
        if first_name is not None:
            params.append(("firstNameSearch", first_name))
        if last_name is not None:
            params.append(("lastNameSearch", last_name))
        if email is not None:
            params.append(("emailSearch", email))
        if username is not None:
            params.append(("userNameSearch", username))
        params += [("statusSearch", "all"), ("limit", ROSTER_LIMIT)]
        resp = await self._gateway.page("/user", params, session=session, what="user list")
        rows = pages.parse_user_list(resp.text).rows
        return [
            r
            for r in rows
            if (email is None or norm(r.email) == norm(email))
            and (username is None or norm(r.username) == norm(username))
        ]

    async def user_rows(self, params: Sequence[tuple[str, str | int]]) -> list[pages.UserRow]:
        """Rows of the Backoffice user list for these filters, every page followed (§12)."""
        rows: list[pages.UserRow] = []
        page_no = 1
        while True:
            path = "/user" if page_no == 1 else f"/user/{page_no}"
            resp = await self._gateway.page(path, params, what="user list")
            listing = pages.parse_user_list(resp.text)
            rows.extend(listing.rows)
            if not listing.pager.has_next or not listing.rows or page_no >= 10_000:
                return rows
            page_no += 1

    async def all_users(self) -> list[pages.UserRow]:
        """Every Backoffice user, active or not."""
        return await self.user_rows([("statusSearch", "all"), ("limit", ROSTER_LIMIT)])

    async def employee_options(self) -> tuple[pages.EmployeeOption, ...]:
        """The ``/user/create`` employee dropdown: the only place employees' e-mails are
        listed (its options carry ``data-email``; the roster has no e-mail column, §11.2)."""
        form = await self._gateway.page("/user/create", what="user create form")
        return pages.parse_employee_options(form.text)

    async def edit_page(
        self, employee_id: int, *, session: SessionHandle | None = None
    ) -> pages.EmployeeEditPage:
        """An employee's edit page, parsed."""
        resp = await self._gateway.page(
            f"/employee/edit/{employee_id}", session=session, what=f"employee {employee_id}"
        )
        return pages.parse_employee_edit(resp.text)

    async def user_edit_page(
        self, user_id: int, *, session: SessionHandle | None = None
    ) -> pages.UserEditPage:
        """A Backoffice user's edit page, parsed."""
        resp = await self._gateway.page(
            f"/user/edit/{user_id}", session=session, what=f"Backoffice user {user_id}"
        )
        return pages.parse_user_edit(resp.text)

    async def resolve(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        prefer_active: bool = False,
    ) -> Target:
        """The one employee a lookup key names: POS User ID, else e-mail, else names.

        Raises:
            NotFoundError / AmbiguousMatchError: Not exactly one employee.
            InputValidationError: No key given.
        """
        if pos_user_id is not None:
            rows = await self.rows_by_pos_user_id(pos_user_id)
            if not rows:
                raise NotFoundError(f"no employee with POS User ID {pos_user_id}")
            if len(rows) > 1:
                raise AmbiguousMatchError(
                    f"several employees hold POS User ID {pos_user_id}",
                    [r.employee_id for r in rows],
                )
            r = rows[0]
            return Target(r.employee_id, r.pos_user_id, r.first_name, r.last_name, row=r)
        if email is not None:
            options = [o for o in await self.employee_options() if norm(o.email) == norm(email)]
            if not options:
                return await self._by_login_email(email)
            if len(options) > 1:
                raise AmbiguousMatchError(
                    f"several employees use e-mail {email!r}",
                    [
                        {"employee_id": o.employee_id, "name": f"{o.first_name} {o.last_name}"}
                        for o in options
                    ],
                )
            o = options[0]
            return Target(o.employee_id, None, o.first_name, o.last_name, email=o.email)
        if first_name is None or last_name is None:
            raise InputValidationError(
                [FieldIssue("pos_user_id", "give pos_user_id, email, or first_name + last_name")]
            )
        rows = await self.name_matches(first_name, last_name, "all")
        if prefer_active and len(rows) > 1:
            active_rows = [r for r in rows if r.is_active]
            if active_rows:
                rows = active_rows
        r = pick_one(rows, first_name, last_name, phone)
        return Target(r.employee_id, r.pos_user_id, r.first_name, r.last_name, row=r)

    async def _by_login_email(self, email: str) -> Target:
        """The employee a Backoffice login with ``email`` is linked to (``user[employeeId]``,
        §14): how an inactive employee is found by e-mail, since ``/user/create`` lists the
        active ones."""
        linked: dict[int, pages.UserEditPage] = {}
        for row in await self.users_by(email=email):
            page = await self.user_edit_page(row.user_id)
            if page.employee_id is not None:
                linked[page.employee_id] = page
        if len(linked) != 1:
            raise NotFoundError(
                f"no employee with e-mail {email!r}: the /user/create list (active employees) "
                "and the Backoffice logins with that e-mail name "
                + ("none" if not linked else f"{len(linked)} employees")
            )
        employee_id = next(iter(linked))
        edit = await self.edit_page(employee_id)
        return Target(
            employee_id, edit.pos_user_id, edit.first_name, edit.last_name, email=edit.email
        )

    # ------------------------------------------------------------------ public reads

    async def list_employees(
        self,
        *,
        active: ActiveFilter = "active",
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> list[EmployeeSummary]:
        """Employees of the roster, optionally filtered by name prefix (server-side).

        Args:
            active: ``"active"`` (default, like the server), ``"inactive"`` or ``"all"``.
            first_name: Case-insensitive prefix filter applied by the server.
            last_name: Case-insensitive prefix filter applied by the server.

        Returns:
            One summary per row, all pages followed.
        """
        rows = await self.rows(active=active, first_name=first_name, last_name=last_name)
        return [summary(r) for r in rows]

    async def search_employees(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        pos_user_id: int | None = None,
        active: ActiveFilter = "all",
    ) -> list[EmployeeSummary]:
        """Server-side search: name prefixes and/or an exact POS User ID (AND-combined).

        Args:
            first_name: Case-insensitive prefix.
            last_name: Case-insensitive prefix.
            pos_user_id: Exact POS User ID.
            active: Defaults to ``"all"`` (the reference's behaviour).

        Returns:
            Matching rows.
        """
        rows = await self.rows(
            active=active, first_name=first_name, last_name=last_name, pos_user_id=pos_user_id
        )
        if pos_user_id is not None:
            rows = [r for r in rows if r.pos_user_id == pos_user_id]
        return [summary(r) for r in rows]

    async def find_employees(
        self, *, first_name: str, last_name: str, active: ActiveFilter = "active"
    ) -> list[EmployeeSummary]:
        """Employees whose names equal the given ones (trimmed, case-insensitive).

        The server's prefix filter narrows the roster first; the exact match is local.

        Args:
            first_name: First name.
            last_name: Last name.
            active: Which employees to consider.

        Returns:
            Every exact match (possibly none).
        """
        return [summary(r) for r in await self.name_matches(first_name, last_name, active)]

    async def find_employee(
        self,
        *,
        first_name: str,
        last_name: str,
        phone: str | None = None,
        active: ActiveFilter = "active",
    ) -> EmployeeSummary:
        """The one employee with these names; ``phone`` breaks ties (last 10 digits).

        Args:
            first_name: First name (exact after trim + casefold).
            last_name: Last name.
            phone: Used only when several employees share the names.
            active: Which employees to consider.

        Returns:
            The match.

        Raises:
            NotFoundError: Nobody matches.
            AmbiguousMatchError: Several match even after the phone tiebreak; ``candidates``
                lists them.
        """
        rows = await self.name_matches(first_name, last_name, active)
        return summary(pick_one(rows, first_name, last_name, phone))

    async def pos_user_id_exists(self, pos_user_id: int) -> bool:
        """Whether any employee, active or not, holds this POS User ID (one targeted GET).

        Args:
            pos_user_id: The POS User ID.

        Returns:
            ``True`` if taken (IDs stay reserved after a disable, §4).
        """
        return bool(await self.rows_by_pos_user_id(check_pos_user_id(pos_user_id)))

    async def is_pos_user_id_available(self, pos_user_id: int, *, refresh: bool = False) -> bool:
        """``not pos_user_id_exists(...)``; always live (``refresh`` kept for compatibility)."""
        return not await self.pos_user_id_exists(pos_user_id)

    async def is_backoffice_username_available(self, username: str) -> bool:
        """Whether no Backoffice user (active or not) has this username (case-insensitive).

        One targeted ``/user?userNameSearch=`` read. The server offers a uniqueness check only to
        its page scripts (§11.2, never captured), so this is the way to pre-flight a username.

        Args:
            username: The login name.

        Returns:
            ``True`` when unused.
        """
        return not await self.users_by(username=username)
