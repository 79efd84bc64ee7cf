"""The one HTTP seam: sessions, login, retries, limits, logging and error translation.

Everything the library sends goes through :class:`Transport`, which owns one
``httpx.AsyncClient`` (one cookie jar) per pooled session. Callers get a small frozen
:class:`Response` and never see httpx exceptions: they are translated at the boundary
(:func:`_map_httpx_errors`) into :mod:`sonnys_async.errors` and chained with ``from``.

Behaviour, with the protocol sections it rests on:

- Lazy login (§3): ``GET /login`` (PHPSESSID is issued there), then ``POST /login_check``; success
  is a 302 to ``/``, a 302 back to ``/login`` is a refusal whose reason the next ``GET /login``
  shows in its alert block.
- Redirects are never followed (§2.3, §2.4): a 302 comes back with its relative ``location``.
- Session expiry (§3.3 and the sandbox contract): a 302 to ``/login``, a login page served with
  200, or 401/403. The session logs in again, single-flight (concurrent requests that meet the same
  expiry wait for one login), and the request is replayed once. A POST that bounced to ``/login``
  was not applied, so replaying it once is safe.
- GETs are retried on connection errors, timeouts, 5xx and 429 with exponential backoff, jitter and
  ``Retry-After``. POSTs are never retried blindly: only failures that prove the request never
  reached the server (connect errors, connect and pool timeouts) are retried; a timeout or a
  dropped connection after sending raises :class:`AmbiguousWriteError`.
- A pool of ``sessions`` independent logins spreads requests (least busy first), because PHP's file
  sessions serve one request at a time per cookie (style guide §7). If the server ends older
  sessions whenever a new one logs in, the pool notices the thrash and shrinks to one session.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import random
import re
import time
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Final, Literal
from urllib.parse import urlsplit

import anyio
import httpx
from selectolax.lexbor import LexborHTMLParser

from . import _constants as C
from ._redact import RedactingFilter, redact_body, redact_url
from .core.forms import encode_pairs
from .core.text import is_digits
from .errors import AuthenticationError, BackofficeTimeoutError, ServerError, TransportError

__all__ = [
    "AmbiguousWriteError",
    "Limits",
    "Response",
    "RetryPolicy",
    "SessionHandle",
    "Transport",
    "TransportStats",
    "set_testing",
]

logger = logging.getLogger(C.LOGGER_NAME)
_redacting_filter = RedactingFilter()
if not any(isinstance(f, RedactingFilter) for f in logger.filters):
    # Defence in depth: anything logged on our logger is scrubbed even if a message slipped.
    logger.addFilter(_redacting_filter)

QueryParams = Mapping[str, str | int] | Sequence[tuple[str, str | int]]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

_TESTING = False


def set_testing(on: bool) -> None:
    """Globally remove (or restore) every retry and ``Retry-After`` wait, like stamina's switch.

    Meant for test suites: retries still happen, they just do not sleep. The request-rate
    limiter is not affected (it is a promise to the server, not a courtesy).

    Args:
        on: ``True`` to stop waiting between retries, ``False`` to wait again.
    """
    global _TESTING
    _TESTING = on


class AmbiguousWriteError(TransportError):
    """A POST was sent but the exchange broke before the answer: it may or may not be applied.

    Raised for read timeouts, dropped connections and protocol errors after the request left,
    and for a 5xx answer to a POST (a proxy may answer 502/504 after the application committed).
    The caller settles it by reading server state (never by resending). ``method`` and ``url``
    name the request; ``session`` is the pooled session that sent it: reads that settle the
    outcome go to that session, so PHP's per-session lock orders them after the POST.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        method: str | None = None,
        session: SessionHandle | None = None,
    ) -> None:
        super().__init__(message, url=url, method=method)
        self.session = session


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How idempotent requests (GETs, login) are retried.

    The n-th wait is ``wait_initial * 2 ** (n - 1)`` capped by ``wait_max``, plus up to
    ``wait_jitter`` seconds of random jitter; a ``Retry-After`` header (seconds or an HTTP
    date) raises the wait to what the server asked, up to ``retry_after_max``.

    Args:
        attempts: Total tries, the first included (``1`` disables retries).
        wait_initial: First backoff in seconds.
        wait_max: Cap of the exponential part.
        wait_jitter: Maximum random seconds added to each wait.
        retry_after_max: A longer ``Retry-After`` is shortened to this many seconds.
    """

    attempts: int = C.DEFAULT_RETRY_ATTEMPTS
    wait_initial: float = C.DEFAULT_WAIT_INITIAL
    wait_max: float = C.DEFAULT_WAIT_MAX
    wait_jitter: float = C.DEFAULT_WAIT_JITTER
    retry_after_max: float = C.DEFAULT_RETRY_AFTER_MAX

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if min(self.wait_initial, self.wait_max, self.wait_jitter, self.retry_after_max) < 0:
            raise ValueError("RetryPolicy waits must not be negative")

    @classmethod
    def no_wait(cls, attempts: int = C.DEFAULT_RETRY_ATTEMPTS) -> RetryPolicy:
        """A policy that retries as usual but never sleeps (for tests).

        Args:
            attempts: Total tries, the first included.

        Returns:
            A policy with every wait, the jitter and ``Retry-After`` honouring set to zero.
        """
        return cls(
            attempts=attempts, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0, retry_after_max=0.0
        )

    def wait(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 = the first retry).

        Args:
            retry: Which retry this is, starting at 1.
            retry_after: The server's ``Retry-After`` in seconds, if it sent one.

        Returns:
            The wait in seconds (0 under :func:`set_testing`).
        """
        if _TESTING:
            return 0.0
        backoff = min(self.wait_max, self.wait_initial * 2.0 ** (retry - 1))
        if self.wait_jitter:
            backoff += random.uniform(0, self.wait_jitter)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.retry_after_max))
        return backoff


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits shared by every pooled session.

    Args:
        max_concurrency: Requests in flight at once (login requests included).
        max_per_second: Requests started per second, evenly spaced; ``None`` = unlimited.
    """

    max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY
    max_per_second: float | None = C.DEFAULT_MAX_PER_SECOND

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise ValueError("Limits.max_concurrency must be at least 1")
        if self.max_per_second is not None and self.max_per_second <= 0:
            raise ValueError("Limits.max_per_second must be positive (or None)")


@dataclass(frozen=True, slots=True)
class SessionHandle:
    """Names one pooled session (cookie jar); pass it back to pin a follow-up request.

    Flash messages live in the server-side session (protocol §2.4, §16.1), so the GET that reads
    the messages of a rejected POST must use the session that made the POST.
    """

    index: int


@dataclass(frozen=True, slots=True)
class Response:
    """What the transport returns: status, where it went, and the page text.

    Attributes:
        status: HTTP status code (redirects are not followed, so 302 is common).
        method: ``"GET"`` or ``"POST"``.
        url: Path plus query of the final request (relative, like the server's ``Location``).
        text: The decoded body.
        location: The ``Location`` header as a relative path (``None`` when absent).
        session: The pooled session that served the request.
        followed: The body of the page ``location`` points to, fetched on the same session
            before any other request could use it, when the caller asked for it (see
            ``Transport.post_form``); ``None`` otherwise.
    """

    status: int
    method: str
    url: str
    text: str = field(repr=False)
    location: str | None
    session: SessionHandle
    followed: str | None = field(default=None, repr=False)

    @property
    def is_redirect(self) -> bool:
        """True for a 3xx answer with a ``Location``."""
        return 300 <= self.status < 400 and self.location is not None


@dataclass
class TransportStats:
    """Counters for request-count tests and diagnostics.

    ``requests`` counts every HTTP request sent (login traffic and retries included) by
    ``(method, path template)``, where numeric path segments read ``{id}``
    (``("GET", "/employee/edit/{id}")``).
    """

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    logins: int = 0
    relogins: int = 0
    retries: int = 0
    replays: int = 0

    @property
    def total(self) -> int:
        """Every request sent."""
        return sum(self.requests.values())

    @property
    def total_without_login(self) -> int:
        """Requests sent, minus ``GET /login`` and ``POST /login_check``."""
        login = self.requests[("GET", C.LOGIN_PATH)] + self.requests[("POST", C.LOGIN_CHECK_PATH)]
        return self.total - login

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests matching a method and/or a path template (``None`` matches anything)."""
        return sum(
            n
            for (m, p), n in self.requests.items()
            if (method is None or m == method) and (path is None or p == path)
        )

    def reset(self) -> None:
        """Zero every counter."""
        self.requests.clear()
        self.logins = self.relogins = self.retries = self.replays = 0


_DIGITS_SEGMENT: Final = re.compile(r"/\d+(?=/|$)")


def path_template(path: str) -> str:
    """``/employee/edit/485?x=1`` -> ``/employee/edit/{id}`` (query dropped)."""
    return _DIGITS_SEGMENT.sub("/{id}", urlsplit(path).path or "/")


def _location_path(location: str | None) -> str | None:
    if location is None:
        return None
    return urlsplit(location).path


def _is_login_page(text: str) -> bool:
    # Same rule as the reference client (protocol §3.3): both login inputs present.
    return 'name="_username"' in text and 'name="_password"' in text


def _login_alert(text: str) -> str | None:
    """The danger alert of a login page (protocol §2.5), without the ``Error:`` label."""
    tree = LexborHTMLParser(text)
    node = tree.css_first(".alerts-server .alert-danger") or tree.css_first(".alert-danger")
    if node is None:
        return None
    label = node.css_first(".sr-only")
    words = node.text(separator=" ")
    if label is not None:
        words = words.replace(label.text(), "", 1)
    message = " ".join(words.split())
    return message or None


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if is_digits(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@contextlib.contextmanager
def _map_httpx_errors(
    method: str, url: str, *, applied_unknown: bool, session: SessionHandle | None = None
) -> Iterator[None]:
    """Translate httpx exceptions into the library's tree (``from`` keeps the original).

    Args:
        method: Request method, for the error's context.
        url: Path and query, for the error's context.
        applied_unknown: True for non-idempotent requests: an error after sending becomes
            :class:`AmbiguousWriteError`.
    """
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        # Nothing reached the server: safe to report as a plain failure for every method.
        cls = BackofficeTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
        raise cls(f"{method} {url}: {type(exc).__name__}: {exc}", method=method, url=url) from exc
    except httpx.TransportError as exc:
        what = f"{method} {url}: {type(exc).__name__}: {exc}"
        if applied_unknown:
            raise AmbiguousWriteError(
                f"{what} (sent, but the answer was lost; it may have been applied)",
                method=method,
                url=url,
                session=session,
            ) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise BackofficeTimeoutError(what, method=method, url=url) from exc
        raise TransportError(what, method=method, url=url) from exc
    except httpx.HTTPError as exc:
        raise TransportError(f"{method} {url}: {exc}", method=method, url=url) from exc


def _retryable_error(method: str, exc: httpx.HTTPError) -> bool:
    if method == "GET":
        return isinstance(exc, httpx.TransportError)
    # Nothing reached the server, so resending cannot duplicate anything.
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


class _RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart (no bursts), on a given clock."""

    def __init__(self, rate: float, clock: Clock, sleep: Sleep) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    async def wait(self) -> None:
        now = self._clock()
        slot = max(now, self._next)
        # Reserve the slot before sleeping so concurrent callers queue up behind it.
        self._next = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


class _Gate:
    """Shared/exclusive access to one session, so a redirect's flash message reaches its reader.

    Symfony renders a flash message (the errors of a bounced form, protocol §2.4, §16.1) on the
    *next* page the session requests, whoever requests it. A request that must read the page its
    redirect points to (a rejected POST's ``?actionXfer=`` page) holds its session exclusively
    from before it is sent until that page is read; other requests share the session freely.
    PHP serves one request per session at a time anyway, so the exclusivity costs little.
    Waiting writers block new readers, so a busy session cannot starve a POST.
    """

    # All state changes happen on the event loop's one thread between awaits, so plain counters
    # suffice; an Event (replaced after each set) wakes whoever waits for a change.

    def __init__(self) -> None:
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0
        self._changed = anyio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        while self._writer or self._writers_waiting:
            await self._changed.wait()
        self._readers += 1
        try:
            yield
        finally:
            self._readers -= 1
            if not self._readers:
                self._notify()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        self._writers_waiting += 1
        try:
            while self._writer or self._readers:
                await self._changed.wait()
        finally:
            self._writers_waiting -= 1
            self._notify()  # readers held back by this waiter may go if it was cancelled
        self._writer = True
        try:
            yield
        finally:
            self._writer = False
            self._notify()


class _Session:
    """One pooled login: a cookie jar (its own ``httpx.AsyncClient``) and its login state."""

    def __init__(self, index: int, client: httpx.AsyncClient) -> None:
        self.index = index
        self.handle = SessionHandle(index)
        self.client = client
        self.generation = 0  # bumped by every successful login
        self.login_seq = 0  # the pool-wide login sequence number of this session's last login
        self.login_lock = anyio.Lock()
        self.busy = 0
        self.gate = _Gate()
        # The session cookie of the current login, sent explicitly with every request. httpx's
        # jar is not trusted: a late answer to a request sent before a re-login carries the
        # server's new *anonymous* cookie and would overwrite the fresh login's one.
        self.cookie: str | None = None
        self.retired = False
        self.struck_generation = -1  # the login that already cost a thrash strike

    @property
    def logged_in(self) -> bool:
        return self.generation > 0


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
        sessions: int = C.DEFAULT_SESSIONS,
        limits: Limits | None = None,
        timeout: float | httpx.Timeout = C.DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        user_agent: str | None = None,
        verify: bool = True,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if sessions < 1:
            raise ValueError("sessions must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        _redacting_filter.add_secret(password)
        self.limits = limits or Limits()
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent or C.USER_AGENT
        self.stats = TransportStats()
        self._clock: Clock = clock or anyio.current_time
        self._sleep: Sleep = sleep or anyio.sleep
        self._capacity = anyio.CapacityLimiter(self.limits.max_concurrency)
        self._rate = (
            _RateLimiter(self.limits.max_per_second, self._clock, self._sleep)
            if self.limits.max_per_second
            else None
        )
        self._user_transport = transport
        self._verify = verify
        self._timeout = timeout
        self._sessions = [self._new_session(i) for i in range(sessions)]
        self._round_robin = itertools.count()
        self._login_seq = 0
        self._coexistence_proven = sessions == 1
        self._strikes = 0
        self._shrunk = False
        self._closed = False

    # ------------------------------------------------------------------ public API

    @property
    def sessions(self) -> int:
        """How many pooled sessions are in use (may drop to 1 after thrash)."""
        return sum(not s.retired for s in self._sessions)

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
            "POST", path, params=None, content=body, pinned=session, follow=_is_bounce
        )

    async def login(self) -> None:
        """Log every pooled session in now (otherwise it happens lazily on first use).

        Raises:
            AuthenticationError: The server refused the credentials (its message included).
        """
        for sess in self._active():
            await self._ensure_logged_in(sess)

    async def aclose(self) -> None:
        """Close every session's client and the connection pool. Idempotent."""
        if self._closed:
            return
        self._closed = True
        _redacting_filter.discard_secret(self._password)
        for sess in self._sessions:
            await sess.client.aclose()
        if self._user_transport is not None:
            # Shared by every session, so closed once here (httpx's rule: a client owns the
            # transport it was given).
            await self._user_transport.aclose()

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, username={self.username!r}, "
            f"sessions={self.sessions})"
        )

    # ------------------------------------------------------------------ sessions

    def _new_session(self, index: int) -> _Session:
        # Without an injected transport each session gets httpx's default one, which honours
        # proxy environment variables and ``verify``; an injected one is shared but closed once.
        shared = _Shared(self._user_transport) if self._user_transport is not None else None
        client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=shared,
            verify=self._verify,
            timeout=self._timeout,
            follow_redirects=False,  # protocol §2.4: the Location *is* the answer
            headers={"User-Agent": self.user_agent},
        )
        return _Session(index, client)

    def _active(self) -> list[_Session]:
        return [s for s in self._sessions if not s.retired]

    def _pick(self, pinned: SessionHandle | None) -> _Session:
        if pinned is not None and pinned.index < len(self._sessions):
            sess = self._sessions[pinned.index]
            if not sess.retired:
                return sess
        active = self._active()
        start = next(self._round_robin) % len(active)
        rotated = active[start:] + active[:start]
        return min(rotated, key=lambda s: s.busy)

    async def _ensure_logged_in(self, sess: _Session) -> None:
        if sess.logged_in:
            return
        async with sess.login_lock:
            if not sess.logged_in:
                await self._login(sess)

    async def _relogin(self, sess: _Session, seen_generation: int) -> None:
        """Log ``sess`` in again unless another task already did since ``seen_generation``."""
        async with sess.login_lock:
            if sess.generation != seen_generation:
                return  # single flight: someone else logged in while we waited
            self.stats.relogins += 1
            await self._login(sess)

    async def _login(self, sess: _Session) -> None:
        # A fresh cookie: the old PHPSESSID is dead, and GET /login issues a new one (§3.1).
        sess.cookie = None
        await self._send(sess, "GET", C.LOGIN_PATH, idempotent=True)
        body = encode_pairs([("_username", self.username), ("_password", self._password)])
        # Re-sending credentials cannot duplicate anything, so the login POST retries like a GET.
        resp, *_ = await self._send(sess, "POST", C.LOGIN_CHECK_PATH, content=body, idempotent=True)
        location = resp.headers.get("location")
        if resp.status_code in (301, 302, 303) and _location_path(location) != C.LOGIN_PATH:
            self._login_seq += 1
            sess.login_seq = self._login_seq
            sess.generation += 1
            self.stats.logins += 1
            logger.info("session %d: logged in as %r", sess.index, self.username)
            return
        reason = "the server kept the login form"
        if resp.status_code in (301, 302, 303):
            # The refusal's reason is a flash message on the next GET /login (sandbox contract A).
            page, *_ = await self._send(sess, "GET", C.LOGIN_PATH, idempotent=True)
            reason = _login_alert(page.text) or reason
        elif resp.status_code == 200:
            reason = _login_alert(resp.text) or reason
        else:
            reason = f"unexpected HTTP {resp.status_code} from {C.LOGIN_CHECK_PATH}"
        logger.warning("session %d: login as %r refused: %s", sess.index, self.username, reason)
        raise AuthenticationError(f"login as {self.username!r} refused: {reason}")

    # ------------------------------------------------------------------ thrash detection

    def _note_success(self, sess: _Session) -> None:
        if self._coexistence_proven:
            return
        if any(o is not sess and o.login_seq > sess.login_seq for o in self._sessions):
            # A sibling logged in after this session and this one still works: the server
            # allows parallel sessions, so later bounces are ordinary expiries.
            self._coexistence_proven = True
            self._strikes = 0

    def _sibling_logged_in_since(self, sess: _Session, login_seq: int) -> bool:
        return any(o is not sess and o.login_seq > login_seq for o in self._sessions)

    def _note_bounce(self, sess: _Session, generation: int, login_seq: int) -> None:
        """Count a thrash strike: ``sess`` (as logged in at ``login_seq``) bounced after a
        sibling logged in. One strike per session login, however many requests bounced."""
        if self._coexistence_proven or self._shrunk or sess.struck_generation == generation:
            return
        if not self._sibling_logged_in_since(sess, login_seq):
            return
        sess.struck_generation = generation
        self._strikes += 1
        threshold = len(self._sessions) * C.THRASH_STRIKES_PER_SESSION + 1
        if self._strikes < threshold:
            return
        # New logins keep ending older ones (one session per user): keep the newest session.
        survivor = max(self._sessions, key=lambda s: s.login_seq)
        for other in self._sessions:
            other.retired = other is not survivor
        self._shrunk = True
        logger.warning(
            "the server ends older sessions when a new one logs in; "
            "continuing with 1 session instead of %d",
            len(self._sessions),
        )

    # ------------------------------------------------------------------ request pipeline

    @staticmethod
    def _expired(resp: httpx.Response) -> bool:
        if resp.status_code in (401, 403):
            return True
        if resp.status_code in (301, 302, 303, 307, 308):
            return _location_path(resp.headers.get("location")) == C.LOGIN_PATH
        return resp.status_code == 200 and _is_login_page(resp.text)

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
        bounces = 0
        # Session logins made (or awaited) for THIS request: bouncing on one of them again means
        # a fresh login did not help, which no further login will fix (protocol §3.3).
        fresh: set[tuple[int, int]] = set()
        # Bounded even in pathological pools: each session may bounce once more while the
        # thrash detector decides, then the request gives up.
        max_bounces = len(self._sessions) + 2
        while True:
            sess = self._pick(pinned)
            sess.busy += 1
            followed: str | None = None
            try:
                hold = sess.gate.exclusive() if follow is not None else sess.gate.shared()
                async with hold:
                    await self._ensure_logged_in(sess)
                    # The login whose cookie actually went out (taken at send time, after any
                    # wait for a slot), so a bounce is blamed on the right login.
                    resp, generation, login_seq = await self._send(
                        sess,
                        method,
                        path,
                        params=params,
                        content=content,
                        idempotent=method == "GET",
                    )
                    wrapped = self._wrap(sess, method, resp)
                    expired = self._expired(resp)
                    target = wrapped.location
                    if follow is not None and target and not expired and follow(target):
                        followed = await self._read_followed(sess, target)
            finally:
                sess.busy -= 1
            if not expired:
                self._note_success(sess)
                return dataclasses.replace(wrapped, followed=followed)
            bounces += 1
            sibling = self._sibling_logged_in_since(sess, login_seq)
            self._note_bounce(sess, generation, login_seq)
            url = redact_url(_relative(resp.request.url))
            if bounces > max_bounces or ((sess.index, generation) in fresh and not sibling):
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
            await self._relogin(sess, generation)
            fresh.add((sess.index, sess.generation))

    async def _read_followed(self, sess: _Session, location: str) -> str | None:
        """The page a redirect points to, on the same session; ``None`` if it cannot be read."""
        try:
            page, *_ = await self._send(sess, "GET", location, idempotent=True)
        except TransportError:
            return None
        if page.status_code != 200 or self._expired(page):
            return None
        return page.text

    def _wrap(self, sess: _Session, method: str, resp: httpx.Response) -> Response:
        location = resp.headers.get("location")
        if location is not None and location.startswith(self.base_url):
            location = location[len(self.base_url) :] or "/"
        return Response(
            status=resp.status_code,
            method=method,
            url=_relative(resp.request.url),
            text=resp.text,
            location=location,
            session=sess.handle,
        )

    async def _send(
        self,
        sess: _Session,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        content: bytes | None = None,
        idempotent: bool,
    ) -> tuple[httpx.Response, int, int]:
        """One logical request with retries (idempotent ones only), limits and logging.

        Returns:
            The response, and the ``generation`` / ``login_seq`` of the login whose cookie the
            request carried.
        """
        headers = (
            {"Content-Type": "application/x-www-form-urlencoded"} if content is not None else {}
        )
        query: list[tuple[str, str | int | float | bool | None]] | None = None
        if params is not None:
            query = list(params.items()) if isinstance(params, Mapping) else list(params)
        url = _relative(sess.client.build_request(method, path, params=query).url)
        shown = redact_url(url)
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            self.stats.requests[(method, path_template(url))] += 1
            try:
                with _map_httpx_errors(
                    method, shown, applied_unknown=not idempotent, session=sess.handle
                ):
                    try:
                        resp, generation, login_seq = await self._send_once(
                            sess, method, url, content, headers
                        )
                    except httpx.HTTPError as exc:
                        retry_ok = _retryable_error("GET" if idempotent else "POST", exc)
                        if retry_ok and attempt < attempts:
                            await self._wait_retry(
                                attempt, method, shown, f"{type(exc).__name__}: {exc}", None
                            )
                            continue
                        raise
            except TransportError as exc:
                logger.warning("session %d: %s", sess.index, exc)
                raise
            status = resp.status_code
            logger.debug("session %d: %s %s -> %d", sess.index, method, shown, status)
            if status >= 500 or status == 429:
                if idempotent and attempt < attempts:
                    retry_after = _retry_after(resp.headers)
                    await self._wait_retry(attempt, method, shown, f"HTTP {status}", retry_after)
                    continue
                if idempotent or status == 429:
                    raise ServerError(
                        f"{method} {shown}: HTTP {status}", status=status, url=shown, method=method
                    )
                # A 5xx to a POST proves nothing: a proxy may answer 502/504 after the
                # application committed the write. The caller settles it by reading.
                raise AmbiguousWriteError(
                    f"{method} {shown}: HTTP {status} (not retried: it may have been applied)",
                    method=method,
                    url=shown,
                    session=sess.handle,
                ) from ServerError(
                    f"{method} {shown}: HTTP {status}", status=status, url=shown, method=method
                )
            return resp, generation, login_seq
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(
        self,
        sess: _Session,
        method: str,
        url: str,
        content: bytes | None,
        headers: dict[str, str],
    ) -> tuple[httpx.Response, int, int]:
        async with self._capacity:
            if self._rate is not None:
                await self._rate.wait()
            # Cookie and login taken now, after any wait, so the request carries the newest
            # login's session (§3.3 expiry handling depends on knowing which one it carried).
            cookie, generation, login_seq = sess.cookie, sess.generation, sess.login_seq
            sent_headers = dict(headers)
            if cookie is not None:
                sent_headers["Cookie"] = f"{C.SESSION_COOKIE}={cookie}"
            request = sess.client.build_request(method, url, content=content, headers=sent_headers)
            response = await sess.client.send(request)
            # Read inside the capacity slot so a slow body download counts as in flight.
            await response.aread()
        sess.client.cookies.clear()  # the jar is never the source of truth (see _Session)
        issued = response.cookies.get(C.SESSION_COOKIE)
        if issued is not None and sess.cookie == cookie:
            # A cookie set in answer to the current session's own request (GET /login, or an
            # id migrated at login) is the session's; one answering a stale cookie is not.
            sess.cookie = issued
        return response, generation, login_seq

    async def _wait_retry(
        self, attempt: int, method: str, url: str, reason: str, retry_after: float | None
    ) -> None:
        self.stats.retries += 1
        delay = self.retry.wait(attempt, retry_after)
        logger.info(
            "retrying %s %s in %.2f s (attempt %d of %d): %s",
            method,
            url,
            delay,
            attempt + 1,
            self.retry.attempts,
            reason,
        )
        if delay > 0:
            await self._sleep(delay)


class _Shared(httpx.AsyncBaseTransport):
    """Lends one injected transport to several clients; closing a client leaves it open."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None


def _is_bounce(location: str) -> bool:
    """A form POST sent back to its form with messages (protocol §2.4)."""
    return "actionXfer=" in location


def _relative(url: httpx.URL) -> str:
    return url.raw_path.decode("ascii")
