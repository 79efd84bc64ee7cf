"""``AsyncBackofficeClient``: one awaitable call per user-management action, verified.

The client is a thin facade. Its constructor builds the transport and composes the services of
:mod:`sonnys_async._services`, each given what it needs; every public method is the method of one
service, reached in one hop (``create_employee`` is :meth:`Hiring.create_employee
<sonnys_async._services.hiring.Hiring.create_employee>`). Rules every operation follows:

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

import functools
import os
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from . import _constants as C
from ._services.bo_access import BackofficeAccess
from ._services.bulk_lifecycle import BulkLifecycle
from ._services.bulk_ops import BulkOps
from ._services.bulk_users import BulkUsers
from ._services.catalogue import Catalogue
from ._services.changes import Changes
from ._services.compensation import Compensation
from ._services.contacts import ContactIndex
from ._services.employee_form import EmployeeForm
from ._services.gateway import Gateway
from ._services.hire_plan import HirePlanner
from ._services.hiring import Hiring
from ._services.offboarding import Offboarding
from ._services.pos_access import PosAccess
from ._services.preflight import Preflight
from ._services.profiles import Profiles
from ._services.rehiring import Rehiring
from ._services.roster import Roster
from ._services.sync_apply import SyncApplier
from ._services.sync_plan import RosterSync
from ._services.sync_snapshot import SnapshotReader
from ._services.user_admin import BackofficeUserAdmin
from ._services.user_changes import BackofficeUserChanges
from ._services.users import BackofficeUsers
from ._transport import Limits, RetryPolicy, Transport
from .core.tenant import tenant_base_url
from .errors import FieldIssue, InputValidationError

__all__ = ["DEFAULT_TRANSPORT", "AsyncBackofficeClient", "routed_transport"]

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


#: Where a client built without ``transport=`` sends its requests: ``None`` (the default) means
#: the network; a zero-argument callable returning an ``httpx.AsyncBaseTransport`` means that
#: transport, called once per client. Only tests set it, through
#: :func:`sonnys_async.testing.route_to` (and the pytest plugin's ``backoffice_route``), so code
#: that builds its own clients can be aimed at a sandbox the way respx aims httpx at a mock.
#: A context variable: it holds for the block and context that set it (and tasks started there),
#: not for other threads.
DEFAULT_TRANSPORT: ContextVar[Callable[[], Any] | None] = ContextVar(
    "sonnys_async_default_transport", default=None
)


def routed_transport(transport: Any) -> Any:
    """``transport`` if given, else the one :data:`DEFAULT_TRANSPORT` makes (``None`` if unset)."""
    if transport is not None:
        return transport
    factory = DEFAULT_TRANSPORT.get()
    return None if factory is None else factory()


def _awaits(
    service: Callable[[AsyncBackofficeClient], S],
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[AsyncBackofficeClient, P], Awaitable[R]]:
    """The client's method for an async service method: same signature and docstring."""

    @functools.wraps(method)
    async def call(self: AsyncBackofficeClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await method(service(self), *args, **kwargs)

    return call


def _returns(
    service: Callable[[AsyncBackofficeClient], S],
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[AsyncBackofficeClient, P], R]:
    """The client's method for a plain service method (the bulk streams)."""

    @functools.wraps(method)
    def call(self: AsyncBackofficeClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(service(self), *args, **kwargs)

    return call


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
            ``Sandbox().transport()``). When omitted, the network, unless a test routed
            clients elsewhere (:func:`sonnys_async.testing.route_to`).
        sessions: Independent logins to spread requests over (PHP serialises per session).
        max_concurrency: Requests in flight at once.
        max_per_second: Request-rate cap (``None`` = none).
        timeout: Seconds for connect/read/write.
        retry: Retry policy for GETs (``RetryPolicy.no_wait()`` in tests).
        verify: TLS certificate verification (httpx's meaning). Read-back verification of
            writes is a per-call ``verify=`` argument, default on.
        user_agent: Overrides the library's User-Agent.
        allow_http: Accept a plain ``http`` ``base_url`` to a host that is not this machine
            (never for a real tenant: the password would travel unencrypted).

    Raises:
        InputValidationError: Neither ``base_url`` nor ``subdomain`` given; the subdomain is
            not one DNS label; ``base_url`` is not a bare ``https`` origin (plain ``http`` only
            to this machine, ``.test`` / ``.localhost`` names, or with ``allow_http``).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        subdomain: str | None = None,
        username: str,
        password: str,
        transport: Any = None,
        sessions: int = C.DEFAULT_SESSIONS,
        max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY,
        max_per_second: float | None = C.DEFAULT_MAX_PER_SECOND,
        timeout: float = C.DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        verify: bool = C.DEFAULT_VERIFY,
        user_agent: str | None = None,
        allow_http: bool = False,
    ) -> None:
        self.base_url = tenant_base_url(base_url, subdomain, allow_http=allow_http)
        self._t = Transport(
            base_url=self.base_url,
            username=username,
            password=password,
            transport=routed_transport(transport),
            sessions=sessions,
            limits=Limits(max_concurrency=max_concurrency, max_per_second=max_per_second),
            timeout=timeout,
            retry=retry,
            user_agent=user_agent,
            verify=verify,
        )
        # The services, each given what it needs (docs/architecture.md draws the graph).
        gateway = Gateway(self._t)
        self._catalogue = catalogue = Catalogue(gateway)
        self._roster = roster = Roster(gateway)
        self._contacts = contacts = ContactIndex(roster)
        self._profiles = Profiles(gateway, catalogue, roster)
        pos = PosAccess(gateway)
        access = BackofficeAccess(gateway, catalogue)
        self._users = users = BackofficeUsers(gateway, catalogue, roster, access, contacts)
        planner = HirePlanner(catalogue)
        self._hiring = hiring = Hiring(
            gateway, catalogue, planner, roster, contacts, pos, users, access
        )
        form = EmployeeForm(gateway, roster)
        self._offboarding = offboarding = Offboarding(roster, form, users)
        compensation = Compensation(gateway, catalogue)
        self._changes = Changes(catalogue, roster, contacts, form, compensation, pos)
        self._preflight = Preflight(catalogue, contacts)
        self._bulk = BulkOps(hiring, offboarding)
        self._user_admin = admin = BackofficeUserAdmin(
            gateway, catalogue, roster, access, contacts, self._t.check_login
        )
        self._user_changes = user_changes = BackofficeUserChanges(
            catalogue, roster, access, admin, contacts
        )
        self._rehiring = rehiring = Rehiring(
            catalogue, roster, self._changes, users, admin, user_changes
        )
        reader = SnapshotReader(gateway, catalogue, roster)
        self._sync_plans = RosterSync(reader, self.base_url, username)
        self._sync_apply = SyncApplier(
            roster,
            hiring,
            self._changes,
            offboarding,
            rehiring,
            tenant=self.base_url,
            bot_user=username,
        )
        self._bulk_lifecycle = BulkLifecycle(roster, self._profiles, self._changes, rehiring)
        self._bulk_users = BulkUsers(catalogue, roster, users, admin, user_changes)

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

    # ---- discovery (cached): _services/catalogue.py
    get_site_tree = _awaits(lambda c: c._catalogue, Catalogue.get_site_tree)
    list_sites = _awaits(lambda c: c._catalogue, Catalogue.list_sites)
    list_departments = _awaits(lambda c: c._catalogue, Catalogue.list_departments)
    list_pos_templates = _awaits(lambda c: c._catalogue, Catalogue.list_pos_templates)
    list_pos_permissions = _awaits(lambda c: c._catalogue, Catalogue.list_pos_permissions)
    list_backoffice_templates = _awaits(lambda c: c._catalogue, Catalogue.list_backoffice_templates)
    list_permissions = _awaits(lambda c: c._catalogue, Catalogue.list_permissions)

    # ---- roster reads and availability checks: _services/roster.py, contacts.py
    list_employees = _awaits(lambda c: c._roster, Roster.list_employees)
    search_employees = _awaits(lambda c: c._roster, Roster.search_employees)
    find_employees = _awaits(lambda c: c._roster, Roster.find_employees)
    find_employee = _awaits(lambda c: c._roster, Roster.find_employee)
    pos_user_id_exists = _awaits(lambda c: c._roster, Roster.pos_user_id_exists)
    is_pos_user_id_available = _awaits(lambda c: c._roster, Roster.is_pos_user_id_available)
    is_email_available = _awaits(lambda c: c._contacts, ContactIndex.is_email_available)
    is_backoffice_username_available = _awaits(
        lambda c: c._roster, Roster.is_backoffice_username_available
    )
    is_phone_available = _awaits(lambda c: c._contacts, ContactIndex.is_phone_available)

    # ---- employee snapshots: _services/profiles.py
    get_employee = _awaits(lambda c: c._profiles, Profiles.get_employee)
    get_employee_profile = _awaits(lambda c: c._profiles, Profiles.get_employee_profile)
    get_employee_compensation = _awaits(lambda c: c._profiles, Profiles.get_employee_compensation)
    get_employee_permission = _awaits(lambda c: c._profiles, Profiles.get_employee_permission)

    # ---- writes: _services/hiring.py, offboarding.py, changes.py, users.py
    create_employee = _awaits(lambda c: c._hiring, Hiring.create_employee)
    create_employee_from = _awaits(lambda c: c._hiring, Hiring.create_employee_from)
    disable_employee = _awaits(lambda c: c._offboarding, Offboarding.disable_employee)
    disable_employee_from = _awaits(lambda c: c._offboarding, Offboarding.disable_employee_from)
    modify_employee = _awaits(lambda c: c._changes, Changes.modify_employee)
    modify_employee_from = _awaits(lambda c: c._changes, Changes.modify_employee_from)
    create_backoffice_user = _awaits(lambda c: c._users, BackofficeUsers.create_backoffice_user)
    create_backoffice_user_from = _awaits(
        lambda c: c._users, BackofficeUsers.create_backoffice_user_from
    )
    disable_backoffice_user = _awaits(lambda c: c._users, BackofficeUsers.disable_backoffice_user)

    # ---- Backoffice users after creation: _services/user_admin.py, user_changes.py
    list_backoffice_users = _awaits(
        lambda c: c._user_admin, BackofficeUserAdmin.list_backoffice_users
    )
    get_backoffice_user = _awaits(lambda c: c._user_admin, BackofficeUserAdmin.get_backoffice_user)
    modify_backoffice_user = _awaits(
        lambda c: c._user_changes, BackofficeUserChanges.modify_backoffice_user
    )
    modify_backoffice_user_from = _awaits(
        lambda c: c._user_changes, BackofficeUserChanges.modify_backoffice_user_from
    )
    reset_backoffice_password = _awaits(
        lambda c: c._user_admin, BackofficeUserAdmin.reset_backoffice_password
    )
    reactivate_backoffice_user = _awaits(
        lambda c: c._user_admin, BackofficeUserAdmin.reactivate_backoffice_user
    )

    # ---- roster sync: _services/sync_plan.py, sync_apply.py
    plan_roster_sync = _awaits(lambda c: c._sync_plans, RosterSync.plan_roster_sync)
    apply_plan = _returns(lambda c: c._sync_apply, SyncApplier.apply_plan)

    # ---- rehires: _services/rehiring.py
    rehire_employee = _awaits(lambda c: c._rehiring, Rehiring.rehire_employee)
    rehire_employee_from = _awaits(lambda c: c._rehiring, Rehiring.rehire_employee_from)

    # ---- bulk streams and their pre-flight: _services/bulk_ops.py, preflight.py
    preflight_employees = _awaits(lambda c: c._preflight, Preflight.preflight_employees)
    create_employees = _returns(lambda c: c._bulk, BulkOps.create_employees)
    disable_employees = _returns(lambda c: c._bulk, BulkOps.disable_employees)

    # ---- staff-lifecycle bulk streams: _services/bulk_lifecycle.py, bulk_users.py
    modify_employees = _returns(lambda c: c._bulk_lifecycle, BulkLifecycle.modify_employees)
    rehire_employees = _returns(lambda c: c._bulk_lifecycle, BulkLifecycle.rehire_employees)
    create_backoffice_users = _returns(lambda c: c._bulk_users, BulkUsers.create_backoffice_users)
    modify_backoffice_users = _returns(lambda c: c._bulk_users, BulkUsers.modify_backoffice_users)
