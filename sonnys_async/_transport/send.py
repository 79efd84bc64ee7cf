"""One logical request on one pooled session: limits, the session cookie, retries, errors, logs.

Below the login flow and the request pipeline: :class:`Sender` sends what it is given, on the
session it is given, and knows nothing of logins or expiry (it only notes which login's cookie a
request carried). Every attempt is counted in :class:`~.stats.TransportStats`; failures leave as
:mod:`sonnys_async.errors`. Each body is read under the size cap and its markup checked
(:mod:`.body`, :mod:`sonnys_async.core.guard`) before anyone parses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from .._constants import DEFAULT_MAX_RESPONSE_BYTES, SESSION_COOKIE
from ..errors import PageStructureError, TransportError
from ..redaction import redact_url
from .body import issued_session_cookie, read_capped
from .errors import (
    AmbiguousWriteError,
    ResponseTooLargeError,
    failed_status,
    from_httpx,
    raise_failed_status,
)
from .limits import RequestLimiter
from .markup import MarkupGuard
from .pool import LoginCookie, Session, SessionPool
from .response import relative
from .retry import Retrier
from .stats import TransportStats, logger, path_template

__all__ = ["QueryParams", "Sender", "Sent"]

QueryParams = Mapping[str, str | int] | Sequence[tuple[str, str | int]]

_FORM: Final = (b"Content-Type", b"application/x-www-form-urlencoded")


def build_request(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    query: list[tuple[str, str | int | float | bool | None]] | None,
    content: bytes | None,
) -> httpx.Request:
    """``client.build_request(method, path, params=query, content=content)`` (with the form's
    ``Content-Type`` when there is a body), made directly for an absolute path: the URL parsed
    once rather than three times (httpx merges it with the base URL through two more parses).
    The client's jar stores nothing (see :class:`~.pool.Session`), so it adds no ``Cookie``.
    """
    if not path.startswith("/") or path.startswith("//") or "#" in path:
        return client.build_request(
            method,
            path,
            params=query,
            content=content,
            headers=dict([_FORM]) if content is not None else None,
        )
    # As httpx does: ``params`` (even empty) replace the path's own query string.
    full = str(client.base_url).rstrip("/") + path
    url = httpx.URL(full) if query is None else httpx.URL(full, params=query)
    headers = list(client.headers.raw)
    if content is not None:
        headers.append(_FORM)
    return httpx.Request(
        method,
        url,
        content=content,
        headers=headers,
        extensions={"timeout": client.timeout.as_dict()},
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """An answer, the login (``generation``, ``login_seq``) whose cookie the request carried,
    and ``seen_seq``: how many pool-wide logins had been answered when it was sent."""

    response: httpx.Response
    generation: int
    login_seq: int
    seen_seq: int


def _unusable(
    exc: ResponseTooLargeError | PageStructureError, sess: Session, method: str, url: str
) -> AmbiguousWriteError:
    """The error for a write whose answer arrived but cannot be used (too large, hostile markup).

    The server answered, so the write may have been applied: the caller settles it by reading.
    """
    return AmbiguousWriteError(
        f"{method} {url}: the answer could not be used ({exc}); it may have been applied",
        method=method,
        url=url,
        session=sess.handle,
    )


_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
#: An absolute path (not ``//host``) of unreserved characters, ``%XX`` escapes and ``?&=+``.
#: Longer ones go through httpx's own check (it refuses URLs over 65,536 characters).
_PLAIN_LOCATION_MAX: Final = 2048
_PLAIN_LOCATION: Final = re.compile(r"/(?!/)(?:[A-Za-z0-9._~!$'()*+,;=:@/?&-]|%[0-9A-Fa-f]{2})*")


def _redirect_target(response: httpx.Response) -> None:
    """Raise where ``httpx.AsyncClient.send`` would: a redirect whose ``Location`` httpx cannot
    turn into a URL (it builds the next request even when not following redirects). The answer
    is then unusable, like any other the client cannot read."""
    if response.status_code not in _REDIRECTS:
        return
    location = response.headers.get("location")
    if location is None or (
        len(location) <= _PLAIN_LOCATION_MAX and _PLAIN_LOCATION.fullmatch(location)
    ):
        return  # absent, or a short plain absolute path (every Location of §2.4): httpx takes it
    url = httpx.URL(location)
    if url.scheme and not url.host:
        url = url.copy_with(host=response.request.url.host)
    if url.is_relative_url:
        response.request.url.join(url)


class Sender:
    """Sends requests on pooled sessions under the shared limits and the retry policy.

    Args:
        limiter: Concurrency and request-rate limits shared by every session.
        retrier: Decides and waits for retries.
        stats: Where every request sent is counted.
        pool: The sessions (read for the pool-wide login count at send time).
        max_response_bytes: Largest decoded body read.
        precheck: Called right before each attempt is sent (inside its limiter slot); raises to
            stop it (the login breaker).
    """

    def __init__(
        self,
        *,
        limiter: RequestLimiter,
        retrier: Retrier,
        stats: TransportStats,
        pool: SessionPool,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        precheck: Callable[[], None] | None = None,
    ) -> None:
        self._limiter = limiter
        self._retrier = retrier
        self._stats = stats
        self._pool = pool
        self._max_bytes = max_response_bytes
        self._precheck = precheck
        self._guard = MarkupGuard()

    async def send(
        self,
        sess: Session,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        content: bytes | None = None,
        idempotent: bool,
        login: LoginCookie | None = None,
    ) -> Sent:
        """One logical request with retries (idempotent ones only), limits and logging.

        Args:
            sess: The session to send on.
            method: ``"GET"`` or ``"POST"``.
            path: Absolute path, optionally with a query string.
            params: Extra query parameters (order kept, repeated keys allowed).
            content: An urlencoded form body.
            idempotent: Whether sending it twice is harmless (decides retries and errors).
            login: The cookie of a login in progress, sent (and updated) instead of the
                session's own.

        Returns:
            The answer (any status but a 5xx or 429) and the login whose cookie it carried.

        Raises:
            ServerError: A 5xx or 429 answer that is not retried (any more).
            AmbiguousWriteError: A non-idempotent request was sent but its fate is unknown
                (its answer lost, unreadable, too large or refused by the markup guard).
            BackofficeTimeoutError: Timed out (through every retry, where retried).
            ResponseTooLargeError: The answer to an idempotent request is over the size cap.
            PageStructureError: The answer to an idempotent request failed the markup guard.
            TransportError: Any other httpx failure, or a URL httpx cannot send.
        """
        query: list[tuple[str, str | int | float | bool | None]] | None = None
        if params is not None:
            query = list(params.items()) if isinstance(params, Mapping) else list(params)
        try:
            # Built once: every attempt re-sends this request, with the session cookie of the
            # moment set in its headers (httpx's own build is a third of a small request's CPU).
            request = build_request(sess.client, method, path, query, content)
            url = relative(request.url)
        except (httpx.InvalidURL, httpx.HTTPError, ValueError, UnicodeError) as exc:
            # Nothing was sent: a URL httpx cannot build (e.g. a hostile Location).
            raise TransportError(
                f"{method} {redact_url(path)!r}: not a URL that can be sent: {exc}",
                method=method,
                url=redact_url(path),
            ) from exc
        shown = redact_url(url)
        counted = (method, path_template(url))
        attempt = 0
        while True:
            attempt += 1
            try:
                sent = await self._send_once(sess, request, shown, counted, login)
            except ResponseTooLargeError as exc:
                # Never retried: the same page would come back as large.
                logger.warning("session %d: %s", sess.index, exc)
                if idempotent:
                    raise
                raise _unusable(exc, sess, method, shown) from exc
            except httpx.HTTPError as exc:
                if await self._retrier.after_error(
                    attempt, exc, idempotent=idempotent, method=method, url=shown
                ):
                    continue
                error = from_httpx(
                    exc,
                    method=method,
                    url=shown,
                    applied_unknown=not idempotent,
                    session=sess.handle,
                )
                logger.warning("session %d: %s", sess.index, error)
                raise error from exc
            status = sent.response.status_code
            logger.debug("session %d: %s %s -> %d", sess.index, method, shown, status)
            if not failed_status(status):
                try:
                    # Every parser downstream (the login test included) sees only markup that
                    # passed the guard.
                    self._guard.check(sent.response.text, page=path_template(url))
                except PageStructureError as exc:
                    logger.warning("session %d: %s %s: %s", sess.index, method, shown, exc)
                    if idempotent:
                        raise
                    raise _unusable(exc, sess, method, shown) from exc
                return sent
            if await self._retrier.after_answer(
                attempt, sent.response, idempotent=idempotent, method=method, url=shown
            ):
                continue
            raise_failed_status(
                status,
                method=method,
                url=shown,
                applied_unknown=not idempotent,
                session=sess.handle,
            )

    async def _send_once(
        self,
        sess: Session,
        request: httpx.Request,
        shown: str,
        counted: tuple[str, str],
        login: LoginCookie | None,
    ) -> Sent:
        jar: Session | LoginCookie = sess if login is None else login
        async with self._limiter.slot():
            if self._precheck is not None:
                self._precheck()  # e.g. the login breaker tripped while this waited for a slot
            self._stats.requests[counted] += 1
            # Cookie and login taken now, after any wait, so the request carries the newest
            # login's session (§3.3 expiry handling depends on knowing which one it carried).
            cookie, generation, login_seq = jar.cookie, sess.generation, sess.login_seq
            seen_seq = self._pool.last_login_seq
            if cookie is not None:
                request.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
            elif "Cookie" in request.headers:
                del request.headers["Cookie"]
            try:
                if sess.direct is not None:
                    streamed = await sess.direct.handle_async_request(request)
                    streamed.request = request
                else:
                    streamed = await sess.client.send(request, stream=True)
                # Read inside the slot so a slow body download counts as in flight.
                response = await read_capped(
                    streamed, limit=self._max_bytes, method=request.method, url=shown
                )
                if sess.direct is not None:
                    _redirect_target(response)  # what client.send checked (it raised)
            except (httpx.HTTPError, ResponseTooLargeError):
                raise
            except Exception as exc:
                # httpx failed on what the server sent (a header it cannot encode back, a
                # value its models refuse): the answer is unusable, like a protocol error.
                raise httpx.RemoteProtocolError(
                    f"unusable answer: {type(exc).__name__}: {exc}", request=request
                ) from exc
            finally:
                sess.client.cookies.clear()  # the jar is never the source of truth (see Session)
        issued = issued_session_cookie(response)
        if issued is not None and jar.cookie == cookie:
            # A cookie set in answer to the current session's own request (GET /login, or an
            # id migrated at login) is the session's; one answering a stale cookie is not.
            jar.cookie = issued
        return Sent(response, generation, login_seq, seen_seq)
