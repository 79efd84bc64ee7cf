"""``AsyncBackofficeClient``: one awaitable call per user-management action, verified.

Every operation replays the Backoffice's own HTML forms over the :class:`~._transport.Transport`
seam (sessions, re-login, retries, limits) and parses pages with the pure core
(:mod:`sonnys_async.pages`, :mod:`sonnys_async.forms`, :mod:`sonnys_async.sites`). Rules:

* Everything a request needs (templates, departments, sites) is resolved **before** the first
  write; an unknown name raises :class:`~.errors.NotFoundError` listing the valid ones.
* Every write is read back unless ``verify=False``; a write the client cannot prove raises
  :class:`~.errors.WriteNotVerifiedError` whose ``partial`` says what was done.
* A form POST is never resent blindly. When the answer is lost
  (:class:`~._transport.AmbiguousWriteError`) the client reads server state to decide whether
  it was applied; only when even that fails does it raise :class:`~.errors.OutcomeUnknownError`.
* A bounced form (``?actionXfer=``) is followed on the same session to read the server's
  messages, which become :class:`~.errors.DuplicateError` or :class:`~.errors.FormRejectedError`.

Requests per operation with a warm discovery cache (login excluded):

=====================================================  ==========================================
``create_employee``                                    4: pre-flight, insert, permissions, verify
``disable_employee`` by POS User ID                    4: lookup, edit form, update, verify
``create_backoffice_user`` linked by POS User ID       4: lookup, insert, access, verify
``modify_employee``                                    1 lookup + 3 per touched form (GET, POST,
                                                       verify; the template needs no GET)
=====================================================  ==========================================
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, overload

import anyio

from . import pages, sites
from ._ops import payloads as P
from ._secrets import generate_backoffice_password, generate_pos_pin
from ._transport import AmbiguousWriteError, Limits, Response, RetryPolicy, SessionHandle, Transport
from .bulk import Bulk, run_each
from .domain import (
    ALL,
    BoTemplate,
    Department,
    PosPermission,
    PosTemplate,
    Site,
    SiteSelection,
    SiteTree,
)
from .errors import (
    AmbiguousMatchError,
    BackofficeError,
    DuplicateError,
    FieldIssue,
    FormRejectedError,
    InputValidationError,
    NotFoundError,
    OutcomeUnknownError,
    PageStructureError,
    TransportError,
    WriteNotVerifiedError,
)
from .journal import Journal
from .models import (
    ActiveFilter,
    BackofficeUserCreated,
    BackofficeUserDisabled,
    CreateBackofficeUserRequest,
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    Employee,
    EmployeeCompensation,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeModified,
    EmployeePermission,
    EmployeeProfile,
    EmployeeSummary,
    ModifyEmployeeRequest,
    WageRecord,
    default_overtime,
    normalize_phone,
)

__all__ = ["AsyncBackofficeClient"]

logger = logging.getLogger("sonnys_async")

T = TypeVar("T")

_TENANT_URL = "https://{}.sonnyscontrols.com"
#: Page size for roster reads. The server honours ``limit`` (§10.2); lookups by POS User ID
#: return one row, so a small page keeps the response small.
_LOOKUP_LIMIT = 25
_ROSTER_LIMIT = 1000


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _digits(text: str | None) -> str:
    return "".join(c for c in (text or "") if c.isdigit())


@dataclass(frozen=True, slots=True)
class _Target:
    """An employee resolved from a lookup key."""

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    row: pages.EmployeeRow | None = None
    email: str | None = None


class _NoEmployeeYet(NotFoundError):
    """The tenant has no employee whose permissions page could describe the templates."""


@dataclass(frozen=True, slots=True)
class _PosCatalogue:
    templates: tuple[PosTemplate, ...]
    permissions: tuple[PosPermission, ...]


@dataclass(frozen=True, slots=True)
class _BoCatalogue:
    templates: tuple[BoTemplate, ...]
    tokens: tuple[str, ...]


class AsyncBackofficeClient:
    """Async client for one Backoffice tenant.

    Use it as an async context manager (or call :meth:`aclose`). The login happens lazily on the
    first request and again, transparently, whenever the session expires. Discovery data (sites,
    departments, templates) is cached per client; pass ``refresh=True`` to re-read it.

    Args:
        base_url: The tenant URL; defaults to ``https://<subdomain>.sonnyscontrols.com``.
        subdomain: The tenant's subdomain (``washu``), used when ``base_url`` is not given.
        username: Bot account username.
        password: Bot account password (never logged).
        transport: An ``httpx.AsyncBaseTransport`` to use instead of the network (e.g.
            ``Sandbox().transport()``).
        sessions: Independent logins to spread requests over (PHP serialises per session).
        max_concurrency: Requests in flight at once.
        max_per_second: Request-rate cap (``None`` = none).
        timeout: Seconds for connect/read/write.
        retry: Retry policy for GETs (``RetryPolicy.no_wait()`` in tests).
        verify: TLS certificate verification (httpx's meaning). Read-back verification of
            writes is a per-call ``verify=`` argument, default on.
        user_agent: Overrides the library's User-Agent.

    Raises:
        InputValidationError: Neither ``base_url`` nor ``subdomain`` given.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        subdomain: str | None = None,
        username: str,
        password: str,
        transport: Any = None,
        sessions: int = 1,
        max_concurrency: int = 8,
        max_per_second: float | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        verify: bool = True,
        user_agent: str | None = None,
    ) -> None:
        if base_url is None:
            if not subdomain:
                raise InputValidationError([FieldIssue("subdomain", "give base_url or subdomain")])
            base_url = _TENANT_URL.format(subdomain.strip())
        self.base_url = base_url.rstrip("/")
        self._t = Transport(
            base_url=self.base_url,
            username=username,
            password=password,
            transport=transport,
            sessions=sessions,
            limits=Limits(max_concurrency=max_concurrency, max_per_second=max_per_second),
            timeout=timeout,
            retry=retry,
            user_agent=user_agent,
            verify=verify,
        )
        self._locks: dict[str, anyio.Lock] = {}
        self._create_page: pages.EmployeeCreatePage | None = None
        self._pos: _PosCatalogue | None = None
        self._bo: _BoCatalogue | None = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Self:
        """Build a client from ``SONNYS_BASE_URL`` or ``SONNYS_SUBDOMAIN``,
        ``SONNYS_BOT_USERNAME`` and ``SONNYS_BOT_PASSWORD``.

        Args:
            **overrides: Constructor arguments that win over the environment.

        Returns:
            A new client.

        Raises:
            InputValidationError: A required variable is missing (named in the issue).
        """
        env = os.environ
        kwargs: dict[str, Any] = {}
        if env.get("SONNYS_BASE_URL"):
            kwargs["base_url"] = env["SONNYS_BASE_URL"]
        elif env.get("SONNYS_SUBDOMAIN"):
            kwargs["subdomain"] = env["SONNYS_SUBDOMAIN"]
        if env.get("SONNYS_BOT_USERNAME"):
            kwargs["username"] = env["SONNYS_BOT_USERNAME"]
        if env.get("SONNYS_BOT_PASSWORD"):
            kwargs["password"] = env["SONNYS_BOT_PASSWORD"]
        kwargs.update(overrides)
        issues = []
        if "base_url" not in kwargs and "subdomain" not in kwargs:
            issues.append(FieldIssue("SONNYS_SUBDOMAIN", "set it (or SONNYS_BASE_URL)"))
        for key, var in (("username", "SONNYS_BOT_USERNAME"), ("password", "SONNYS_BOT_PASSWORD")):
            if not kwargs.get(key):
                issues.append(FieldIssue(var, "is not set"))
        if issues:
            raise InputValidationError(issues)
        return cls(**kwargs)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP sessions. Idempotent."""
        await self._t.aclose()

    async def login(self) -> None:
        """Log in now instead of lazily on the first request.

        Raises:
            AuthenticationError: The credentials were refused.
        """
        await self._t.login()

    @property
    def transport(self) -> Transport:
        """The HTTP seam (``.stats`` holds request counts per method and path)."""
        return self._t

    def __repr__(self) -> str:
        return f"AsyncBackofficeClient(base_url={self.base_url!r}, username={self._t.username!r})"

    # ================================================================ plumbing

    def _lock(self, name: str) -> anyio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = anyio.Lock()
        return lock

    async def _page(
        self,
        path: str,
        params: Sequence[tuple[str, str | int]] | None = None,
        *,
        session: SessionHandle | None = None,
        what: str = "page",
    ) -> Response:
        """GET a page that must answer 200; a 404 or a redirect away means "not found"."""
        resp = await self._t.get(path, params, session=session)
        if resp.status == 200:
            return resp
        if resp.status == 404:
            raise NotFoundError(f"{what} not found ({path})")
        if resp.is_redirect and resp.location:
            messages = await self._alerts(resp.location, resp.session)
            detail = f": {' | '.join(messages)}" if messages else ""
            raise NotFoundError(f"{what} not available ({path} -> {resp.location}){detail}")
        raise TransportError(f"unexpected HTTP {resp.status} for {path}", url=path, method="GET")

    async def _alerts(self, location: str, session: SessionHandle) -> tuple[str, ...]:
        """The error alerts of the page a POST bounced to (same session: flash, §2.4)."""
        try:
            resp = await self._t.get(location, session=session)
        except BackofficeError:
            return ()
        if resp.status != 200:
            return ()
        return tuple(m.strip() for m in pages.parse_alerts(resp.text).errors)

    async def _submit(
        self,
        path: str,
        pairs: Sequence[tuple[str, str]],
        *,
        what: str,
        ok: Callable[[str], bool],
        values: dict[str, str | int] | None = None,
    ) -> Response:
        """POST a form; return the response when its redirect means success.

        Raises:
            DuplicateError / FormRejectedError: The server bounced the form with messages.
            AmbiguousWriteError: The answer was lost (the caller settles it by reading).
        """
        resp = await self._t.post_form(path, pairs)
        loc = resp.location
        if resp.is_redirect and loc is not None:
            if "actionXfer=" in loc:
                messages = await self._alerts(loc, resp.session)
                raise P.rejection_error(what, loc, messages, values)
            if ok(loc):
                return resp
            messages = await self._alerts(loc, resp.session)
            raise FormRejectedError(
                f"{what}: unexpected redirect to {loc}", url=loc, messages=messages
            )
        errors = pages.parse_alerts(resp.text).errors if resp.status == 200 else ()
        raise FormRejectedError(
            f"{what}: unexpected HTTP {resp.status} from {path}", url=path, messages=errors
        )

    # ================================================================ discovery

    async def _employee_create_page(self, refresh: bool = False) -> pages.EmployeeCreatePage:
        # One GET /employee/create serves the site tree, departments and tenant shape (the
        # reference downloaded it twice, reference doc §2.3).
        async with self._lock("create_page"):
            if self._create_page is None or refresh:
                resp = await self._page("/employee/create", what="employee create form")
                self._create_page = pages.parse_employee_create(resp.text)
            return self._create_page

    async def get_site_tree(self, *, refresh: bool = False) -> SiteTree:
        """The tenant's regions, districts and sites (cached).

        Args:
            refresh: Re-read ``/employee/create`` instead of using the cache.

        Returns:
            The site tree; ``tree.hierarchical`` is false on a flat tenant.
        """
        return (await self._employee_create_page(refresh)).tree

    async def list_sites(self, *, refresh: bool = False) -> list[Site]:
        """Every site: id, long name, short code, district and region ids (cached).

        Args:
            refresh: Re-read the tenant instead of using the cache.

        Returns:
            Sites in tree order. Region and district names: :meth:`get_site_tree`.
        """
        return list((await self.get_site_tree(refresh=refresh)).sites)

    async def list_departments(self, *, refresh: bool = False) -> list[Department]:
        """Every employee department (cached; same page as the sites).

        Args:
            refresh: Re-read the tenant instead of using the cache.

        Returns:
            Departments in the form's order.
        """
        return list((await self._employee_create_page(refresh)).departments)

    async def _pos_catalogue(self, refresh: bool = False) -> _PosCatalogue:
        async with self._lock("pos"):
            if self._pos is None or refresh:
                # Any employee's permissions page carries every template and the whole
                # permission catalogue (§7.2, §18.3); one list row finds an employee.
                listing = await self._page(
                    "/employee", [("active", "all"), ("limit", 1)], what="employee list"
                )
                rows = pages.parse_employee_list(listing.text).rows
                if not rows:
                    raise _NoEmployeeYet(
                        "POS templates are read from an employee's permissions page, "
                        "and the tenant has no employee yet"
                    )
                self._pos = await self._read_pos_catalogue(rows[0].employee_id)
            return self._pos

    async def _read_pos_catalogue(self, employee_id: int) -> _PosCatalogue:
        resp = await self._page(
            f"/employee/permissions/{employee_id}", what="employee permissions page"
        )
        page = pages.parse_pos_permissions(resp.text)
        return _PosCatalogue(tuple(page.templates), tuple(page.permissions))

    async def _bo_catalogue(self, refresh: bool = False) -> _BoCatalogue:
        async with self._lock("bo"):
            if self._bo is None or refresh:
                listing = await self._page("/user", [("limit", 1)], what="user list")
                rows = pages.parse_user_list(listing.text).rows
                if not rows:
                    raise NotFoundError(
                        "the tenant lists no Backoffice user to read templates from"
                    )
                resp = await self._page(
                    f"/user/permissions/{rows[0].user_id}", what="user access page"
                )
                page = pages.parse_user_permissions(resp.text)
                self._bo = _BoCatalogue(tuple(page.templates), tuple(page.tokens))
            return self._bo

    async def list_pos_templates(self, *, refresh: bool = False) -> list[PosTemplate]:
        """POS permission templates with their grant and override sets (cached).

        Args:
            refresh: Re-read instead of using the cache.

        Returns:
            Templates in the page's order.
        """
        return list((await self._pos_catalogue(refresh)).templates)

    async def list_pos_permissions(self, *, refresh: bool = False) -> list[PosPermission]:
        """The POS permission catalogue (id, label, description), ascending id (cached)."""
        return list((await self._pos_catalogue(refresh)).permissions)

    async def list_backoffice_templates(self, *, refresh: bool = False) -> list[BoTemplate]:
        """Backoffice permission templates with their token sets (cached).

        Args:
            refresh: Re-read instead of using the cache.

        Returns:
            Templates in the access page's order.
        """
        return list((await self._bo_catalogue(refresh)).templates)

    @overload
    async def list_permissions(
        self, *, scope: Literal["pos"], refresh: bool = False
    ) -> list[PosTemplate]: ...
    @overload
    async def list_permissions(
        self, *, scope: Literal["backoffice"], refresh: bool = False
    ) -> list[BoTemplate]: ...
    async def list_permissions(
        self, *, scope: Literal["pos", "backoffice"], refresh: bool = False
    ) -> list[PosTemplate] | list[BoTemplate]:
        """The reference library's name for :meth:`list_pos_templates` /
        :meth:`list_backoffice_templates`.

        Args:
            scope: ``"pos"`` or ``"backoffice"``.
            refresh: Re-read instead of using the cache.

        Returns:
            The templates of that scope.
        """
        if scope == "pos":
            return await self.list_pos_templates(refresh=refresh)
        if scope == "backoffice":
            return await self.list_backoffice_templates(refresh=refresh)
        raise InputValidationError([FieldIssue("scope", 'must be "pos" or "backoffice"')])

    # ================================================================ roster reads

    async def _roster_page(self, params: list[tuple[str, str | int]], page: int = 1) -> Any:
        path = "/employee" if page == 1 else f"/employee/{page}"
        resp = await self._page(path, params, what="employee list")
        return pages.parse_employee_list(resp.text)

    async def _roster(
        self,
        *,
        active: ActiveFilter,
        first_name: str | None = None,
        last_name: str | None = None,
        pos_user_id: int | None = None,
        limit: int = _ROSTER_LIMIT,
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
        params += [("active", active), ("limit", limit)]
        rows: list[pages.EmployeeRow] = []
        page_no = 1
        while True:
            listing = await self._roster_page(params, page_no)
            rows.extend(listing.rows)
            pager = listing.pager
            if not pager.has_next or not listing.rows or page_no >= 10_000:
                return rows
            page_no += 1

    async def _rows_by_pos_user_id(self, pos_user_id: int) -> list[pages.EmployeeRow]:
        # The targeted search of §10.2 (exact, includes inactive holders): one small page
        # instead of a roster download.
        rows = await self._roster(active="all", pos_user_id=pos_user_id, limit=_LOOKUP_LIMIT)
        return [r for r in rows if r.pos_user_id == pos_user_id]

    @staticmethod
    def _summary(row: pages.EmployeeRow) -> EmployeeSummary:
        return EmployeeSummary(
            employee_id=row.employee_id,
            pos_user_id=row.pos_user_id,
            first_name=row.first_name,
            last_name=row.last_name,
            phone=_digits(row.phone) or None,
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
        f, l_ = _norm(first_name), _norm(last_name)
        return [r for r in rows if _norm(r.first_name) == f and _norm(r.last_name) == l_]

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
            want = _digits(phone)[-10:]
            narrowed = [r for r in rows if _digits(r.phone)[-10:] == want]
            if narrowed:
                rows = narrowed
        if len(rows) > 1:
            candidates = [
                {
                    "employee_id": r.employee_id,
                    "pos_user_id": r.pos_user_id,
                    "name": f"{r.first_name} {r.last_name}",
                    "phone": _digits(r.phone),
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
        want = _norm(email)
        form = await self._page("/user/create", what="user create form")
        options = pages.parse_user_create(form.text).employees
        if any(_norm(o.email) == want for o in options):
            return False
        return not await self._users_by(email=email)

    async def _users_by(
        self, *, email: str | None = None, username: str | None = None
    ) -> list[pages.UserRow]:
        params: list[tuple[str, str | int]] = []
        if email is not None:
            params.append(("emailSearch", email))
        if username is not None:
            params.append(("userNameSearch", username))
        params += [("statusSearch", "all"), ("limit", _ROSTER_LIMIT)]
        resp = await self._page("/user", params, what="user list")
        rows = pages.parse_user_list(resp.text).rows
        return [
            r
            for r in rows
            if (email is None or _norm(r.email) == _norm(email))
            and (username is None or _norm(r.username) == _norm(username))
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
        return not any(_digits(r.phone)[-10:] == want for r in rows)

    # ================================================================ employee resolution

    async def _resolve(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        prefer_active: bool = False,
    ) -> _Target:
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
            return _Target(r.employee_id, r.pos_user_id, r.first_name, r.last_name, row=r)
        if email is not None:
            form = await self._page("/user/create", what="user create form")
            options = [
                o
                for o in pages.parse_user_create(form.text).employees
                if _norm(o.email) == _norm(email)
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
            return _Target(o.employee_id, None, o.first_name, o.last_name, email=o.email)
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
        return _Target(r.employee_id, r.pos_user_id, r.first_name, r.last_name, row=r)

    # ================================================================ create_employee

    async def create_employee(
        self,
        *,
        first_name: str,
        last_name: str,
        phone: str,
        email: str,
        pos_user_id: int,
        wage_rate: Decimal | float | int | str,
        start_date: date | datetime,
        available_sites: Iterable[int | str] | Literal["all"] | str,
        permission: str,
        pos_pin: int | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        departments: Iterable[int | str] | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        requires_backoffice: bool = False,
        backoffice_username: str | None = None,
        backoffice_password: str | None = None,
        backoffice_permission: str | None = None,
        wage_site: int | str | None = None,
        verify: bool = True,
    ) -> EmployeeCreated:
        """Create an employee with POS access, optionally with a linked Backoffice login.

        Steps: resolve sites, departments, wage site and template(s) from the cache (an unknown
        name raises before anything is written); one targeted pre-flight search for the POS
        User ID; ``POST /employee/insert`` (new id from ``Location``); the template's full
        permission matrix; one read-back of the roster row (sites, departments, Access).
        With a warm cache that is 4 requests. With ``requires_backoffice`` the username is
        checked before any write, then the user is created, given its template and the
        employee's sites, and verified.

        ``departments`` defaults to ``["Greeter"]`` when omitted (the reference's default,
        kept for migrated scripts); an explicit list is used as given (the reference silently
        appended Greeter). Wages are hourly and overtime-eligible; overtime defaults to 1.5x
        the rate (cents rounded half-up); ``wage_site`` defaults to the first requested site.

        Args:
            first_name: 1-64 characters.
            last_name: 1-64 characters.
            phone: Any formatting; 10 digits.
            email: Unique among employees and Backoffice users.
            pos_user_id: Unique POS User ID (>= 1).
            wage_rate: Hourly rate.
            start_date: First day (a datetime's date part is used).
            available_sites: ``"all"`` or site ids, long names or short codes.
            permission: POS template name (case-insensitive).
            pos_pin: 5-digit PIN; generated with :mod:`secrets` when omitted.
            overtime_wage_rate: Defaults to 1.5 x ``wage_rate``.
            departments: Names or ids (case-insensitive).
            adp_employee_id: Optional ADP id.
            emergency_contact_name: Optional.
            emergency_contact_phone: Optional; 10 digits.
            requires_backoffice: Also create a linked Backoffice user.
            backoffice_username: Required with ``requires_backoffice``.
            backoffice_password: Generated (12 letters+digits) when omitted.
            backoffice_permission: Backoffice template; defaults to ``permission``'s name.
            wage_site: Site whose labour the wage is booked to; must be an available site.
            verify: Read the result back (default). ``False`` trusts the redirects.

        Returns:
            Ids, PIN, applied template, sites, departments, and the BO credentials if any.

        Raises:
            InputValidationError: Bad input (before any request).
            NotFoundError: Unknown site, department or template (before any write).
            DuplicateError: POS User ID, e-mail, phone or username taken.
            FormRejectedError: The server refused the insert (its messages attached).
            WriteNotVerifiedError: A step after the insert failed or did not read back;
                ``partial`` is an :class:`EmployeeCreated` with what exists.
            OutcomeUnknownError: The insert's answer was lost and state could not be read.
        """
        req = CreateEmployeeRequest(
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            pos_user_id=pos_user_id,
            wage_rate=wage_rate,
            start_date=start_date,
            available_sites=available_sites,
            permission=permission,
            pos_pin=pos_pin,
            overtime_wage_rate=overtime_wage_rate,
            departments=departments,
            adp_employee_id=adp_employee_id,
            emergency_contact_name=emergency_contact_name,
            emergency_contact_phone=emergency_contact_phone,
            requires_backoffice=requires_backoffice,
            backoffice_username=backoffice_username,
            backoffice_password=backoffice_password,
            backoffice_permission=backoffice_permission,
            wage_site=wage_site,
            verify=verify,
        )
        return await self.create_employee_from(req)

    async def create_employee_from(self, request: CreateEmployeeRequest) -> EmployeeCreated:
        """:meth:`create_employee` taking a validated :class:`CreateEmployeeRequest`.

        Args:
            request: The validated input.

        Returns:
            See :meth:`create_employee`.
        """
        req = request
        # ---- resolve everything before the first write
        create_page = await self._employee_create_page()
        tree = create_page.tree
        selection = sites.resolve(tree, req.available_sites)
        if selection != ALL and not selection:
            raise InputValidationError([FieldIssue("available_sites", "selects no site")])
        dep_request: Sequence[int | str] = req.departments or ("Greeter",)
        try:
            deps = P.resolve_departments(create_page.departments, dep_request)
        except NotFoundError as exc:
            if req.departments is None:
                raise InputValidationError(
                    [FieldIssue("departments", f"required on this tenant ({exc})")]
                ) from exc
            raise
        wage_site_id = self._wage_site(tree, selection, req.wage_site, req.available_sites)
        catalogue: _PosCatalogue | None
        try:
            catalogue = await self._pos_catalogue()
            template = P.resolve_pos_template(catalogue.templates, req.permission)
        except _NoEmployeeYet:
            # First employee of a tenant: check the name against the template list now, read
            # the grant sets from the new employee's own permissions page after the insert.
            listing = await self._page("/pos-permission-template/list", what="POS templates")
            stubs = [
                PosTemplate(r.id, r.name, frozenset())
                for r in pages.parse_pos_template_list(listing.text)
            ]
            template = P.resolve_pos_template(stubs, req.permission)
            catalogue = None
        bo_template: BoTemplate | None = None
        if req.requires_backoffice:
            bo = await self._bo_catalogue()
            bo_template = P.resolve_bo_template(
                bo.templates, req.backoffice_permission or req.permission
            )
            assert req.backoffice_username is not None  # model rule
            if await self._users_by(username=req.backoffice_username):
                raise DuplicateError(
                    f"Backoffice username {req.backoffice_username!r} is already in use",
                    field="username",
                    value=req.backoffice_username,
                )
        pin = req.pos_pin if req.pos_pin is not None else generate_pos_pin()
        overtime = req.effective_overtime_rate

        # ---- pre-flight: one targeted search (includes disabled holders, §4)
        if await self._rows_by_pos_user_id(req.pos_user_id):
            raise DuplicateError(
                f"POS User ID {req.pos_user_id} is already in use",
                field="pos_user_id",
                value=req.pos_user_id,
            )

        # ---- insert
        body = P.employee_insert_pairs(
            tree=tree,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
            email=req.email,
            start_date=req.start_date,
            pos_user_id=req.pos_user_id,
            pos_pin=pin,
            wage_rate=req.wage_rate,
            overtime_rate=overtime,
            wage_site_id=wage_site_id,
            departments=deps,
            selection=selection,
            adp_employee_id=req.adp_employee_id,
            emergency_contact_name=req.emergency_contact_name,
            emergency_contact_phone=req.emergency_contact_phone,
        )
        employee_id = await self._insert_employee(req, body)

        def result(**extra: Any) -> EmployeeCreated:
            fields: dict[str, Any] = {
                "employee_id": employee_id,
                "pos_user_id": req.pos_user_id,
                "pos_pin": pin,
                "first_name": req.first_name,
                "last_name": req.last_name,
                "email": req.email,
                "permission_applied": template.name,
                "sites_granted": P.selection_names(tree, selection),
                "site_ids": selection,
                "departments": tuple(d.name for d in deps),
                "wage_site": tree.site(wage_site_id).name,
                "wage_rate": req.wage_rate,
                "overtime_wage_rate": overtime,
            }
            fields.update(extra)
            return EmployeeCreated(**fields)

        # ---- POS permissions (full matrix, §7.5)
        try:
            if catalogue is None:
                catalogue = await self._read_pos_catalogue(employee_id)
                self._pos = catalogue
                template = P.resolve_pos_template(catalogue.templates, template.id)
            await self._apply_pos_template(employee_id, template, catalogue, verify=False)
        except BackofficeError as exc:
            partial = result(
                permission_applied="",
                verified=False,
                warnings=(f"employee created, POS template not applied: {exc}",),
            )
            raise WriteNotVerifiedError(
                f"employee {employee_id} was created but its POS template was not applied: {exc}",
                what="pos_template",
                expected=template.name,
                partial=partial,
            ) from exc

        # ---- read-back
        warnings: list[str] = []
        if req.verify:
            await self._verify_created(
                req, employee_id, tree, selection, deps, template, catalogue, result
            )

        created = result(warnings=tuple(warnings), verified=req.verify)
        logger.info(
            "created employee %d (POS User ID %d, template %r, verified=%s)",
            employee_id,
            req.pos_user_id,
            template.name,
            req.verify,
        )
        if not req.requires_backoffice:
            return created

        # ---- linked Backoffice user
        assert bo_template is not None
        assert req.backoffice_username is not None
        password = req.backoffice_password or generate_backoffice_password()
        try:
            user = await self._create_user(
                username=req.backoffice_username,
                password=password,
                email=req.email,
                employee_id=employee_id,
                first_name=None,
                last_name=None,
                selection=selection,
                template=bo_template,
                verify=req.verify,
                expected_name=(req.first_name, req.last_name),
            )
        except BackofficeError as exc:
            partial_user = getattr(exc, "partial", None)
            partial = result(
                backoffice_user_id=getattr(partial_user, "user_id", None),
                backoffice_username=req.backoffice_username,
                backoffice_password=password if partial_user is not None else None,
                verified=False,
                warnings=(f"employee created; Backoffice user step failed: {exc}",),
            )
            raise WriteNotVerifiedError(
                f"employee {employee_id} was created but its Backoffice user failed: {exc}",
                what="backoffice_user",
                partial=partial,
            ) from exc
        return result(
            backoffice_user_id=user.user_id,
            backoffice_username=user.username,
            backoffice_password=user.password,
            backoffice_permission_applied=user.permission_applied,
            verified=req.verify,
            warnings=tuple(warnings) + user.warnings,
        )

    @staticmethod
    def _wage_site(
        tree: SiteTree,
        selection: SiteSelection,
        wage_site: int | str | None,
        requested: Any,
    ) -> int:
        if wage_site is not None:
            chosen = sites.resolve(tree, [wage_site])
            assert chosen != ALL
            (site_id,) = tuple(chosen)
            if selection != ALL and site_id not in selection:
                raise InputValidationError(
                    [FieldIssue("wage_site", "must be one of the employee's available sites")]
                )
            return site_id
        if selection == ALL:
            return tree.sites[0].id
        first = sites.resolve(tree, [requested[0]])
        assert first != ALL
        return next(iter(first))

    async def _insert_employee(
        self, req: CreateEmployeeRequest, body: list[tuple[str, str]]
    ) -> int:
        values: dict[str, str | int] = {
            "pos_user_id": req.pos_user_id,
            "email": req.email,
            "phone": req.phone,
        }
        try:
            resp = await self._submit(
                "/employee/insert",
                body,
                what="employee insert",
                ok=lambda loc: loc.startswith("/employee/permissions/"),
                values=values,
            )
        except AmbiguousWriteError as exc:
            return await self._settle_insert(req, exc)
        assert resp.location is not None
        return _trailing_id(resp.location, "/employee/permissions/")

    async def _settle_insert(self, req: CreateEmployeeRequest, exc: AmbiguousWriteError) -> int:
        """The insert's answer was lost: read state by POS User ID (it was free a moment ago)."""
        try:
            rows = await self._rows_by_pos_user_id(req.pos_user_id)
        except BackofficeError as read_exc:
            raise OutcomeUnknownError(
                f"employee insert for POS User ID {req.pos_user_id}: the answer was lost and "
                f"the roster could not be read ({read_exc})",
                url="/employee/insert",
                partial={"pos_user_id": req.pos_user_id},
            ) from exc
        mine = [
            r
            for r in rows
            if _norm(r.first_name) == _norm(req.first_name)
            and _norm(r.last_name) == _norm(req.last_name)
        ]
        if len(mine) == 1:
            logger.info(
                "employee insert answer lost, but POS User ID %d now exists: treated as applied",
                req.pos_user_id,
            )
            return mine[0].employee_id
        if rows:
            raise OutcomeUnknownError(
                f"employee insert for POS User ID {req.pos_user_id}: the answer was lost and the "
                "ID now belongs to an employee with other names",
                url="/employee/insert",
            ) from exc
        raise TransportError(
            f"employee insert for POS User ID {req.pos_user_id} was not applied (connection lost "
            "before the server stored it); it is safe to try again",
            url="/employee/insert",
            method="POST",
        ) from exc

    async def _apply_pos_template(
        self,
        employee_id: int,
        template: PosTemplate,
        catalogue: _PosCatalogue,
        *,
        verify: bool,
    ) -> None:
        body = P.pos_matrix_pairs(employee_id, template, catalogue.permissions)
        try:
            await self._submit(
                "/employee/permissions/update",
                body,
                what="POS permissions",
                ok=lambda loc: loc.rstrip("/") == "/employee" or loc.startswith("/employee?"),
            )
        except AmbiguousWriteError:
            # The matrix is a full replacement, so after reading that it is *not* stored,
            # sending it once more cannot double anything.
            if await self._pos_grants_match(employee_id, template):
                return
            await self._submit(
                "/employee/permissions/update",
                body,
                what="POS permissions",
                ok=lambda loc: loc.rstrip("/") == "/employee" or loc.startswith("/employee?"),
            )
        if verify and not await self._pos_grants_match(employee_id, template):
            raise WriteNotVerifiedError(
                f"employee {employee_id}: POS grants do not match template {template.name!r}",
                what="pos_template",
                expected=template.name,
            )

    async def _pos_grants_match(self, employee_id: int, template: PosTemplate) -> bool:
        resp = await self._page(
            f"/employee/permissions/{employee_id}", what="employee permissions page"
        )
        page = pages.parse_pos_permissions(resp.text)
        return page.granted == template.grants and page.overrides == template.overrides

    async def _verify_created(
        self,
        req: CreateEmployeeRequest,
        employee_id: int,
        tree: SiteTree,
        selection: SiteSelection,
        deps: Sequence[Department],
        template: PosTemplate,
        catalogue: _PosCatalogue,
        result: Callable[..., EmployeeCreated],
    ) -> None:
        """One roster row proves names, activity, sites (codes), departments and Access."""

        def fail(what: str, expected: object, actual: object) -> WriteNotVerifiedError:
            return WriteNotVerifiedError(
                f"employee {employee_id} created, but {what} reads back as {actual!r} "
                f"instead of {expected!r}",
                what=what,
                expected=expected,
                actual=actual,
                partial=result(verified=False),
            )

        try:
            rows = await self._rows_by_pos_user_id(req.pos_user_id)
        except BackofficeError as exc:
            raise WriteNotVerifiedError(
                f"employee {employee_id} created, but the read-back failed: {exc}",
                what="read_back",
                partial=result(verified=False),
            ) from exc
        rows = [r for r in rows if r.employee_id == employee_id]
        if len(rows) != 1:
            # Employees without an available site are not listed (§10.3).
            raise fail("roster row", employee_id, [r.employee_id for r in rows])
        row = rows[0]
        if (_norm(row.first_name), _norm(row.last_name)) != (
            _norm(req.first_name),
            _norm(req.last_name),
        ):
            raise fail(
                "name", f"{req.first_name} {req.last_name}", f"{row.first_name} {row.last_name}"
            )
        if not row.is_active:
            raise fail("status", "active", "inactive")
        want_codes = P.selection_codes(tree, selection)
        if want_codes is not None:
            got_codes = frozenset(c.casefold() for c in row.site_codes)
            if got_codes != want_codes:
                raise fail("sites", sorted(want_codes), sorted(got_codes))
        else:
            edit = pages.parse_employee_edit(
                (await self._page(f"/employee/edit/{employee_id}", what="employee")).text
            )
            if not _same_sites(tree, edit.available_sites, selection):
                raise fail("sites", selection, edit.available_sites)
        want_deps = {_norm(d.name) for d in deps}
        got_deps = {_norm(d) for d in row.departments}
        if want_deps != got_deps:
            raise fail("departments", sorted(want_deps), sorted(got_deps))
        # Access shows the applied template's name; several templates may share one grant set,
        # and a server could show "Custom": then the grants themselves decide.
        equal_names = {
            _norm(n)
            for n in P.match_template_names(
                catalogue.templates, template.grants, template.overrides
            )
        }
        if _norm(row.access) not in equal_names | {
            _norm(template.name)
        } and not await self._pos_grants_match(employee_id, template):
            raise fail("pos_template", template.name, row.access)

    # ================================================================ disable_employee

    async def disable_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        disable_backoffice_user: bool = False,
        verify: bool = True,
    ) -> EmployeeDisabled:
        """Deactivate an employee: the whole edit form re-posted without ``employee[isActive]``.

        The employee keeps its sites, POS credentials and history (§8.2); its POS User ID stays
        reserved. Disabling an employee who is already inactive sends nothing and returns
        ``was_already_inactive=True``. By POS User ID this costs 4 requests (lookup, edit form,
        update, read-back).

        ``disable_backoffice_user=True`` also deactivates the Backoffice login linked to the
        employee by re-posting its edit form with ``user[isDeleted]`` checked. That this flag
        means "deactivated, cannot log in" is **inferred** from the form's label ("User is
        active? No", protocol §14); it was never exercised on a real tenant.

        Args:
            pos_user_id: Look up by POS User ID (cheapest).
            email: Look up by e-mail (via ``/user/create``'s employee list).
            first_name: Look up by name (with ``last_name``; ``phone`` breaks ties; an active
                match is preferred over inactive namesakes).
            last_name: See ``first_name``.
            phone: Tiebreak for a name lookup.
            disable_backoffice_user: Also deactivate the linked Backoffice user(s).
            verify: Read back the edit page (default).

        Returns:
            The employee, when, and any Backoffice users deactivated.

        Raises:
            NotFoundError / AmbiguousMatchError: The lookup did not find exactly one employee.
            FormRejectedError: The server refused the update.
            WriteNotVerifiedError: The employee still reads as active (or other fields moved).
        """
        req = DisableEmployeeRequest(
            pos_user_id=pos_user_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            disable_backoffice_user=disable_backoffice_user,
            verify=verify,
        )
        return await self.disable_employee_from(req)

    async def disable_employee_from(self, request: DisableEmployeeRequest) -> EmployeeDisabled:
        """:meth:`disable_employee` taking a validated :class:`DisableEmployeeRequest`."""
        req = request
        target = await self._resolve(
            pos_user_id=req.pos_user_id,
            email=req.email,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
            prefer_active=True,
        )
        edit = await self._edit_page(target.employee_id)
        already = not edit.active
        if not already:
            data = edit.form.replay()
            data.remove("employee[isActive]")
            await self._post_employee_update(
                target.employee_id,
                data.pairs(),
                expect_active=False,
                verify=req.verify,
                before=edit,
            )
        logger.info(
            "employee %d %s",
            target.employee_id,
            "was already inactive" if already else "disabled",
        )
        disabled_users: list[int] = []
        warnings: list[str] = []
        if req.disable_backoffice_user:
            for user_id in await self._linked_user_ids(target.employee_id, edit):
                result = await self._disable_user(user_id, verify=req.verify)
                if not result.was_already_inactive:
                    disabled_users.append(user_id)
            if not disabled_users:
                warnings.append("no active Backoffice user linked to this employee was found")
        return EmployeeDisabled(
            employee_id=target.employee_id,
            pos_user_id=edit.pos_user_id,
            first_name=edit.first_name,
            last_name=edit.last_name,
            email=edit.email or None,
            disabled_at=datetime.now(UTC),
            was_already_inactive=already,
            backoffice_user_ids_disabled=tuple(disabled_users),
            verified=req.verify,
            warnings=tuple(warnings),
        )

    async def _edit_page(self, employee_id: int) -> pages.EmployeeEditPage:
        resp = await self._page(f"/employee/edit/{employee_id}", what=f"employee {employee_id}")
        return pages.parse_employee_edit(resp.text)

    async def _post_employee_update(
        self,
        employee_id: int,
        pairs: list[tuple[str, str]],
        *,
        expect_active: bool,
        verify: bool,
        before: pages.EmployeeEditPage,
        check: Callable[[pages.EmployeeEditPage], list[tuple[str, object, object]]] | None = None,
    ) -> pages.EmployeeEditPage | None:
        """POST ``/employee/update`` and (optionally) read the edit page back.

        ``check`` returns ``(what, expected, actual)`` mismatches of the fields that should
        have changed; unchanged fields (names, sites, departments) are compared with ``before``
        unless ``check`` owns them.
        """

        def is_ok(loc: str) -> bool:
            return loc.rstrip("/") == "/employee" or loc.startswith("/employee?")

        try:
            await self._submit("/employee/update", pairs, what="employee update", ok=is_ok)
        except AmbiguousWriteError as exc:
            # Settle by reading: a full-form update is idempotent, so if the page shows it was
            # not applied, sending it once more is safe.
            after = await self._edit_page(employee_id)
            if not self._update_problems(after, before, expect_active, check):
                return after
            logger.info("employee %d update answer lost and not applied; resending", employee_id)
            try:
                await self._submit("/employee/update", pairs, what="employee update", ok=is_ok)
            except AmbiguousWriteError:
                raise OutcomeUnknownError(
                    f"employee {employee_id} update: the answer was lost twice",
                    url="/employee/update",
                ) from exc
        if not verify:
            return None
        after = await self._edit_page(employee_id)
        problems = self._update_problems(after, before, expect_active, check)
        if problems:
            what, expected, actual = problems[0]
            raise WriteNotVerifiedError(
                f"employee {employee_id}: {what} reads back as {actual!r}, expected {expected!r}",
                what=what,
                expected=expected,
                actual=actual,
                partial={"employee_id": employee_id},
            )
        return after

    @staticmethod
    def _update_problems(
        after: pages.EmployeeEditPage,
        before: pages.EmployeeEditPage,
        expect_active: bool,
        check: Callable[[pages.EmployeeEditPage], list[tuple[str, object, object]]] | None,
    ) -> list[tuple[str, object, object]]:
        problems: list[tuple[str, object, object]] = []
        if after.active != expect_active:
            problems.append(
                (
                    "status",
                    "active" if expect_active else "inactive",
                    "active" if after.active else "inactive",
                )
            )
        if check is not None:
            problems += check(after)
            return problems
        if (after.first_name, after.last_name) != (before.first_name, before.last_name):
            problems.append(("name", before.first_name, after.first_name))
        if after.available_sites != before.available_sites:
            problems.append(("sites", before.available_sites, after.available_sites))
        if set(after.department_ids) != set(before.department_ids):
            problems.append(("departments", before.department_ids, after.department_ids))
        return problems

    # ================================================================ Backoffice users

    async def _linked_user_ids(self, employee_id: int, edit: pages.EmployeeEditPage) -> list[int]:
        """Backoffice users linked to an employee: candidates by e-mail (or name), confirmed
        on each user's edit page (``user[employeeId]``, §14)."""
        if edit.email:
            candidates = await self._users_by(email=edit.email)
        else:
            params: list[tuple[str, str | int]] = [
                ("firstNameSearch", edit.first_name),
                ("lastNameSearch", edit.last_name),
                ("statusSearch", "all"),
                ("limit", _ROSTER_LIMIT),
            ]
            resp = await self._page("/user", params, what="user list")
            candidates = list(pages.parse_user_list(resp.text).rows)
        linked: list[int] = []
        for row in candidates:
            user_edit = await self._user_edit_page(row.user_id)
            if user_edit.employee_id == employee_id:
                linked.append(row.user_id)
        return linked

    async def _user_edit_page(self, user_id: int) -> pages.UserEditPage:
        resp = await self._page(f"/user/edit/{user_id}", what=f"Backoffice user {user_id}")
        return pages.parse_user_edit(resp.text)

    async def disable_backoffice_user(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        verify: bool = True,
    ) -> BackofficeUserDisabled:
        """Deactivate a Backoffice login (``user[isDeleted]`` checked on its edit form).

        The meaning of ``user[isDeleted]`` ("User is active? No") is **inferred** from the
        form's labels (protocol §14); the sandbox treats it as "cannot log in".

        Args:
            user_id: The user's id.
            username: Or its username (exact, case-insensitive).
            verify: Read the edit page back.

        Returns:
            What was done.

        Raises:
            NotFoundError: No such user.
            WriteNotVerifiedError: The user still reads as active.
        """
        if (user_id is None) == (username is None):
            raise InputValidationError([FieldIssue("user_id", "give user_id or username")])
        if user_id is None:
            assert username is not None
            rows = await self._users_by(username=username)
            if not rows:
                raise NotFoundError(f"no Backoffice user named {username!r}")
            user_id = rows[0].user_id
        return await self._disable_user(user_id, verify=verify)

    async def _disable_user(self, user_id: int, *, verify: bool) -> BackofficeUserDisabled:
        edit = await self._user_edit_page(user_id)
        if edit.is_deleted:
            return BackofficeUserDisabled(
                user_id=user_id, username=edit.username, was_already_inactive=True, verified=True
            )
        data = edit.form.replay()
        data.check("user[isDeleted]", "1")
        try:
            await self._submit(
                "/user/update",
                data.pairs(),
                what="Backoffice user update",
                ok=lambda loc: loc.startswith("/user"),
            )
        except AmbiguousWriteError as exc:
            if not (await self._user_edit_page(user_id)).is_deleted:
                raise OutcomeUnknownError(
                    f"Backoffice user {user_id} update: the answer was lost and it is still active",
                    url="/user/update",
                ) from exc
        if verify and not (await self._user_edit_page(user_id)).is_deleted:
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id} still reads as active",
                what="user_status",
                expected="inactive",
                actual="active",
            )
        logger.info("Backoffice user %d deactivated", user_id)
        return BackofficeUserDisabled(user_id=user_id, username=edit.username, verified=verify)

    async def create_backoffice_user(
        self,
        *,
        username: str,
        permission: str,
        email: str | None = None,
        password: str | None = None,
        link_to_employee_pos_user_id: int | str | None = None,
        link_to_employee_email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        verify: bool = True,
    ) -> BackofficeUserCreated:
        """Create a Backoffice login and give it a template and accessible sites.

        Linked (``link_to_employee_pos_user_id`` or ``link_to_employee_email``): the employee
        must be active. Standalone: ``first_name``, ``last_name`` and ``email``. Unlike the
        reference library, the template is applied, together with accessible sites (the
        access form refuses zero sites, §13.4): by default the linked employee's own sites, or
        every site for a standalone user (the reference's ``"all"`` default). Linked by POS
        User ID with ``email`` given, this costs 4 requests with a warm cache.

        Args:
            username: ``^[A-Za-z]\\w{2,63}$``.
            permission: Backoffice template name (case-insensitive).
            email: Required standalone; linked it defaults to the employee's e-mail.
            password: At least 8 letters/digits; generated (12) when omitted.
            link_to_employee_pos_user_id: Link by POS User ID.
            link_to_employee_email: Link by the employee's e-mail.
            first_name: Standalone user's first name (2-64).
            last_name: Standalone user's last name (2-64).
            available_sites: ``"all"`` or sites; see above for the default.
            verify: Read the access page back.

        Returns:
            The user id, username, password (shown once), template and sites.

        Raises:
            NotFoundError: Unknown template, site or employee (before any write).
            InputValidationError: The linked employee is inactive.
            DuplicateError: Username or e-mail taken.
            WriteNotVerifiedError: The user exists but its access could not be set or
                proven; ``partial`` is a :class:`BackofficeUserCreated`.
        """
        req = CreateBackofficeUserRequest(
            username=username,
            permission=permission,
            email=email,
            password=password,
            link_to_employee_pos_user_id=link_to_employee_pos_user_id,
            link_to_employee_email=link_to_employee_email,
            first_name=first_name,
            last_name=last_name,
            available_sites=available_sites,
            verify=verify,
        )
        return await self.create_backoffice_user_from(req)

    async def create_backoffice_user_from(
        self, request: CreateBackofficeUserRequest
    ) -> BackofficeUserCreated:
        """:meth:`create_backoffice_user` taking a validated request."""
        req = request
        tree = await self.get_site_tree()
        bo = await self._bo_catalogue()
        template = P.resolve_bo_template(bo.templates, req.permission)
        requested = sites.resolve(tree, req.available_sites) if req.available_sites else None
        employee_id: int | None = None
        email = req.email
        expected_name: tuple[str, str] | None = None
        if req.linked:
            if req.link_to_employee_pos_user_id is not None:
                target = await self._resolve(pos_user_id=req.link_to_employee_pos_user_id)
                row = target.row
                assert row is not None
                if not row.is_active:
                    raise InputValidationError(
                        [
                            FieldIssue(
                                "link_to_employee_pos_user_id",
                                "the employee is inactive; reactivate it first",
                            )
                        ]
                    )
                if requested is None:
                    requested = self._sites_from_codes(tree, row.site_codes)
                if email is None:
                    email = await self._employee_email(target.employee_id)
            else:
                assert req.link_to_employee_email is not None
                target = await self._resolve(email=req.link_to_employee_email)
                email = email or target.email or req.link_to_employee_email
                if requested is None:
                    edit = await self._edit_page(target.employee_id)
                    if not edit.active:
                        raise InputValidationError(
                            [
                                FieldIssue(
                                    "link_to_employee_email",
                                    "the employee is inactive; reactivate it first",
                                )
                            ]
                        )
                    requested = edit.available_sites
            employee_id = target.employee_id
            expected_name = (target.first_name, target.last_name)
        elif requested is None:
            requested = ALL
        if requested != ALL and not requested:
            raise InputValidationError(
                [FieldIssue("available_sites", "a Backoffice user needs at least one site")]
            )
        if not email:
            raise InputValidationError(
                [FieldIssue("email", "the employee has no e-mail; give one")]
            )
        return await self._create_user(
            username=req.username,
            password=req.password or generate_backoffice_password(),
            email=email,
            employee_id=employee_id,
            first_name=req.first_name,
            last_name=req.last_name,
            selection=requested,
            template=template,
            verify=req.verify,
            expected_name=expected_name,
        )

    @staticmethod
    def _sites_from_codes(tree: SiteTree, codes: Iterable[str]) -> SiteSelection:
        by_code = {(s.code or "").casefold(): s.id for s in tree.sites}
        ids = frozenset(by_code[c.casefold()] for c in codes if c.casefold() in by_code)
        return ALL if ids == tree.site_ids else ids

    async def _employee_email(self, employee_id: int) -> str | None:
        form = await self._page("/user/create", what="user create form")
        for option in pages.parse_user_create(form.text).employees:
            if option.employee_id == employee_id and option.email:
                return option.email
        return (await self._edit_page(employee_id)).email or None

    async def _create_user(
        self,
        *,
        username: str,
        password: str,
        email: str,
        employee_id: int | None,
        first_name: str | None,
        last_name: str | None,
        selection: SiteSelection,
        template: BoTemplate,
        verify: bool,
        expected_name: tuple[str, str] | None,
    ) -> BackofficeUserCreated:
        tree = await self.get_site_tree()
        bo = await self._bo_catalogue()
        body = P.user_insert_pairs(
            username=username,
            password=password,
            email=email,
            employee_id=employee_id,
            first_name=first_name,
            last_name=last_name,
        )
        try:
            resp = await self._submit(
                "/user/insert",
                body,
                what="Backoffice user insert",
                ok=lambda loc: loc.startswith("/user/permissions/"),
                values={"username": username, "email": email},
            )
            assert resp.location is not None
            user_id = _trailing_id(resp.location, "/user/permissions/")
        except AmbiguousWriteError as exc:
            user_id = await self._settle_user_insert(username, exc)

        def result(**extra: Any) -> BackofficeUserCreated:
            fields: dict[str, Any] = {
                "user_id": user_id,
                "username": username,
                "password": password,
                "email": email,
                "linked_employee_id": employee_id,
                "permission_applied": template.name,
                "sites_granted": P.selection_names(tree, selection),
                "site_ids": selection,
                "verified": verify,
            }
            fields.update(extra)
            return BackofficeUserCreated(**fields)

        access = P.backoffice_access_pairs(
            user_id=user_id, tree=tree, selection=selection, template=template, tokens=bo.tokens
        )
        try:
            try:
                await self._submit(
                    "/user/permissions/update",
                    access,
                    what="Backoffice access",
                    ok=lambda loc: loc.rstrip("/") == "/user" or loc.startswith("/user?"),
                )
            except AmbiguousWriteError:
                # A full replacement: resend only after reading that it is not stored.
                if not await self._access_matches(user_id, tree, selection, template):
                    await self._submit(
                        "/user/permissions/update",
                        access,
                        what="Backoffice access",
                        ok=lambda loc: loc.rstrip("/") == "/user" or loc.startswith("/user?"),
                    )
        except BackofficeError as exc:
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id} was created, but its access was not set: {exc}",
                what="backoffice_access",
                expected=template.name,
                partial=result(permission_applied=None, sites_granted=(), verified=False),
            ) from exc
        if verify and not await self._access_matches(user_id, tree, selection, template):
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id}: access does not read back as {template.name!r}",
                what="backoffice_access",
                expected=template.name,
                partial=result(verified=False),
            )
        logger.info(
            "created Backoffice user %d (%r, template %r, linked employee %s)",
            user_id,
            username,
            template.name,
            employee_id,
        )
        return result()

    async def _access_matches(
        self, user_id: int, tree: SiteTree, selection: SiteSelection, template: BoTemplate
    ) -> bool:
        resp = await self._page(f"/user/permissions/{user_id}", what="user access page")
        page = pages.parse_user_permissions(resp.text)
        want = set(template.tokens) & set(page.tokens)
        return set(page.enabled) == want and _same_sites(tree, page.accessible_sites, selection)

    async def _settle_user_insert(self, username: str, exc: AmbiguousWriteError) -> int:
        try:
            rows = await self._users_by(username=username)
        except BackofficeError as read_exc:
            raise OutcomeUnknownError(
                f"Backoffice user insert {username!r}: answer lost and the user list could not "
                f"be read ({read_exc})",
                url="/user/insert",
            ) from exc
        if rows:
            return rows[0].user_id
        raise TransportError(
            f"Backoffice user insert {username!r} was not applied; it is safe to try again",
            url="/user/insert",
            method="POST",
        ) from exc

    # ================================================================ modify_employee

    async def modify_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        new_first_name: str | None = None,
        new_last_name: str | None = None,
        new_phone: str | None = None,
        new_email: str | None = None,
        departments: Iterable[int | str] | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        wage_rate: Decimal | float | int | str | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        wage_effective_date: date | datetime | None = None,
        wage_site: int | str | None = None,
        permission: str | None = None,
        activate: bool | None = None,
        verify: bool = True,
    ) -> EmployeeModified:
        """Change an employee; only the forms a change touches are submitted, each verified.

        Properties (names, phone, e-mail, departments, sites, emergency contact, ADP id,
        ``activate``) go through the edit form; a wage change adds a wage record (effective
        ``wage_effective_date``, default today, clamped up to the day after the latest record
        with a warning, §9.1); ``permission`` applies a POS template's full matrix.
        ``overtime_wage_rate`` alone adds a record keeping the current regular rate (the
        reference silently did nothing). The reference's ``new_email`` is kept; use
        ``new_first_name`` / ``new_last_name`` / ``new_phone`` to change those, because
        ``first_name`` / ``last_name`` / ``phone`` identify the employee.

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.
            first_name: Lookup by name (with ``last_name``; ``phone`` breaks ties).
            last_name: See ``first_name``.
            phone: Tiebreak of a name lookup.
            new_first_name: New first name.
            new_last_name: New last name.
            new_phone: New phone.
            new_email: New e-mail.
            departments: Replace the departments.
            available_sites: Replace the available sites.
            adp_employee_id: New ADP id (``""`` clears it).
            emergency_contact_name: New value (``""`` clears it).
            emergency_contact_phone: New value (``""`` clears it).
            wage_rate: New hourly rate.
            overtime_wage_rate: New overtime rate (default 1.5 x rate when eligible).
            wage_effective_date: When the new wage starts.
            wage_site: Labour site of the new wage (an available site).
            permission: POS template name.
            activate: ``True`` reactivates, ``False`` deactivates.
            verify: Read each change back.

        Returns:
            Which parts were applied, and warnings.

        Raises:
            NotFoundError: Unknown employee, template, site or department (before any write).
            FormRejectedError / DuplicateError: The server refused a form.
            WriteNotVerifiedError: A change did not read back; ``partial`` lists applied parts.
        """
        req = ModifyEmployeeRequest(
            pos_user_id=pos_user_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            new_first_name=new_first_name,
            new_last_name=new_last_name,
            new_phone=new_phone,
            new_email=new_email,
            departments=departments,
            available_sites=available_sites,
            adp_employee_id=adp_employee_id,
            emergency_contact_name=emergency_contact_name,
            emergency_contact_phone=emergency_contact_phone,
            wage_rate=wage_rate,
            overtime_wage_rate=overtime_wage_rate,
            wage_effective_date=wage_effective_date,
            wage_site=wage_site,
            permission=permission,
            activate=activate,
            verify=verify,
        )
        return await self.modify_employee_from(req)

    async def modify_employee_from(self, request: ModifyEmployeeRequest) -> EmployeeModified:
        """:meth:`modify_employee` taking a validated :class:`ModifyEmployeeRequest`."""
        req = request
        # ---- resolve names before any write
        tree: SiteTree | None = None
        selection: SiteSelection | None = None
        deps: tuple[Department, ...] | None = None
        if req.available_sites is not None or req.departments is not None or req.wage_site:
            create_page = await self._employee_create_page()
            tree = create_page.tree
            if req.available_sites is not None:
                selection = sites.resolve(tree, req.available_sites)
            if req.departments is not None:
                deps = P.resolve_departments(create_page.departments, req.departments)
        template: PosTemplate | None = None
        catalogue: _PosCatalogue | None = None
        if req.permission is not None:
            catalogue = await self._pos_catalogue()
            template = P.resolve_pos_template(catalogue.templates, req.permission)

        target = await self._resolve(
            pos_user_id=req.pos_user_id,
            email=req.email,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
        )
        employee_id = target.employee_id
        applied: list[str] = []
        warnings: list[str] = []

        def partial_error(exc: BackofficeError, what: str) -> WriteNotVerifiedError:
            return WriteNotVerifiedError(
                f"employee {employee_id}: {what} failed after {applied or 'nothing'} "
                f"was applied: {exc}",
                what=what,
                partial=EmployeeModified(
                    employee_id=employee_id,
                    pos_user_id=target.pos_user_id,
                    changes_applied=tuple(applied),
                    verified=False,
                    warnings=tuple(warnings),
                ),
            )

        # ---- properties
        if req.changes_properties:
            try:
                await self._modify_properties(employee_id, req, tree, selection, deps)
            except (WriteNotVerifiedError, OutcomeUnknownError):
                raise
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "properties") from exc
                raise
            if req.activate is True:
                applied.append("activated")
            elif req.activate is False:
                applied.append("deactivated")
            if any(
                getattr(req, n) is not None
                for n in (
                    "new_first_name",
                    "new_last_name",
                    "new_phone",
                    "new_email",
                    "departments",
                    "available_sites",
                    "adp_employee_id",
                    "emergency_contact_name",
                    "emergency_contact_phone",
                )
            ):
                applied.insert(0, "properties")

        # ---- compensation
        wage: tuple[Decimal, Decimal | None, date] | None = None
        if req.changes_compensation:
            try:
                wage = await self._modify_compensation(employee_id, req, warnings)
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "compensation") from exc
                raise
            applied.append("compensation")

        # ---- POS template
        if template is not None and catalogue is not None:
            try:
                await self._apply_pos_template(employee_id, template, catalogue, verify=req.verify)
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "permission") from exc
                raise
            applied.append("permission")

        logger.info("employee %d modified: %s", employee_id, ", ".join(applied))
        return EmployeeModified(
            employee_id=employee_id,
            pos_user_id=target.pos_user_id,
            changes_applied=tuple(applied),
            permission_applied=template.name if template is not None else None,
            wage_rate=wage[0] if wage else None,
            overtime_wage_rate=wage[1] if wage else None,
            wage_effective_date=wage[2] if wage else None,
            verified=req.verify,
            warnings=tuple(warnings),
        )

    async def _modify_properties(
        self,
        employee_id: int,
        req: ModifyEmployeeRequest,
        tree: SiteTree | None,
        selection: SiteSelection | None,
        deps: tuple[Department, ...] | None,
    ) -> None:
        before = await self._edit_page(employee_id)
        data = before.form.replay()
        scalar = {
            "employee[firstName]": req.new_first_name,
            "employee[lastName]": req.new_last_name,
            "employee[phone]": req.new_phone,
            "employee[email]": req.new_email,
            "employee[adpEmployeeId]": req.adp_employee_id,
            "employee[emergencyContactName]": req.emergency_contact_name,
            "employee[emergencyContactPhone]": req.emergency_contact_phone,
        }
        for name, value in scalar.items():
            if value is not None:
                if name in data:
                    data.set(name, value)
                else:
                    data.append(name, value)
        if deps is not None:
            data.remove("employee[departments][]")
            for d in deps:
                data.append("employee[departments][]", str(d.id))
        pairs = data.pairs()
        if selection is not None and tree is not None:
            # Re-emit the whole site tree per §5.4 rather than toggling replayed keys.
            pairs = sites.strip_site_pairs(pairs)
            pairs += sites.employee_site_pairs(tree, selection)
        expect_active = before.active if req.activate is None else req.activate
        pairs = [(k, v) for k, v in pairs if k != "employee[isActive]"]
        if expect_active:
            pairs.append(("employee[isActive]", "1"))

        def check(after: pages.EmployeeEditPage) -> list[tuple[str, object, object]]:
            problems: list[tuple[str, object, object]] = []
            want_first = req.new_first_name or before.first_name
            want_last = req.new_last_name or before.last_name
            if (_norm(after.first_name), _norm(after.last_name)) != (
                _norm(want_first),
                _norm(want_last),
            ):
                problems.append(
                    ("name", f"{want_first} {want_last}", f"{after.first_name} {after.last_name}")
                )
            if req.new_email is not None and _norm(after.email) != _norm(req.new_email):
                problems.append(("email", req.new_email, after.email))
            if req.new_phone is not None and _digits(after.phone)[-10:] != req.new_phone:
                problems.append(("phone", req.new_phone, after.phone))
            want_sites = selection if selection is not None else before.available_sites
            if tree is not None and not _same_sites(tree, after.available_sites, want_sites):
                problems.append(("sites", want_sites, after.available_sites))
            elif tree is None and after.available_sites != before.available_sites:
                problems.append(("sites", before.available_sites, after.available_sites))
            want_deps = {d.id for d in deps} if deps is not None else set(before.department_ids)
            if set(after.department_ids) != want_deps:
                problems.append(("departments", sorted(want_deps), list(after.department_ids)))
            for field, value, got in (
                ("adp_employee_id", req.adp_employee_id, after.adp_employee_id),
                (
                    "emergency_contact_name",
                    req.emergency_contact_name,
                    after.emergency_contact_name,
                ),
            ):
                if value is not None and (got or "") != value:
                    problems.append((field, value, got))
            return problems

        await self._post_employee_update(
            employee_id,
            pairs,
            expect_active=expect_active,
            verify=req.verify,
            before=before,
            check=check,
        )

    async def _modify_compensation(
        self, employee_id: int, req: ModifyEmployeeRequest, warnings: list[str]
    ) -> tuple[Decimal, Decimal | None, date]:
        resp = await self._page(f"/employee/compensation/{employee_id}", what="compensation page")
        page = pages.parse_compensation(resp.text)
        current = next((w for w in page.history if w.is_current), None)
        latest = max((w.effective_date for w in page.history if w.effective_date), default=None)
        rate = req.wage_rate
        if rate is None:
            if current is None:
                raise InputValidationError(
                    [FieldIssue("wage_rate", "the employee has no current wage; give wage_rate")]
                )
            rate = current.rate
        eligible = current.overtime_eligible if current is not None else True
        overtime: Decimal | None = None
        if req.overtime_wage_rate is not None:
            overtime, eligible = req.overtime_wage_rate, True
        elif eligible:
            overtime = default_overtime(rate)
        today = date.today()
        wanted = req.wage_effective_date or today
        earliest = page.min_effective_date or (latest + timedelta(days=1) if latest else None)
        effective = wanted
        if earliest is not None and effective < earliest:
            effective = earliest
            if req.wage_effective_date is not None:
                warnings.append(
                    f"wage effective date {wanted:%m/%d/%Y} moved to {effective:%m/%d/%Y}: a new "
                    "wage must start after the latest one"
                )
        site_id: int | None = None
        if req.wage_site is not None:
            tree = await self.get_site_tree()
            chosen = sites.resolve(tree, [req.wage_site])
            assert chosen != ALL
            site_id = next(iter(chosen))
            if page.wage_site_ids and site_id not in page.wage_site_ids:
                raise InputValidationError(
                    [FieldIssue("wage_site", "must be one of the employee's available sites")]
                )
        elif page.wage_site_ids:
            site_id = page.wage_site_ids[0]
        data = page.form.replay()
        for name, value in (
            ("wage[effectiveDate]", P.fmt_date(effective)),
            ("wage[isHourly]", "1"),
            ("wage[regularRate]", P.fmt_money(rate)),
        ):
            if name in data:
                data.set(name, value)
            else:
                data.append(name, value)
        data.remove("wage[overtimeRate]")
        data.remove("wage[isOvertimeEligible]")
        data.remove("wage[siteId]")
        pairs = data.pairs()
        if eligible and overtime is not None:
            pairs += [
                ("wage[isOvertimeEligible]", "1"),
                ("wage[overtimeRate]", P.fmt_money(overtime)),
            ]
        if site_id is not None:
            pairs.append(("wage[siteId]", str(site_id)))

        async def stored() -> bool:
            back = await self._page(
                f"/employee/compensation/{employee_id}", what="compensation page"
            )
            history = pages.parse_compensation(back.text).history
            return any(
                w.effective_date == effective and w.rate == rate and w.is_current for w in history
            )

        try:
            await self._submit(
                "/employee/compensation/update",
                pairs,
                what="compensation update",
                ok=lambda loc: "actionXfer" not in loc,
            )
        except AmbiguousWriteError as exc:
            if not await stored():
                raise TransportError(
                    f"employee {employee_id}: the wage record was not stored (connection lost); "
                    "it is safe to try again",
                    url="/employee/compensation/update",
                    method="POST",
                ) from exc
            return rate, overtime, effective
        if req.verify and not await stored():
            raise WriteNotVerifiedError(
                f"employee {employee_id}: no current wage record of {rate} from "
                f"{effective:%m/%d/%Y} after the update (the server silently drops records that "
                "do not start after the latest one, §9.3)",
                what="compensation",
                expected=str(rate),
            )
        return rate, overtime, effective

    # ================================================================ get_employee

    async def _target_for_get(self, pos_user_id: int | None, email: str | None) -> _Target:
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
            "phone": _digits(edit.phone) or None,
            "departments": tuple(edit.departments),
            "department_ids": tuple(edit.department_ids),
            "available_sites": "all" if selection == ALL else P.selection_names(tree, selection),
            "available_site_ids": selection,
            "start_date": edit.start_date,
            "adp_employee_id": edit.adp_employee_id or None,
            "emergency_contact_name": edit.emergency_contact_name or None,
            "emergency_contact_phone": _digits(edit.emergency_contact_phone) or None,
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

    # ================================================================ bulk

    def create_employees(
        self,
        requests: Iterable[CreateEmployeeRequest | Mapping[str, Any]]
        | AsyncIterable[CreateEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
    ) -> Bulk[Any, EmployeeCreated]:
        """Create many employees concurrently; iterate the result with ``async for``.

        Items may be :class:`CreateEmployeeRequest` s or plain dicts (validated one by one, so a
        bad row fails alone). Keyed by POS User ID; with a ``journal`` a re-run skips finished
        rows and settles interrupted ones by reading the roster.

        Args:
            requests: The hires.
            max_at_once: Creates in flight at once.
            max_per_second: Creates started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        async def one(item: Any) -> EmployeeCreated:
            return await self.create_employee_from(_as_request(CreateEmployeeRequest, item))

        async def resolve(item: Any) -> EmployeeCreated | None:
            req = _as_request(CreateEmployeeRequest, item)
            rows = await self._rows_by_pos_user_id(req.pos_user_id)
            if not rows:
                return None
            # Created by an interrupted run; its PIN is only on the edit page.
            edit = await self._edit_page(rows[0].employee_id)
            tree = await self.get_site_tree()
            return EmployeeCreated(
                employee_id=edit.employee_id,
                pos_user_id=req.pos_user_id,
                pos_pin=edit.pos_pin or 0,
                first_name=edit.first_name,
                last_name=edit.last_name,
                email=edit.email or req.email,
                permission_applied=rows[0].access or "",
                sites_granted=P.selection_names(tree, edit.available_sites),
                site_ids=edit.available_sites,
                departments=tuple(edit.departments),
                wage_site="",
                wage_rate=req.wage_rate,
                overtime_wage_rate=req.effective_overtime_rate,
                verified=False,
                warnings=("recovered from an interrupted run; check its POS template",),
            )

        return run_each(
            one,
            requests,
            key=lambda item: _item_key(item, "pos_user_id"),
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
        )

    def disable_employees(
        self,
        requests: Iterable[DisableEmployeeRequest | Mapping[str, Any] | int]
        | AsyncIterable[DisableEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
    ) -> Bulk[Any, EmployeeDisabled]:
        """Disable many employees concurrently (items: requests, dicts, or POS User IDs).

        Disabling is idempotent (an inactive employee is reported, not re-posted), so an
        interrupted journaled run simply runs the item again.

        Args:
            requests: Who to disable.
            max_at_once: Disables in flight at once.
            max_per_second: Disables started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        def coerce(item: Any) -> DisableEmployeeRequest:
            if isinstance(item, int) and not isinstance(item, bool):
                return DisableEmployeeRequest(pos_user_id=item)
            return _as_request(DisableEmployeeRequest, item)

        async def one(item: Any) -> EmployeeDisabled:
            return await self.disable_employee_from(coerce(item))

        async def resolve(item: Any) -> EmployeeDisabled | None:
            return None  # re-running a disable is safe: it checks the state first

        def key(item: Any) -> str:
            if isinstance(item, int):
                return str(item)
            for name in ("pos_user_id", "email"):
                value = _item_key(item, name, required=False)
                if value:
                    return value
            return f"{_item_key(item, 'first_name')} {_item_key(item, 'last_name')}"

        return run_each(
            one,
            requests,
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
        )


R = TypeVar("R", CreateEmployeeRequest, DisableEmployeeRequest)


def _as_request(model: type[R], item: Any) -> R:
    if isinstance(item, model):
        return item
    if isinstance(item, Mapping):
        return model.model_validate(dict(item))
    raise InputValidationError([FieldIssue("item", f"expected {model.__name__} or a mapping")])


def _item_key(item: Any, name: str, *, required: bool = True) -> str:
    value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
    if value is None and required:
        return ""
    return "" if value is None else str(value)


def _trailing_id(location: str, prefix: str) -> int:
    """The numeric id after ``prefix`` in a redirect target (``/employee/permissions/486``)."""
    rest = location.split("?", 1)[0][len(prefix) :].strip("/")
    if not rest.isdigit():
        raise PageStructureError(
            page="redirect", landmark=f"numeric id after {prefix}", detail=location
        )
    return int(rest)


def _same_sites(tree: SiteTree, got: SiteSelection, want: SiteSelection) -> bool:
    """Equal selections, treating ``"all"`` and an explicit list of every site as equal."""
    return P.selection_ids(tree, got) == P.selection_ids(tree, want)
