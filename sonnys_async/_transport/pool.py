"""The session pool: independent logins, the pick of one per request, and pool-thrash detection.

PHP's file sessions serve one request at a time per cookie (style guide §7), so ``sessions``
independent logins spread the load (least busy first). Some tenants end a user's older sessions
whenever a new one logs in (protocol §3.3 leaves it open); the pool must neither storm (each
session logging the others out in turn) nor give up parallel sessions on a server that allows
them. It decides on evidence, in the order the client *saw* things happen:

* **Sessions coexist** once a request on one login is served although it was *sent after* a
  sibling's newer login had been answered: a server of one session per user would have ended
  the older login before serving it. A sibling login that was merely answered *before the
  answer* proves nothing (the request may have been served before that login reached the
  server): issue 14's defect 3 was that too-early proof, after which the pool never shrank.
* **A strike** is the opposite observation: a request sent after a sibling's newer login was
  answered found its session logged out (one strike per session login at most).
* **Suspicion** starts with any session found logged out while a sibling holds a newer login
  (even one answered only after the request left): from then until a proof, no session that
  never logged in starts; the pool keeps to the sessions it has.
* :data:`THRASH_STRIKES` strikes retire every session but the newest (the one logging in, if a
  login is in flight), for good; requests of the others move to it.

Evidence can mislead one way only: sessions that expire every few requests, before any proof,
can look like one session per user and shrink the pool. That costs parallelism, never a login
or a request; the opposite error (believing sessions coexist) is what storms.
"""

from __future__ import annotations

import itertools
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.request import getproxies

import httpx

from .._constants import THRASH_STRIKES
from .gate import SessionGate
from .response import SessionHandle
from .stats import logger
from .wire import WireTransport

__all__ = ["THRASH_STRIKES", "LoginCookie", "Session", "SessionPool", "new_client"]


class Session:
    """One pooled login: a cookie jar (its own ``httpx.AsyncClient``) and its login state."""

    def __init__(
        self,
        index: int,
        client: httpx.AsyncClient,
        direct: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.index = index
        self.handle = SessionHandle(index)
        self.client = client
        #: The transport ``client`` sends through, to send to directly (``None``: only through
        #: ``client.send``, e.g. when the environment names a proxy); see :func:`new_client`.
        self.direct = direct
        self.generation = 0  # bumped by every successful login
        self.login_seq = 0  # the pool-wide login sequence number of this session's last login
        self.served = 0  # requests served on the current login (not expired)
        self.busy = 0
        self.gate = SessionGate()
        # The session cookie of the current login, sent explicitly with every request. httpx's
        # jar is not trusted: a late answer to a request sent before a re-login carries the
        # server's new *anonymous* cookie and would overwrite the fresh login's one.
        self.cookie: str | None = None
        self.retired = False  # the pool shrank without it (one session per user)
        self.struck_generation = -1  # the login that already cost a thrash strike

    @property
    def logged_in(self) -> bool:
        return self.generation > 0


class LoginCookie:
    """The cookie of a login in progress, kept apart from its session's.

    Until the login succeeds, the session's other requests keep the cookie they had (and bounce
    on it, labelled with the old login); the new cookie and the new login are installed
    together, with no await in between, so no request ever carries a half-made login's cookie.
    """

    __slots__ = ("cookie",)

    def __init__(self) -> None:
        self.cookie: str | None = None


class _NoCookies(DefaultCookiePolicy):
    """A jar policy that stores and sends nothing: each session's cookie is kept and sent by the
    transport itself (see :class:`Session`), so httpx's jar never holds a hostile value that it
    would then fail to encode."""

    def set_ok(self, cookie: object, request: object) -> bool:
        return False

    def return_ok(self, cookie: object, request: object) -> bool:
        return False


class _Shared(httpx.AsyncBaseTransport):
    """Lends one injected transport to several clients; closing a client leaves it open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None


def _environment_proxies() -> bool:
    """Whether the environment names a proxy httpx would route some requests through."""
    return any(key in getproxies() for key in ("http", "https", "all"))


def new_client(
    base_url: str,
    transport: httpx.AsyncBaseTransport | None,
    verify: bool,
    timeout: float | httpx.Timeout,
    user_agent: str,
) -> tuple[httpx.AsyncClient, httpx.AsyncBaseTransport | None]:
    """A session's ``httpx.AsyncClient``, and the transport it sends through when requests can
    go to that transport directly.

    Requests are built by the client (base URL, default headers, timeouts) and sent to its
    transport directly: ``AsyncClient.send`` only adds what this package does not use (auth
    flows, redirects, whose next request it builds even when not following them, and cookie
    extraction into a jar that stores nothing), at a fifth of a request's CPU. Without an
    injected transport the client's own default one is made here, as httpx would make it; when
    the environment names a proxy, requests go through ``client.send`` (httpx picks the proxy).
    """
    # An injected transport is shared by every session but closed once (by the pool).
    direct: httpx.AsyncBaseTransport | None = None
    if transport is not None:
        direct = _Shared(transport)
    elif not _environment_proxies():
        direct = WireTransport(verify=verify)
    client = httpx.AsyncClient(
        base_url=base_url,
        transport=direct,
        verify=verify,
        timeout=timeout,
        follow_redirects=False,  # protocol §2.4: the Location *is* the answer
        headers={"User-Agent": user_agent},
        cookies=CookieJar(policy=_NoCookies()),
    )
    return client, direct


class SessionPool:
    """``size`` sessions on one base URL, each with its own ``httpx.AsyncClient``.

    Args:
        size: Sessions in the pool (``>= 1``).
        base_url: The tenant's base URL, without a trailing slash.
        transport: An injected ``httpx.AsyncBaseTransport`` shared by every session, or ``None``
            for httpx's default one per session.
        verify: TLS verification, passed to httpx when no ``transport`` is given.
        timeout: Seconds (or an ``httpx.Timeout``) for connect, read, write and pool waits.
        user_agent: The ``User-Agent`` of every request.
    """

    def __init__(
        self,
        size: int,
        *,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None,
        verify: bool,
        timeout: float | httpx.Timeout,
        user_agent: str,
    ) -> None:
        if size < 1:
            raise ValueError("sessions must be at least 1")
        self._transport = transport
        self._client_args = (base_url, transport, verify, timeout, user_agent)
        self.sessions = [Session(i, *new_client(*self._client_args)) for i in range(size)]
        self._round_robin = itertools.count()
        #: ``_owners[k - 1]`` is the index of the session that made pool-wide login number ``k``.
        self._owners: list[int] = []
        self.coexistence_proven = size == 1
        self._strikes = 0
        self._suspected = False
        self._shrunk = False
        #: The session whose login is in flight (logins are made one at a time), if any.
        self.logging_in: Session | None = None

    # ------------------------------------------------------------------ picking

    @property
    def last_login_seq(self) -> int:
        """The pool-wide number of the last login answered (0 before any)."""
        return len(self._owners)

    @property
    def suspected(self) -> bool:
        """Whether a session was found logged out after a sibling's newer login (see
        :meth:`note_bounce`) and no proof of coexistence came since."""
        return self._suspected and not self.coexistence_proven

    def active(self) -> list[Session]:
        """The sessions requests may go to: all but retired ones; under suspicion, only those
        logged in (see the module docstring)."""
        active = [s for s in self.sessions if not s.retired]
        if self.suspected:
            active = [s for s in active if s.logged_in] or active
        return active

    def pick(self, pinned: SessionHandle | None) -> Session:
        """The pinned session if it is still in use, else the least busy one (ties rotate)."""
        if pinned is not None and 0 <= pinned.index < len(self.sessions):
            sess = self.sessions[pinned.index]
            if not sess.retired:
                return sess
        active = self.active()
        start = next(self._round_robin) % len(active)
        rotated = active[start:] + active[:start]
        return min(rotated, key=lambda s: s.busy)

    def may_log_in(self, sess: Session) -> bool:
        """Whether ``sess``, not logged in yet, may log in now: not under suspicion."""
        return sess.logged_in or not self.suspected

    def note_login(self, sess: Session, cookie: str | None) -> None:
        """Record a successful login of ``sess`` with its new ``cookie``: a new generation, the
        newest login sequence."""
        sess.cookie = cookie
        self._owners.append(sess.index)
        sess.login_seq = len(self._owners)
        sess.generation += 1
        sess.served = 0

    def spare(self) -> Session:
        """A session outside the pool (index -1), on the same transport: for a one-off login
        with other credentials. The caller closes its client."""
        return Session(-1, *new_client(*self._client_args))

    async def aclose(self) -> None:
        """Close every session's client, then the injected transport (shared, so closed once)."""
        for sess in self.sessions:
            await sess.client.aclose()
        if self._transport is not None:
            # httpx's rule: a client owns the transport it was given.
            await self._transport.aclose()

    # ------------------------------------------------------------------ thrash detection

    def sibling_logged_in_since(self, sess: Session, login_seq: int) -> bool:
        """Whether another session logged in after pool-wide login number ``login_seq``."""
        return any(owner != sess.index for owner in self._owners[login_seq:])

    def _sibling_login_between(self, sess: Session, after: int, until: int) -> bool:
        return any(owner != sess.index for owner in self._owners[after:until])

    def note_success(self, sess: Session, generation: int, login_seq: int, seen_seq: int) -> None:
        """``sess`` served a request sent on login ``login_seq`` when ``seen_seq`` logins were
        answered: count it, and prove coexistence if a sibling's newer login was among them."""
        if generation == sess.generation:
            sess.served += 1
        if self.coexistence_proven or not self._sibling_login_between(sess, login_seq, seen_seq):
            return
        # A sibling logged in after this login, before the request left, and the request was
        # served: the server allows parallel sessions, so later bounces are ordinary expiries.
        self.coexistence_proven = True
        self._strikes = 0
        self._suspected = False

    def note_bounce(self, sess: Session, generation: int, login_seq: int, seen_seq: int) -> None:
        """Count a thrash strike: ``sess`` (logged in at ``login_seq``) bounced on a request sent
        when ``seen_seq`` logins were answered, a sibling's newer one among them. One strike per
        session login, however many of its requests bounced."""
        if self.coexistence_proven or self._shrunk or sess.struck_generation == generation:
            return
        if not self._sibling_login_between(sess, login_seq, seen_seq):
            if self.sibling_logged_in_since(sess, login_seq) and not self._suspected:
                # Weaker evidence (the sibling's login was answered only after this request
                # left): enough to start no new session, not to count a strike.
                self._suspected = True
                logger.info(
                    "session %d was logged out while a sibling logged in; starting no new "
                    "session until sessions are seen to coexist",
                    sess.index,
                )
            return
        sess.struck_generation = generation
        self._strikes += 1
        if not self._suspected:
            self._suspected = True
            logger.info(
                "session %d was logged out after a sibling logged in; starting no new session "
                "until sessions are seen to coexist",
                sess.index,
            )
        if self._strikes < THRASH_STRIKES:
            return
        # New logins keep ending older ones (one session per user): keep the newest session,
        # which is the one logging in now if a login is in flight (it will end the others).
        survivor = self.logging_in or max(self.sessions, key=lambda s: s.login_seq)
        for other in self.sessions:
            other.retired = other is not survivor
        self._shrunk = True
        logger.warning(
            "the server ends older sessions when a new one logs in; "
            "continuing with 1 session instead of %d",
            len(self.sessions),
        )
