"""``BackofficeClient``: the whole async API for plain Python (scripts, notebooks, threads).

There is one implementation, :class:`~sonnys_async.AsyncBackofficeClient`. This facade owns an
anyio blocking portal (an event loop in a background thread, started on ``with`` or on first use)
and runs each async method on it; the async client itself is created, used and closed on that
loop. Exceptions arrive with their original types and messages. Bulk streams
(``create_employees``, ``disable_employees``) become plain iterators.

Adding a method to the async client? Add its one-line twin below (``name = _blocking(...)``);
``tests/sync/test_parity.py`` fails until you do.

Example::

    from sonnys_async import BackofficeClient

    with BackofficeClient(subdomain="washu", username="bot", password="...") as client:
        for site in client.list_sites():
            print(site.code, site.name)
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, cast

from anyio.from_thread import BlockingPortal

from . import _constants as C
from ._client import AsyncBackofficeClient, routed_transport
from ._portal import BlockingIterator, PortalOwner, blocking, sync_returns
from ._transport import RetryPolicy, Transport
from .bulk import Bulk, BulkSummary, Outcome
from .core.tenant import tenant_base_url

__all__ = ["BackofficeClient", "BlockingBulk"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")


def _blocking(
    method: Callable[Concatenate[AsyncBackofficeClient, P], Awaitable[R]],
) -> Callable[Concatenate[BackofficeClient, P], R]:
    """Twin of an async method, typed for :class:`BackofficeClient` (``self`` fixed).

    ``blocking`` alone would type ``self`` as ``PortalOwner[AsyncBackofficeClient]``; pinning
    the owner to this class keeps mypy precise about the sync client's own methods.
    """
    return cast("Callable[Concatenate[BackofficeClient, P], R]", blocking(method))


class BlockingBulk(BlockingIterator[Outcome[T, R]], Generic[T, R]):
    """A bulk run seen from sync code: iterate it for each :class:`~sonnys_async.bulk.Outcome`.

    Use it as a context manager (or call :meth:`close`) to stop a run early: the items in flight
    finish, no new item starts. :attr:`summary` is live during the run and final after it (also
    after :meth:`close` or the client's ``close()``).

    ``on_outcome`` runs in YOUR thread, never on the client's event-loop thread, so it may call
    the client and may block without stalling other requests: for each outcome, it is called
    by ``next()`` just before that outcome is returned; for the items that finish while the run
    is being stopped, it is called by :meth:`close` (so by the thread that closes the run, or
    calls the client's ``close()``), before ``close()`` returns. An exception it raises stops
    the run (items in flight finish and still reach ``on_outcome``) and propagates from
    ``next()``; only the first such exception is raised.
    """

    def __init__(
        self,
        portal: BlockingPortal,
        make: Callable[[], AsyncIterable[Outcome[T, R]]],
        on_outcome: Callable[[Outcome[T, R]], None] | None = None,
        pending: deque[Outcome[T, R]] | None = None,
    ) -> None:
        super().__init__(portal, make)
        self._on_outcome = on_outcome
        self._pending: deque[Outcome[T, R]] = deque() if pending is None else pending
        self._delivering = threading.Lock()
        self._delivered_by: int | None = None
        self._callback_error: BaseException | None = None
        self._final: BulkSummary | None = None

    @property
    def summary(self) -> BulkSummary:
        """Counts and failures so far (final once the iteration has ended or was closed)."""
        if self._final is not None:
            return self._final
        bulk = cast("Bulk[T, R]", self.source)
        try:
            return self._on_loop(lambda: bulk.summary)
        except RuntimeError:
            if self._final is not None:  # ended meanwhile
                return self._final
            # The loop has stopped (the client was closed): nothing mutates the run any more.
            return bulk.summary

    def _after_item(self) -> None:
        self._deliver()
        if self._callback_error is not None:
            raise self._callback_error

    def _after_end(self) -> None:
        # Runs after the producer finished: the outcomes of items that completed while the
        # run was stopped are all queued, and the summary is final.
        before = self._callback_error
        try:
            self._deliver()
        finally:
            self._final = cast("Bulk[T, R]", self.source).summary
        if self._callback_error is not None and self._callback_error is not before:
            raise self._callback_error  # from close(): the consumer must hear about it

    def _deliver(self) -> None:
        """Call ``on_outcome`` for queued outcomes, in this thread, in completion order."""
        if self._on_outcome is None:
            self._pending.clear()
            return
        me = threading.get_ident()
        if self._delivered_by == me:
            return  # re-entered from on_outcome itself: the outer loop delivers the rest
        while self._pending:
            with self._delivering:
                self._delivered_by = me
                try:
                    while self._pending:
                        outcome = self._pending.popleft()
                        try:
                            self._on_outcome(outcome)
                        except Exception as exc:  # e.g. the results file could not be written
                            if self._callback_error is None:
                                self._callback_error = exc
                finally:
                    self._delivered_by = None


def _blocking_bulk(
    method: Callable[Concatenate[AsyncBackofficeClient, P], Bulk[T, R]],
) -> Callable[Concatenate[BackofficeClient, P], BlockingBulk[T, R]]:
    """Twin of a method returning a :class:`~sonnys_async.bulk.Bulk`: a :class:`BlockingBulk`.

    The caller's ``on_outcome`` is not handed to the async run (it would run on the loop
    thread, where calling the client fails and blocking stalls every request): the run only
    queues outcomes, and :class:`BlockingBulk` calls ``on_outcome`` in the consumer's thread.
    """

    @functools.wraps(method)
    def call(self: BackofficeClient, /, *args: P.args, **kwargs: P.kwargs) -> BlockingBulk[T, R]:
        on_outcome = kwargs.pop("on_outcome", None)
        pending: deque[Outcome[T, R]] = deque()
        if on_outcome is not None:
            kwargs["on_outcome"] = pending.append  # thread-safe; called on the loop

        def make(client: AsyncBackofficeClient) -> Bulk[T, R]:
            return method(client, *args, **kwargs)

        stream = self._stream(BlockingBulk, make, on_outcome=on_outcome, pending=pending)
        return cast("BlockingBulk[T, R]", stream)

    sync_returns(call, method, {"Bulk": "BlockingBulk"})
    return call


class BackofficeClient(PortalOwner[AsyncBackofficeClient]):
    # The class docstring is the async client's, so help() reads the same on both.
    __doc__ = AsyncBackofficeClient.__doc__

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
        # The async client is only built on the portal's loop (its locks and connection pools
        # belong to that loop); the tenant address is checked now, before anything else.
        where = tenant_base_url(base_url, subdomain, allow_http=allow_http)
        super().__init__(
            functools.partial(
                AsyncBackofficeClient,
                base_url,
                subdomain=subdomain,
                username=username,
                password=password,
                # Resolved here, in the caller's context: the portal's thread does not see a
                # route set with sonnys_async.testing.route_to.
                transport=routed_transport(transport),
                sessions=sessions,
                max_concurrency=max_concurrency,
                max_per_second=max_per_second,
                timeout=timeout,
                retry=retry,
                verify=verify,
                user_agent=user_agent,
                allow_http=allow_http,
            )
        )
        self._where = where
        self._username = username

    __init__.__doc__ = AsyncBackofficeClient.__init__.__doc__

    @classmethod
    def from_env(cls, **overrides: Any) -> Self:
        """A client for the tenant the environment names, as
        :meth:`AsyncBackofficeClient.from_env` reads it: ``SONNYS_BASE_URL`` (or
        ``SONNYS_SUBDOMAIN``), ``SONNYS_BOT_USERNAME``, ``SONNYS_BOT_PASSWORD``.

        Args:
            **overrides: Constructor arguments that win over the environment.

        Raises:
            InputValidationError: A variable is missing or malformed.
        """
        # Same environment rules as the async client: reuse its code with this class.
        build: Callable[..., Self] = vars(AsyncBackofficeClient)["from_env"].__func__
        return build(cls, **overrides)

    from_env.__func__.__doc__ = AsyncBackofficeClient.from_env.__doc__  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"BackofficeClient(base_url={self._where!r}, username={self._username!r})"

    @property
    def transport(self) -> Transport:
        """The HTTP seam (``.stats`` holds request counts per method and path)."""
        return self._ensure_started()[1].transport

    # close() / __enter__ / __exit__ come from PortalOwner (aclose / __aenter__ / __aexit__).

    login = _blocking(AsyncBackofficeClient.login)

    # discovery
    get_site_tree = _blocking(AsyncBackofficeClient.get_site_tree)
    list_sites = _blocking(AsyncBackofficeClient.list_sites)
    list_departments = _blocking(AsyncBackofficeClient.list_departments)
    list_pos_templates = _blocking(AsyncBackofficeClient.list_pos_templates)
    list_pos_permissions = _blocking(AsyncBackofficeClient.list_pos_permissions)
    list_backoffice_templates = _blocking(AsyncBackofficeClient.list_backoffice_templates)
    list_permissions = _blocking(AsyncBackofficeClient.list_permissions)

    # roster reads and availability checks
    list_employees = _blocking(AsyncBackofficeClient.list_employees)
    search_employees = _blocking(AsyncBackofficeClient.search_employees)
    find_employees = _blocking(AsyncBackofficeClient.find_employees)
    find_employee = _blocking(AsyncBackofficeClient.find_employee)
    pos_user_id_exists = _blocking(AsyncBackofficeClient.pos_user_id_exists)
    is_pos_user_id_available = _blocking(AsyncBackofficeClient.is_pos_user_id_available)
    is_email_available = _blocking(AsyncBackofficeClient.is_email_available)
    is_backoffice_username_available = _blocking(
        AsyncBackofficeClient.is_backoffice_username_available
    )
    is_phone_available = _blocking(AsyncBackofficeClient.is_phone_available)

    # writes
    create_employee = _blocking(AsyncBackofficeClient.create_employee)
    create_employee_from = _blocking(AsyncBackofficeClient.create_employee_from)
    disable_employee = _blocking(AsyncBackofficeClient.disable_employee)
    disable_employee_from = _blocking(AsyncBackofficeClient.disable_employee_from)
    modify_employee = _blocking(AsyncBackofficeClient.modify_employee)
    modify_employee_from = _blocking(AsyncBackofficeClient.modify_employee_from)
    create_backoffice_user = _blocking(AsyncBackofficeClient.create_backoffice_user)
    create_backoffice_user_from = _blocking(AsyncBackofficeClient.create_backoffice_user_from)
    disable_backoffice_user = _blocking(AsyncBackofficeClient.disable_backoffice_user)

    # Backoffice users after creation, and rehires
    list_backoffice_users = _blocking(AsyncBackofficeClient.list_backoffice_users)
    get_backoffice_user = _blocking(AsyncBackofficeClient.get_backoffice_user)
    modify_backoffice_user = _blocking(AsyncBackofficeClient.modify_backoffice_user)
    modify_backoffice_user_from = _blocking(AsyncBackofficeClient.modify_backoffice_user_from)
    reset_backoffice_password = _blocking(AsyncBackofficeClient.reset_backoffice_password)
    reactivate_backoffice_user = _blocking(AsyncBackofficeClient.reactivate_backoffice_user)
    rehire_employee = _blocking(AsyncBackofficeClient.rehire_employee)
    rehire_employee_from = _blocking(AsyncBackofficeClient.rehire_employee_from)

    # roster sync
    plan_roster_sync = _blocking(AsyncBackofficeClient.plan_roster_sync)
    apply_plan = _blocking_bulk(AsyncBackofficeClient.apply_plan)

    # employee reads
    get_employee = _blocking(AsyncBackofficeClient.get_employee)
    get_employee_profile = _blocking(AsyncBackofficeClient.get_employee_profile)
    get_employee_compensation = _blocking(AsyncBackofficeClient.get_employee_compensation)
    get_employee_permission = _blocking(AsyncBackofficeClient.get_employee_permission)

    # bulk streams and their pre-flight
    preflight_employees = _blocking(AsyncBackofficeClient.preflight_employees)
    create_employees = _blocking_bulk(AsyncBackofficeClient.create_employees)
    disable_employees = _blocking_bulk(AsyncBackofficeClient.disable_employees)
    modify_employees = _blocking_bulk(AsyncBackofficeClient.modify_employees)
    rehire_employees = _blocking_bulk(AsyncBackofficeClient.rehire_employees)
    create_backoffice_users = _blocking_bulk(AsyncBackofficeClient.create_backoffice_users)
    modify_backoffice_users = _blocking_bulk(AsyncBackofficeClient.modify_backoffice_users)
