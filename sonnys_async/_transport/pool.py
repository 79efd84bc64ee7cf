"""The session pool: independent logins, the pick of one per request, and pool-thrash detection.

PHP's file sessions serve one request at a time per cookie (style guide §7), so ``sessions``
independent logins spread the load (least busy first). Some tenants end a user's older sessions
whenever a new one logs in; the pool notices that thrash (a session found logged out right after
a sibling logged in, protocol §3.3) and shrinks to the newest session.
"""

from __future__ import annotations

import itertools

import anyio
import httpx

from .._constants import THRASH_STRIKES_PER_SESSION
from .gate import SessionGate
from .response import SessionHandle
from .stats import logger

__all__ = ["Session", "SessionPool"]


class Session:
    """One pooled login: a cookie jar (its own ``httpx.AsyncClient``) and its login state."""

    def __init__(self, index: int, client: httpx.AsyncClient) -> None:
        self.index = index
        self.handle = SessionHandle(index)
        self.client = client
        self.generation = 0  # bumped by every successful login
        self.login_seq = 0  # the pool-wide login sequence number of this session's last login
        self.login_lock = anyio.Lock()
        self.busy = 0
        self.gate = SessionGate()
        # The session cookie of the current login, sent explicitly with every request. httpx's
        # jar is not trusted: a late answer to a request sent before a re-login carries the
        # server's new *anonymous* cookie and would overwrite the fresh login's one.
        self.cookie: str | None = None
        self.retired = False
        self.struck_generation = -1  # the login that already cost a thrash strike

    @property
    def logged_in(self) -> bool:
        return self.generation > 0


class _Shared(httpx.AsyncBaseTransport):
    """Lends one injected transport to several clients; closing a client leaves it open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None


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
        self.sessions = [
            Session(i, self._new_client(base_url, transport, verify, timeout, user_agent))
            for i in range(size)
        ]
        self._round_robin = itertools.count()
        self._login_seq = 0
        self._coexistence_proven = size == 1
        self._strikes = 0
        self._shrunk = False

    @staticmethod
    def _new_client(
        base_url: str,
        transport: httpx.AsyncBaseTransport | None,
        verify: bool,
        timeout: float | httpx.Timeout,
        user_agent: str,
    ) -> httpx.AsyncClient:
        # Without an injected transport each session gets httpx's default one, which honours
        # proxy environment variables and ``verify``; an injected one is shared but closed once.
        return httpx.AsyncClient(
            base_url=base_url,
            transport=_Shared(transport) if transport is not None else None,
            verify=verify,
            timeout=timeout,
            follow_redirects=False,  # protocol §2.4: the Location *is* the answer
            headers={"User-Agent": user_agent},
        )

    # ------------------------------------------------------------------ picking

    def active(self) -> list[Session]:
        """The sessions in use (all of them unless the pool shrank)."""
        return [s for s in self.sessions if not s.retired]

    def pick(self, pinned: SessionHandle | None) -> Session:
        """The pinned session if it is still in use, else the least busy one (ties rotate)."""
        if pinned is not None and pinned.index < len(self.sessions):
            sess = self.sessions[pinned.index]
            if not sess.retired:
                return sess
        active = self.active()
        start = next(self._round_robin) % len(active)
        rotated = active[start:] + active[:start]
        return min(rotated, key=lambda s: s.busy)

    def note_login(self, sess: Session) -> None:
        """Record a successful login of ``sess``: a new generation, the newest login sequence."""
        self._login_seq += 1
        sess.login_seq = self._login_seq
        sess.generation += 1

    async def aclose(self) -> None:
        """Close every session's client, then the injected transport (shared, so closed once)."""
        for sess in self.sessions:
            await sess.client.aclose()
        if self._transport is not None:
            # httpx's rule: a client owns the transport it was given.
            await self._transport.aclose()

    # ------------------------------------------------------------------ thrash detection

    def note_success(self, sess: Session) -> None:
        """``sess`` was served: if a sibling logged in after it, sessions coexist on this server."""
        if self._coexistence_proven:
            return
        if self.sibling_logged_in_since(sess, sess.login_seq):
            # A sibling logged in after this session and this one still works: the server
            # allows parallel sessions, so later bounces are ordinary expiries.
            self._coexistence_proven = True
            self._strikes = 0

    def sibling_logged_in_since(self, sess: Session, login_seq: int) -> bool:
        """Whether another session logged in after login number ``login_seq``."""
        return any(o is not sess and o.login_seq > login_seq for o in self.sessions)

    def note_bounce(self, sess: Session, generation: int, login_seq: int) -> None:
        """Count a thrash strike: ``sess`` (as logged in at ``login_seq``) bounced after a
        sibling logged in. One strike per session login, however many requests bounced."""
        if self._coexistence_proven or self._shrunk or sess.struck_generation == generation:
            return
        if not self.sibling_logged_in_since(sess, login_seq):
            return
        sess.struck_generation = generation
        self._strikes += 1
        threshold = len(self.sessions) * THRASH_STRIKES_PER_SESSION + 1
        if self._strikes < threshold:
            return
        # New logins keep ending older ones (one session per user): keep the newest session.
        survivor = max(self.sessions, key=lambda s: s.login_seq)
        for other in self.sessions:
            other.retired = other is not survivor
        self._shrunk = True
        logger.warning(
            "the server ends older sessions when a new one logs in; "
            "continuing with 1 session instead of %d",
            len(self.sessions),
        )
