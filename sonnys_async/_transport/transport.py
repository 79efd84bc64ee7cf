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
   in again, single-flight, and the request is replayed on it. A POST that bounced to ``/login``
   was not applied, so replaying it is safe. If the server ends older sessions whenever a new
   one logs in, the pool notices (:mod:`.pool`) and keeps one session; requests of the others
   move to it. A second bounce right after a login that served nothing fails the request:
   logging in does not help it. A refused login, or a login storm, stops every request
   (:mod:`.breaker`).

Only :mod:`sonnys_async.errors` leave :meth:`Transport.get`, :meth:`Transport.post_form` and
:meth:`Transport.login` (cancellation aside): anything else is a bug, translated at this
boundary into :class:`~sonnys_async.errors.TransportError` (for a write,
:class:`~.errors.AmbiguousWriteError`: it may have been sent).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal, TypeVar

import anyio
import httpx

from .._constants import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_SESSIONS,
    DEFAULT_TIMEOUT,
    DEFAULT_VERIFY,
    MAX_REPLAYS_PER_REQUEST,
    USER_AGENT,
)
from ..core.pages import is_bounce
from ..errors import AuthenticationError, BackofficeError, PageStructureError, TransportError
from ..redaction import protect_http_loggers, redact_body, redact_url
from .breaker import LoginBreaker
from .errors import AmbiguousWriteError
from .formbody import FormEncoder
from .limits import Limits, RequestLimiter
from .login import Login, is_expired
from .pool import Session, SessionPool
from .ratelimit import Clock, Sleep
from .response import Response, SessionHandle, relative, wrap
from .retry import Retrier, RetryPolicy
from .send import QueryParams, Sender
from .stats import TransportStats, logger, redacting_filter

__all__ = ["Transport"]

_T = TypeVar("_T")


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
        max_response_bytes: Largest answer body read (decoded); a larger one raises
            :class:`~.errors.ResponseTooLargeError` (for a POST, :class:`AmbiguousWriteError`).
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be positive")
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
        self._breaker = LoginBreaker(sessions)
        self._sender = Sender(
            limiter=RequestLimiter(self.limits, clock=clock or anyio.current_time, sleep=sleep),
            retrier=Retrier(self.retry, sleep=sleep, stats=self.stats),
            stats=self.stats,
            pool=self._pool,
            max_response_bytes=max_response_bytes,
            precheck=self._breaker.check,
        )
        self._login = Login(
            username=username,
            password=password,
            sender=self._sender,
            pool=self._pool,
            stats=self.stats,
            breaker=self._breaker,
        )
        self._password = password
        self._form = FormEncoder()
        redacting_filter.add_secret(password)
        # httpx and httpcore log request lines and, at DEBUG, response headers (Set-Cookie).
        protect_http_loggers(redacting_filter)
        self._closed = False

    # ------------------------------------------------------------------ public API

    @property
    def sessions(self) -> int:
        """How many pooled sessions are in use (1 while the server seems to allow one per user)."""
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
            AuthenticationError: The login was refused (now or earlier), logins stopped (login
                storm), or the session bounced again right after a login that served nothing.
            ServerError: 5xx or 429 through every retry.
            BackofficeTimeoutError: Timed out through every retry.
            ResponseTooLargeError: The page is over ``max_response_bytes``.
            PageStructureError: The page's markup was refused by the guard
                (:mod:`sonnys_async.core.guard`).
            TransportError: Connection failures through every retry.
        """
        return await self._boundary(
            "GET", path, self._request("GET", path, params=params, content=None, pinned=session)
        )

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
            AmbiguousWriteError: The request was sent but the answer was lost, or could not be
                used (too large, refused by the markup guard).
            AuthenticationError: Login refused (now or earlier), logins stopped, or a second
                bounce to ``/login`` right after a login that served nothing.
            ServerError: The server answered 5xx or 429 (not retried).
            TransportError: The request could not be sent even after retries.
        """
        body = self._form.encode(pairs)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("POST %s body: %s", path, redact_body(body))
        return await self._boundary(
            "POST",
            path,
            self._request(
                "POST", path, params=None, content=body, pinned=session, follow=is_bounce
            ),
        )

    async def login(self) -> None:
        """Log every pooled session in now (otherwise it happens lazily on first use).

        While the server seems to allow one session per user, only the sessions in use are.

        Raises:
            AuthenticationError: The server refused the credentials (its message included), now
                or on an earlier login of this transport.
        """

        async def all_sessions() -> None:
            for sess in self._pool.active():
                await self._login.ensure(sess)

        await self._boundary("GET", "/login", all_sessions())

    async def check_login(self, username: str, password: str) -> bool:
        """Whether the tenant accepts these credentials (another user's, e.g. after a password
        reset): one login on a throwaway session. The pool's sessions and the bot's own login
        state are not touched; the password never reaches a log.

        Returns:
            ``True`` when the login was accepted.

        Raises:
            TransportError: The login page could not be reached.
        """
        redacting_filter.add_secret(password)
        sess = self._pool.spare()
        try:
            checked: bool = await self._boundary(
                "GET", "/login_check", self._login.check(sess, username, password)
            )
            return checked
        finally:
            await sess.client.aclose()
            redacting_filter.discard_secret(password)

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

    async def _boundary(self, method: str, path: str, work: Awaitable[_T]) -> _T:
        """Await ``work``, letting only :mod:`sonnys_async.errors` out (cancellation aside)."""
        try:
            return await work
        except BackofficeError:
            raise
        except Exception as exc:  # a bug, or a hostile answer no rule foresaw
            url = redact_url(path)
            logger.error("%s %s: unexpected %s", method, url, type(exc).__name__, exc_info=True)
            what = f"{method} {url}: unexpected {type(exc).__name__} while handling the exchange"
            if method == "POST":
                raise AmbiguousWriteError(
                    f"{what}; it may have been applied", method=method, url=url
                ) from exc
            raise TransportError(what, method=method, url=url) from exc

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
        replays = 0
        # Session logins made (or awaited) for THIS request: bouncing on one of them again, when
        # it served nothing, means a fresh login did not help, which no further login will fix.
        fresh: set[tuple[int, int]] = set()
        target = pinned
        while True:
            self._breaker.check()
            sess = pool.pick(target)
            sess.busy += 1
            followed: str | None = None
            try:
                hold = sess.gate.exclusive() if follow is not None else sess.gate.shared()
                async with hold:
                    if not await self._login.ensure(sess):
                        continue  # the pool takes no new session now: pick again
                    sent = await self._sender.send(
                        sess,
                        method,
                        path,
                        params=params,
                        content=content,
                        idempotent=method == "GET",
                    )
                    resp = sent.response
                    expired = is_expired(resp)
                    if not expired:
                        # Counted before any other await, so a sibling's bounce sees it.
                        pool.note_success(sess, sent.generation, sent.login_seq, sent.seen_seq)
                        self._breaker.served(sess.served)
                    wrapped = wrap(resp, method=method, session=sess.handle, base_url=self.base_url)
                    location = wrapped.location
                    if follow is not None and location and not expired and follow(location):
                        followed = await self._read_followed(sess, location)
            finally:
                sess.busy -= 1
            if not expired:
                return dataclasses.replace(wrapped, followed=followed)
            replays += 1
            url = redact_url(relative(resp.request.url))
            pool.note_bounce(sess, sent.generation, sent.login_seq, sent.seen_seq)
            current = sent.generation == sess.generation
            futile = (
                current
                and (sess.index, sent.generation) in fresh
                and sess.served == 0
                and sess.busy == 0
                and not pool.sibling_logged_in_since(sess, sent.login_seq)
            )
            if futile:
                raise AuthenticationError(
                    f"{method} {url}: still sent to the login page after logging in again"
                )
            if replays > MAX_REPLAYS_PER_REQUEST:
                raise AuthenticationError(
                    f"{method} {url}: sent to the login page {replays} times in a row "
                    "(the server keeps ending sessions)"
                )
            logger.info(
                "session %d: %s %s met an expired session (HTTP %d); %s",
                sess.index,
                method,
                url,
                resp.status_code,
                "moving to the surviving session" if sess.retired else "logging in again",
            )
            self.stats.replays += 1
            if sess.retired:
                target = None  # the pool shrank: replay on the surviving session
                continue
            await self._login.relogin(sess, sent.generation)
            if sess.retired:
                target = None  # the pool shrank while this waited: replay on the survivor
                continue
            fresh.add((sess.index, sess.generation))
            target = sess.handle  # replay where the new login is

    async def _read_followed(self, sess: Session, location: str) -> str | None:
        """The page a redirect points to, on the same session; ``None`` if it cannot be read.

        Only a path on this tenant is read (a ``Location`` to another host is never sent the
        session cookie).
        """
        if not location.startswith("/") or location.startswith(("//", "/\\")):
            return None
        try:
            sent = await self._sender.send(sess, "GET", location, idempotent=True)
        except (TransportError, PageStructureError):
            return None
        page = sent.response
        if page.status_code != 200 or is_expired(page):
            return None
        return page.text
