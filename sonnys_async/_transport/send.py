"""One logical request on one pooled session: limits, the session cookie, retries, errors, logs.

Below the login flow and the request pipeline: :class:`Sender` sends what it is given, on the
session it is given, and knows nothing of logins or expiry. Every attempt is counted in
:class:`~.stats.TransportStats`; failures leave as :mod:`sonnys_async.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from .._constants import SESSION_COOKIE
from ..redaction import redact_url
from .errors import failed_status, from_httpx, raise_failed_status
from .limits import RequestLimiter
from .pool import Session
from .response import relative
from .retry import Retrier
from .stats import TransportStats, logger, path_template

__all__ = ["QueryParams", "Sender", "Sent"]

QueryParams = Mapping[str, str | int] | Sequence[tuple[str, str | int]]

_FORM: dict[str, str] = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True, slots=True)
class Sent:
    """An answer, and the login (``generation``, ``login_seq``) whose cookie the request carried."""

    response: httpx.Response
    generation: int
    login_seq: int


class Sender:
    """Sends requests on pooled sessions under the shared limits and the retry policy.

    Args:
        limiter: Concurrency and request-rate limits shared by every session.
        retrier: Decides and waits for retries.
        stats: Where every request sent is counted.
    """

    def __init__(self, *, limiter: RequestLimiter, retrier: Retrier, stats: TransportStats) -> None:
        self._limiter = limiter
        self._retrier = retrier
        self._stats = stats

    async def send(
        self,
        sess: Session,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        content: bytes | None = None,
        idempotent: bool,
    ) -> Sent:
        """One logical request with retries (idempotent ones only), limits and logging.

        Args:
            sess: The session to send on.
            method: ``"GET"`` or ``"POST"``.
            path: Absolute path, optionally with a query string.
            params: Extra query parameters (order kept, repeated keys allowed).
            content: An urlencoded form body.
            idempotent: Whether sending it twice is harmless (decides retries and errors).

        Returns:
            The answer (any status but a 5xx or 429) and the login whose cookie it carried.

        Raises:
            ServerError: A 5xx or 429 answer that is not retried (any more).
            AmbiguousWriteError: A non-idempotent request was sent but its fate is unknown.
            BackofficeTimeoutError: Timed out (through every retry, where retried).
            TransportError: Any other httpx failure.
        """
        headers = _FORM if content is not None else {}
        query: list[tuple[str, str | int | float | bool | None]] | None = None
        if params is not None:
            query = list(params.items()) if isinstance(params, Mapping) else list(params)
        url = relative(sess.client.build_request(method, path, params=query).url)
        shown = redact_url(url)
        counted = (method, path_template(url))
        attempt = 0
        while True:
            attempt += 1
            self._stats.requests[counted] += 1
            try:
                sent = await self._send_once(sess, method, url, content, headers)
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
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> Sent:
        async with self._limiter.slot():
            # Cookie and login taken now, after any wait, so the request carries the newest
            # login's session (§3.3 expiry handling depends on knowing which one it carried).
            cookie, generation, login_seq = sess.cookie, sess.generation, sess.login_seq
            sent_headers = dict(headers)
            if cookie is not None:
                sent_headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
            request = sess.client.build_request(method, url, content=content, headers=sent_headers)
            response = await sess.client.send(request)
            # Read inside the slot so a slow body download counts as in flight.
            await response.aread()
        sess.client.cookies.clear()  # the jar is never the source of truth (see Session)
        issued = response.cookies.get(SESSION_COOKIE)
        if issued is not None and sess.cookie == cookie:
            # A cookie set in answer to the current session's own request (GET /login, or an
            # id migrated at login) is the session's; one answering a stale cookie is not.
            sess.cookie = issued
        return Sent(response, generation, login_seq)
