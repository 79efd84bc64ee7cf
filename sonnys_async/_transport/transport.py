"""The request pipeline: :class:`Transport`, the one HTTP seam of the library.

Everything the library sends goes through :class:`Transport`, which owns one
``httpx.AsyncClient`` (one cookie jar) per pooled session. Callers get a small frozen
:class:`~.response.Response` and never see httpx exceptions: they are translated at the boundary
(:mod:`.errors`) into :mod:`sonnys_async.errors` and chained with ``from``.

One request, with the protocol sections it rests on:

1. Pick a session (:mod:`.pool`): the pinned one, else the least busy; enter its gate
   (:mod:`.gate`), exclusively when the redirect's page must be read before anyone else's request.
2. Log the session in if it is not (:mod:`.login`, §3), single-flight.
3. Send it (:mod:`.send`) under the shared limits (:mod:`.limits`), retried per :mod:`.retry`.
4. Redirects are never followed (§2.3, §2.4): a 302 comes back with its relative ``location``;
   only a bounced form's page (``?actionXfer=``) is read, on the same session, when asked.
5. An expired session (§3.3: a 302 to ``/login``, a login page served with 200, or 401/403) logs
   in again, single-flight, and the request is replayed once. A POST that bounced to ``/login``
   was not applied, so replaying it once is safe. If the server ends older sessions whenever a
   new one logs in, the pool notices the thrash and shrinks to one session.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Literal

import anyio
import httpx

from .._constants import DEFAULT_SESSIONS, DEFAULT_TIMEOUT, DEFAULT_VERIFY, USER_AGENT
from ..core.forms import encode_pairs
from ..core.pages import is_bounce
from ..errors import AuthenticationError, TransportError
from ..redaction import redact_body, redact_url
from .limits import Limits, RequestLimiter
from .login import Login, is_expired
from .pool import Session, SessionPool
from .ratelimit import Clock, Sleep
from .response import Response, SessionHandle, relative, wrap
from .retry import Retrier, RetryPolicy
from .send import QueryParams, Sender
from .stats import TransportStats, logger, redacting_filter

__all__ = ["Transport"]


class Transport:
    """Owns the HTTP sessions of one client: login, retries, limits, logging, errors.

    Args:
        base_url: ``https://<tenant>.sonnyscontrols.com`` (or the sandbox's base URL).
        username: Bot account user name.
        password: Bot account password (never logged, never in an error message).
        transport: An ``httpx.AsyncBaseTransport`` to use instead of the network (the
            sandbox's in-process transport, ``httpx.MockTransport``); shared by every session.
        sessions: Independent logins in the pool (``>= 1``).
        limits: Concurrency and request-rate limits.
        timeout: Seconds (or an ``httpx.Timeout``) for connect, read, write and pool waits.
        retry: Retry policy for idempotent requests.
        user_agent: Overrides the default ``sonnys-async/<version> (+httpx/<version>)``.
        verify: TLS verification, passed to httpx when no ``transport`` is given.
        clock: Monotonic clock for the rate limiter (tests pass a fake one).
        sleep: Awaitable sleep used for retry waits and rate spacing (tests record calls).
    """

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str,
        transport: httpx.AsyncBaseTransport | None = None,
        sessions: int = DEFAULT_SESSIONS,
        limits: Limits | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
        verify: bool = DEFAULT_VERIFY,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.limits = limits or Limits()
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent or USER_AGENT
        self.stats = TransportStats()
        sleep = sleep or anyio.sleep
        self._pool = SessionPool(
            sessions,
            base_url=self.base_url,
            transport=transport,
            verify=verify,
            timeout=timeout,
            user_agent=self.user_agent,
        )
        self._sender = Sender(
            limiter=RequestLimiter(self.limits, clock=clock or anyio.current_time, sleep=sleep),
            retrier=Retrier(self.retry, sleep=sleep, stats=self.stats),
            stats=self.stats,
        )
        self._login = Login(
            username=username,
            password=password,
            sender=self._sender,
            pool=self._pool,
            stats=self.stats,
        )
        self._password = password
        redacting_filter.add_secret(password)
        self._closed = False

    # ------------------------------------------------------------------ public API

    @property
    def sessions(self) -> int:
        """How many pooled sessions are in use (may drop to 1 after thrash)."""
        return len(self._pool.active())

    async def get(
        self,
        path: str,
        params: QueryParams | None = None,
        *,
        session: SessionHandle | None = None,
    ) -> Response:
        """GET a page, retried on transient failures, re-logging in when the session expired.

        Args:
            path: Absolute path (``/employee``), optionally with a query string.
            params: Extra query parameters (order kept, repeated keys allowed).
            session: Pin the request to this pooled session (to read a flash message).

        Returns:
            The response; a 3xx other than a bounce to ``/login`` is returned as-is.

        Raises:
            AuthenticationError: The login was refused, or the session bounced again right after
                a fresh login.
            ServerError: 5xx or 429 through every retry.
            BackofficeTimeoutError: Timed out through every retry.
            TransportError: Connection failures through every retry.
        """
        return await self._request("GET", path, params=params, content=None, pinned=session)

    async def post_form(
        self,
        path: str,
        pairs: Iterable[tuple[str, str]],
        *,
        session: SessionHandle | None = None,
    ) -> Response:
        """POST an urlencoded form (order and repeated keys kept); never retried blindly.

        Only failures that prove nothing reached the server are retried. A bounce to ``/login``
        (nothing was applied) causes one re-login and one replay.

        Args:
            path: The form action (``/employee/insert``).
            pairs: Body entries in order.
            session: Pin the request to this pooled session.

        Returns:
            The response, usually a 302 whose ``location`` tells success from failure. When the
            form bounced back (``?actionXfer=``), ``followed`` holds the page with the server's
            messages, read on the same session before any other request could take them.

        Raises:
            AmbiguousWriteError: The request was sent but the answer was lost.
            AuthenticationError: Login refused, or a second bounce to ``/login``.
            ServerError: The server answered 5xx or 429 (not retried).
            TransportError: The request could not be sent even after retries.
        """
        body = encode_pairs(pairs)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("POST %s body: %s", path, redact_body(body))
        return await self._request(
            "POST", path, params=None, content=body, pinned=session, follow=is_bounce
        )

    async def login(self) -> None:
        """Log every pooled session in now (otherwise it happens lazily on first use).

        Raises:
            AuthenticationError: The server refused the credentials (its message included).
        """
        for sess in self._pool.active():
            await self._login.ensure(sess)

    async def aclose(self) -> None:
        """Close every session's client and the connection pool. Idempotent."""
        if self._closed:
            return
        self._closed = True
        redacting_filter.discard_secret(self._password)
        await self._pool.aclose()

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, username={self.username!r}, "
            f"sessions={self.sessions})"
        )

    # ------------------------------------------------------------------ request pipeline

    async def _request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: QueryParams | None,
        content: bytes | None,
        pinned: SessionHandle | None,
        follow: Callable[[str], bool] | None = None,
    ) -> Response:
        if self._closed:
            raise TransportError("transport is closed", method=method, url=path)
        pool = self._pool
        bounces = 0
        # Session logins made (or awaited) for THIS request: bouncing on one of them again means
        # a fresh login did not help, which no further login will fix (protocol §3.3).
        fresh: set[tuple[int, int]] = set()
        # Bounded even in pathological pools: each session may bounce once more while the
        # thrash detector decides, then the request gives up.
        max_bounces = len(pool.sessions) + 2
        while True:
            sess = pool.pick(pinned)
            sess.busy += 1
            followed: str | None = None
            try:
                hold = sess.gate.exclusive() if follow is not None else sess.gate.shared()
                async with hold:
                    await self._login.ensure(sess)
                    # The login whose cookie actually went out (taken at send time, after any
                    # wait for a slot), so a bounce is blamed on the right login.
                    sent = await self._sender.send(
                        sess,
                        method,
                        path,
                        params=params,
                        content=content,
                        idempotent=method == "GET",
                    )
                    resp = sent.response
                    wrapped = wrap(resp, method=method, session=sess.handle, base_url=self.base_url)
                    expired = is_expired(resp)
                    target = wrapped.location
                    if follow is not None and target and not expired and follow(target):
                        followed = await self._read_followed(sess, target)
            finally:
                sess.busy -= 1
            if not expired:
                pool.note_success(sess)
                return dataclasses.replace(wrapped, followed=followed)
            bounces += 1
            sibling = pool.sibling_logged_in_since(sess, sent.login_seq)
            pool.note_bounce(sess, sent.generation, sent.login_seq)
            url = redact_url(relative(resp.request.url))
            if bounces > max_bounces or ((sess.index, sent.generation) in fresh and not sibling):
                raise AuthenticationError(
                    f"{method} {url}: still sent to the login page after logging in again"
                )
            logger.info(
                "session %d: %s %s met an expired session (HTTP %d); logging in again",
                sess.index,
                method,
                url,
                resp.status_code,
            )
            self.stats.replays += 1
            if sess.retired:
                continue  # the pool shrank: replay on the surviving session
            await self._login.relogin(sess, sent.generation)
            fresh.add((sess.index, sess.generation))

    async def _read_followed(self, sess: Session, location: str) -> str | None:
        """The page a redirect points to, on the same session; ``None`` if it cannot be read."""
        try:
            sent = await self._sender.send(sess, "GET", location, idempotent=True)
        except TransportError:
            return None
        page = sent.response
        if page.status_code != 200 or is_expired(page):
            return None
        return page.text
