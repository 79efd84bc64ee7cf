"""Server-side truth of the simulated tenant: stored employees and Backoffice users.

Tests read this directly (``sb.state.employees[485].sites``) to assert what the server stored,
never what a client believes. Mutations happen only through :mod:`sonnys_async.sandbox.rules`
(the POST handlers) or the explicit test helpers :meth:`TenantState.add_employee` /
:meth:`TenantState.add_user`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from sonnys_async.domain import ALL, SiteSelection
from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.reference import BO_TEMPLATES, POS_TEMPLATES, Tenant
from sonnys_async.sandbox.roster import generate_roster

__all__ = ["StoredEmployee", "StoredUser", "StoredWage", "TenantState"]


@dataclass(slots=True)
class StoredWage:
    """One compensation record (§9.2)."""

    effective_date: date
    end_date: date | None
    is_hourly: bool
    rate: Decimal
    overtime_eligible: bool
    overtime_rate: Decimal | None
    site_id: int | None = None


@dataclass(slots=True)
class StoredEmployee:
    """An employee as the server stores it."""

    id: int
    first_name: str
    last_name: str
    phone: str
    email: str
    department_ids: list[int]
    start_date: date
    active: bool
    sites: SiteSelection
    pos_credential_id: int
    pos_user_id: int
    pos_pin: int = field(repr=False)
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    adp_employee_id: str = ""
    grants: frozenset[int] = frozenset()
    overrides: frozenset[int] = frozenset()
    wages: list[StoredWage] = field(default_factory=list)
    #: POS template id remembered from the last permissions save whose sets matched it.
    template_id: int | None = None
    #: When the employee was created or last (re)activated ("Employee is Active since").
    active_since: datetime = field(default_factory=lambda: datetime(2024, 1, 1, 12, 0, 0))

    @property
    def full_name(self) -> str:
        """``First Last``."""
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class StoredUser:
    """A Backoffice user as the server stores it."""

    id: int
    employee_id: int | None
    first_name: str
    last_name: str
    email: str
    username: str
    password: str = field(repr=False)
    is_deleted: bool = False
    sites: SiteSelection = frozenset()
    template_id: int | None = None
    tokens: frozenset[str] = frozenset()

    @property
    def full_name(self) -> str:
        """``First Last``."""
        return f"{self.first_name} {self.last_name}"


class TenantState:
    """All stored records of one tenant plus id allocation."""

    def __init__(self, tenant: Tenant, options: SandboxOptions) -> None:
        self.tenant = tenant
        self.options = options
        self.employees: dict[int, StoredEmployee] = {}
        self.users: dict[int, StoredUser] = {}
        emps, users = generate_roster(
            tenant,
            employees=options.employees,
            bo_users=options.bo_users,
            seed=options.seed,
            today=options.today_date(),
        )
        for r in emps:
            wages = [
                StoredWage(
                    eff,
                    None,
                    hourly,
                    rate,
                    ot,
                    (rate * Decimal("1.5")).quantize(Decimal("0.01")) if ot else None,
                    None,
                )
                for eff, hourly, rate, ot in r.wages
            ]
            for older, newer in pairwise(wages):
                older.end_date = newer.effective_date
            self.employees[r.id] = StoredEmployee(
                id=r.id,
                first_name=r.first_name,
                last_name=r.last_name,
                phone=r.phone,
                email=r.email,
                department_ids=list(r.department_ids),
                start_date=r.start_date,
                active=r.active,
                sites=ALL if isinstance(r.sites, str) else frozenset(r.sites),
                pos_credential_id=r.pos_credential_id,
                pos_user_id=r.pos_user_id,
                pos_pin=r.pos_pin,
                grants=r.grants,
                overrides=r.overrides,
                wages=wages,
                template_id=r.template_id,
                active_since=r.active_since,
            )
        for u in users:
            self.users[u.id] = StoredUser(
                id=u.id,
                employee_id=u.employee_id,
                first_name=u.first_name,
                last_name=u.last_name,
                email=u.email,
                username=u.username,
                password=u.password,
                is_deleted=u.is_deleted,
                sites=ALL if isinstance(u.sites, str) else frozenset(u.sites),
                template_id=u.template_id,
                tokens=u.tokens,
            )
        # The bot: standalone BO user, Administrator template, all sites (§3.5).
        bot_id = max(self.users, default=2_944_000) + 17
        self.bot = StoredUser(
            id=bot_id,
            employee_id=None,
            first_name="Automation",
            last_name="Bot",
            email="automation-bot@example.invalid",
            username=options.username,
            password=options.password,
            sites=ALL,
            template_id=1,
            tokens=frozenset(BO_TEMPLATES[0].tokens),
        )
        self.users[bot_id] = self.bot
        self._next_employee_id = max(self.employees, default=1) + 1
        self._next_credential_id = (
            max((e.pos_credential_id for e in self.employees.values()), default=0) + 1
        )
        self._next_user_id = bot_id + 1

    # --- lookups ----------------------------------------------------------------------------------
    def employee_by_pos_user_id(self, pos_user_id: int) -> StoredEmployee | None:
        """The employee (active or not) holding that POS User ID, if any."""
        for e in self.employees.values():
            if e.pos_user_id == pos_user_id:
                return e
        return None

    def user_by_username(self, username: str) -> StoredUser | None:
        """The BO user with that username (case-insensitive), if any."""
        low = username.lower()
        for u in self.users.values():
            if u.username.lower() == low:
                return u
        return None

    def users_of_employee(self, employee_id: int) -> list[StoredUser]:
        """BO users linked to an employee."""
        return [u for u in self.users.values() if u.employee_id == employee_id]

    def site_ids_of(self, selection: SiteSelection) -> frozenset[int]:
        """Concrete site ids of a stored selection (``"all"`` = every tenant site)."""
        if selection == ALL:
            return self.tenant.tree.site_ids
        assert not isinstance(selection, str)
        return selection

    def access_label(self, employee: StoredEmployee) -> str:
        """The employee list's Access cell (§7.6; rule chosen in docs/sandbox.md).

        ``None`` without grants; the remembered template's name when the stored grant and
        override sets equal that template's exactly; else the first template (option order)
        whose sets are equal; else ``Custom``.
        """
        if not employee.grants:
            return "None"
        key = (employee.grants, employee.overrides)
        if employee.template_id is not None:
            for t in POS_TEMPLATES:
                if t.id == employee.template_id and (t.grants, t.overrides) == key:
                    return t.name
        for t in POS_TEMPLATES:
            if (t.grants, t.overrides) == key:
                return t.name
        return "Custom"

    # --- allocation -------------------------------------------------------------------------------
    def allocate_employee_ids(self) -> tuple[int, int]:
        """Next (employee id, POS credential id); both sequential (§4)."""
        eid, cid = self._next_employee_id, self._next_credential_id
        self._next_employee_id += 1
        self._next_credential_id += 1
        return eid, cid

    def allocate_user_id(self) -> int:
        """Next BO user id (large integers, sequential here)."""
        uid = self._next_user_id
        self._next_user_id += 1
        return uid

    def next_ids(self) -> dict[str, int]:
        """The next employee, POS credential and BO user ids (what a saved tenant keeps)."""
        return {
            "employee": self._next_employee_id,
            "credential": self._next_credential_id,
            "user": self._next_user_id,
        }

    def set_next_ids(self, ids: dict[str, int]) -> None:
        """Continue allocating from saved ids (never below the stored records' largest)."""
        self._next_employee_id = max(ids["employee"], max(self.employees, default=1) + 1)
        credentials = (e.pos_credential_id for e in self.employees.values())
        self._next_credential_id = max(ids["credential"], max(credentials, default=0) + 1)
        self._next_user_id = max(ids["user"], max(self.users, default=0) + 1)

    # --- test helpers -----------------------------------------------------------------------------
    def add_employee(
        self,
        *,
        id: int | None = None,
        first_name: str = "Test",
        last_name: str = "Employee",
        phone: str = "",
        email: str = "",
        department_ids: list[int] | None = None,
        start_date: date | None = None,
        active: bool = True,
        sites: SiteSelection | set[int] = frozenset({17}),
        pos_credential_id: int | None = None,
        pos_user_id: int | None = None,
        pos_pin: int = 12345,
        grants: frozenset[int] = frozenset(),
        overrides: frozenset[int] = frozenset(),
        wages: list[StoredWage] | None = None,
    ) -> StoredEmployee:
        """Store an employee directly (for tests replaying captures with their ids).

        Args:
            id: the employee id; ``None`` allocates the next one. Later allocations continue
                after the largest id.
            first_name: first name. (Other args mirror :class:`StoredEmployee`.)
            last_name: last name.
            phone: phone as stored.
            email: e-mail.
            department_ids: departments (default Greeter).
            start_date: start date (default today).
            active: status.
            sites: a set of site ids or ``"all"``.
            pos_credential_id: POS credential id (default allocated).
            pos_user_id: POS User ID (default a free one from 90000).
            pos_pin: POS PIN.
            grants: POS grants.
            overrides: POS manager overrides.
            wages: wage history (default one hourly 15.00 record at the start date).

        Returns:
            The stored record.
        """
        alloc_id, alloc_cid = self.allocate_employee_ids()
        eid = alloc_id if id is None else id
        if eid in self.employees:
            raise ValueError(f"employee {eid} already exists")
        self._next_employee_id = max(self._next_employee_id, eid + 1)
        if pos_user_id is None:
            pos_user_id = 90000
            while self.employee_by_pos_user_id(pos_user_id) is not None:
                pos_user_id += 1
        start = start_date or self.options.today_date()
        sel: SiteSelection = ALL if sites == ALL else frozenset(sites)
        emp = StoredEmployee(
            id=eid,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            department_ids=list(department_ids or [3]),
            start_date=start,
            active=active,
            sites=sel,
            pos_credential_id=pos_credential_id if pos_credential_id is not None else alloc_cid,
            pos_user_id=pos_user_id,
            pos_pin=pos_pin,
            grants=frozenset(grants),
            overrides=frozenset(overrides),
            wages=wages
            if wages is not None
            else [StoredWage(start, None, True, Decimal("15.00"), False, None, None)],
        )
        self.employees[eid] = emp
        self._next_credential_id = max(self._next_credential_id, emp.pos_credential_id + 1)
        return emp

    def add_user(
        self,
        *,
        id: int | None = None,
        employee_id: int | None = None,
        first_name: str = "Test",
        last_name: str = "User",
        email: str = "",
        username: str = "testuser",
        password: str = "Password-123",
        is_deleted: bool = False,
        sites: SiteSelection | set[int] = frozenset(),
        template_id: int | None = None,
        tokens: frozenset[str] = frozenset(),
    ) -> StoredUser:
        """Store a BO user directly (for tests replaying captures with their ids).

        Args:
            id: the user id; ``None`` allocates the next one.
            employee_id: linked employee id, or ``None`` for a standalone user.
            first_name: first name. (Other args mirror :class:`StoredUser`.)
            last_name: last name.
            email: e-mail.
            username: username.
            password: password.
            is_deleted: deactivated flag.
            sites: accessible sites.
            template_id: last BO template.
            tokens: enabled permission tokens.

        Returns:
            The stored record.
        """
        uid = self.allocate_user_id() if id is None else id
        if uid in self.users:
            raise ValueError(f"user {uid} already exists")
        self._next_user_id = max(self._next_user_id, uid + 1)
        sel: SiteSelection = ALL if sites == ALL else frozenset(sites)
        user = StoredUser(
            id=uid,
            employee_id=employee_id,
            first_name=first_name,
            last_name=last_name,
            email=email,
            username=username,
            password=password,
            is_deleted=is_deleted,
            sites=sel,
            template_id=template_id,
            tokens=frozenset(tokens),
        )
        self.users[uid] = user
        return user
