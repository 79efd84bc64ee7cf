"""Reads: roster lists and searches, availability checks, lookups, employee snapshots."""

from __future__ import annotations

from typing import Any

from .._transport import SessionHandle
from ..core import pages
from ..core import payloads as P
from ..core.text import digits, norm
from ..domain import (
    ALL,
    SiteTree,
)
from ..errors import (
    AmbiguousMatchError,
    FieldIssue,
    InputValidationError,
    NotFoundError,
)
from ..models import (
    ActiveFilter,
    Employee,
    EmployeeCompensation,
    EmployeePermission,
    EmployeeProfile,
    EmployeeSummary,
    WageRecord,
    normalize_phone,
)
from .base import (
    LOOKUP_LIMIT,
    ROSTER_LIMIT,
    Target,
)
from .discovery import Discovery

__all__ = ["Reads"]


class Reads(Discovery):
    """Roster reads, availability checks, lookups by key, and employee snapshots."""

    async def _roster_page(
        self,
        params: list[tuple[str, str | int]],
        page: int = 1,
        *,
        session: SessionHandle | None = None,
    ) -> Any:
        path = "/employee" if page == 1 else f"/employee/{page}"
        resp = await self._page(path, params, session=session, what="employee list")
        return pages.parse_employee_list(resp.text)

    async def _roster(
        self,
        *,
        active: ActiveFilter,
        first_name: str | None = None,
        last_name: str | None = None,
        pos_user_id: int | None = None,
        limit: int | None = None,
        session: SessionHandle | None = None,
    ) -> list[pages.EmployeeRow]:
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
            listing = await self._roster_page(params, page_no, session=session)
            rows.extend(listing.rows)
            pager = listing.pager
            if not pager.has_next or not listing.rows or page_no >= 10_000:
                return rows
            page_no += 1

    async def _rows_by_pos_user_id(
        self, pos_user_id: int, *, session: SessionHandle | None = None
    ) -> list[pages.EmployeeRow]:
        # The targeted search of §10.2 (exact, includes inactive holders): one small page
        # instead of a roster download. ``session`` pins the read (settling a lost POST).
        rows = await self._roster(
            active="all", pos_user_id=pos_user_id, limit=LOOKUP_LIMIT, session=session
        )
        return [r for r in rows if r.pos_user_id == pos_user_id]

    @staticmethod
    def _summary(row: pages.EmployeeRow) -> EmployeeSummary:
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
        rows = await self._roster(active=active, first_name=first_name, last_name=last_name)
        return [self._summary(r) for r in rows]

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
        rows = await self._roster(
            active=active, first_name=first_name, last_name=last_name, pos_user_id=pos_user_id
        )
        if pos_user_id is not None:
            rows = [r for r in rows if r.pos_user_id == pos_user_id]
        return [self._summary(r) for r in rows]

    async def _name_matches(
        self, first_name: str, last_name: str, active: ActiveFilter
    ) -> list[pages.EmployeeRow]:
        rows = await self._roster(active=active, first_name=first_name, last_name=last_name)
        f, l_ = norm(first_name), norm(last_name)
        return [r for r in rows if norm(r.first_name) == f and norm(r.last_name) == l_]

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
        return [self._summary(r) for r in await self._name_matches(first_name, last_name, active)]

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
        rows = await self._name_matches(first_name, last_name, active)
        return self._summary(self._pick_one(rows, first_name, last_name, phone))

    @staticmethod
    def _pick_one(
        rows: list[pages.EmployeeRow], first_name: str, last_name: str, phone: str | None
    ) -> pages.EmployeeRow:
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

    async def pos_user_id_exists(self, pos_user_id: int) -> bool:
        """Whether any employee, active or not, holds this POS User ID (one targeted GET).

        Args:
            pos_user_id: The POS User ID.

        Returns:
            ``True`` if taken (IDs stay reserved after a disable, §4).
        """
        return bool(await self._rows_by_pos_user_id(self._check_pos_id(pos_user_id)))

    async def is_pos_user_id_available(self, pos_user_id: int, *, refresh: bool = False) -> bool:
        """``not pos_user_id_exists(...)``; always live (``refresh`` kept for compatibility)."""
        return not await self.pos_user_id_exists(pos_user_id)

    @staticmethod
    def _check_pos_id(pos_user_id: object) -> int:
        if isinstance(pos_user_id, bool) or not isinstance(pos_user_id, int) or pos_user_id < 1:
            raise InputValidationError([FieldIssue("pos_user_id", "must be an integer >= 1")])
        return pos_user_id

    async def is_email_available(self, email: str, *, refresh: bool = False) -> bool:
        """Whether no employee and no Backoffice user uses this e-mail (case-insensitive).

        Employees' e-mails are read from ``/user/create`` (its employee options carry
        ``data-email``; the roster has no e-mail column, §11.2); Backoffice users' from a
        ``/user`` search. Always live (``refresh`` kept for compatibility).

        Args:
            email: The address.

        Returns:
            ``True`` when unused.
        """
        want = norm(email)
        form = await self._page("/user/create", what="user create form")
        options = pages.parse_user_create(form.text).employees
        if any(norm(o.email) == want for o in options):
            return False
        return not await self._users_by(email=email)

    async def is_backoffice_username_available(self, username: str) -> bool:
        """Whether no Backoffice user (active or not) has this username (case-insensitive).

        One targeted ``/user?userNameSearch=`` read. The server offers a uniqueness check only to
        its page scripts (§11.2, never captured), so this is the way to pre-flight a username.

        Args:
            username: The login name.

        Returns:
            ``True`` when unused.
        """
        return not await self._users_by(username=username)

    async def _users_by(
        self,
        *,
        email: str | None = None,
        username: str | None = None,
        session: SessionHandle | None = None,
    ) -> list[pages.UserRow]:
        params: list[tuple[str, str | int]] = []
        if email is not None:
            params.append(("emailSearch", email))
        if username is not None:
            params.append(("userNameSearch", username))
        params += [("statusSearch", "all"), ("limit", ROSTER_LIMIT)]
        resp = await self._page("/user", params, session=session, what="user list")
        rows = pages.parse_user_list(resp.text).rows
        return [
            r
            for r in rows
            if (email is None or norm(r.email) == norm(email))
            and (username is None or norm(r.username) == norm(username))
        ]

    async def is_phone_available(self, phone: str, *, refresh: bool = False) -> bool:
        """Whether no employee (active or not) has this phone (last 10 digits compared).

        The roster has no phone filter (§10.2), so this reads the whole roster.

        Args:
            phone: Any formatting.

        Returns:
            ``True`` when unused.
        """
        want = normalize_phone(phone)
        rows = await self._roster(active="all")
        return not any(digits(r.phone)[-10:] == want for r in rows)

    async def _resolve(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        prefer_active: bool = False,
    ) -> Target:
        if pos_user_id is not None:
            rows = await self._rows_by_pos_user_id(pos_user_id)
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
            form = await self._page("/user/create", what="user create form")
            options = [
                o
                for o in pages.parse_user_create(form.text).employees
                if norm(o.email) == norm(email)
            ]
            if not options:
                raise NotFoundError(
                    f"no employee with e-mail {email!r} (looked up in the /user/create list, "
                    "which may omit some employees)"
                )
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
        rows = await self._name_matches(first_name, last_name, "all")
        if prefer_active and len(rows) > 1:
            active_rows = [r for r in rows if r.is_active]
            if active_rows:
                rows = active_rows
        r = self._pick_one(rows, first_name, last_name, phone)
        return Target(r.employee_id, r.pos_user_id, r.first_name, r.last_name, row=r)

    async def _edit_page(
        self, employee_id: int, *, session: SessionHandle | None = None
    ) -> pages.EmployeeEditPage:
        resp = await self._page(
            f"/employee/edit/{employee_id}", session=session, what=f"employee {employee_id}"
        )
        return pages.parse_employee_edit(resp.text)

    async def _target_for_get(self, pos_user_id: int | None, email: str | None) -> Target:
        if (pos_user_id is None) == (email is None):
            raise InputValidationError(
                [FieldIssue("pos_user_id", "give exactly one of pos_user_id / email")]
            )
        return await self._resolve(pos_user_id=pos_user_id, email=email)

    def _profile_fields(self, edit: pages.EmployeeEditPage, tree: SiteTree) -> dict[str, Any]:
        selection = edit.available_sites
        return {
            "employee_id": edit.employee_id,
            "pos_user_id": edit.pos_user_id,
            "pos_pin": edit.pos_pin,
            "first_name": edit.first_name,
            "last_name": edit.last_name,
            "email": edit.email or None,
            "phone": digits(edit.phone) or None,
            "departments": tuple(edit.departments),
            "department_ids": tuple(edit.department_ids),
            "available_sites": "all" if selection == ALL else P.selection_names(tree, selection),
            "available_site_ids": selection,
            "start_date": edit.start_date,
            "adp_employee_id": edit.adp_employee_id or None,
            "emergency_contact_name": edit.emergency_contact_name or None,
            "emergency_contact_phone": digits(edit.emergency_contact_phone) or None,
            "is_active": edit.active,
        }

    async def get_employee_profile(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeeProfile:
        """The employee's edit page as a profile (2 requests by POS User ID, warm).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The profile (``pos_pin`` hidden in repr).
        """
        target = await self._target_for_get(pos_user_id, email)
        edit = await self._edit_page(target.employee_id)
        return EmployeeProfile(**self._profile_fields(edit, await self.get_site_tree()))

    @staticmethod
    def _wage(row: Any) -> WageRecord:
        return WageRecord(
            wage_type=row.wage_type,
            rate=row.rate,
            overtime_eligible=row.overtime_eligible,
            overtime_rate=row.overtime_rate,
            effective_date=row.effective_date,
            end_date=row.end_date,
            is_current=row.is_current,
        )

    async def _compensation(self, employee_id: int) -> EmployeeCompensation:
        resp = await self._page(f"/employee/compensation/{employee_id}", what="compensation page")
        history = tuple(self._wage(w) for w in pages.parse_compensation(resp.text).history)
        current = next((w for w in history if w.is_current), None)
        return EmployeeCompensation(current=current, history=history)

    async def get_employee_compensation(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeeCompensation:
        """Wage history (newest first) and the current record.

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The compensation.
        """
        target = await self._target_for_get(pos_user_id, email)
        return await self._compensation(target.employee_id)

    async def _permission(self, employee_id: int) -> EmployeePermission:
        resp = await self._page(
            f"/employee/permissions/{employee_id}", what="employee permissions page"
        )
        page = pages.parse_pos_permissions(resp.text)
        granted, overrides = frozenset(page.granted), frozenset(page.overrides)
        names = P.match_template_names(page.templates, granted, overrides)
        return EmployeePermission(
            template_name=names[0] if names else None,
            is_custom=not names and bool(granted),
            granted_permission_ids=granted,
            override_permission_ids=overrides,
            matching_templates=names,
        )

    async def get_employee_permission(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeePermission:
        """POS grants and the template they match (best effort: the server stores no
        template, §7.6).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The permission snapshot.
        """
        target = await self._target_for_get(pos_user_id, email)
        return await self._permission(target.employee_id)

    async def get_employee(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> Employee:
        """Profile, compensation and permission in one snapshot (4 requests, warm).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The employee.
        """
        target = await self._target_for_get(pos_user_id, email)
        tree = await self.get_site_tree()
        edit = await self._edit_page(target.employee_id)
        comp = await self._compensation(target.employee_id)
        perm = await self._permission(target.employee_id)
        return Employee(
            **self._profile_fields(edit, tree),
            current_wage=comp.current,
            wage_history=comp.history,
            permission=perm,
        )
