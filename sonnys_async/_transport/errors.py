"""httpx failures and failed answers translated into :mod:`sonnys_async.errors`.

Callers never see httpx exceptions: :func:`from_httpx` maps them at the boundary (the caller
chains the original with ``from``), and :func:`raise_failed_status` turns a 5xx or 429 answer
into :class:`~sonnys_async.errors.ServerError`, or, for a write whose fate it leaves open, into
:class:`AmbiguousWriteError`.
"""

from __future__ import annotations

from typing import Final, NoReturn

import httpx

from ..errors import BackofficeTimeoutError, ServerError, TransportError
from .response import SessionHandle

__all__ = [
    "NOT_SENT",
    "AmbiguousWriteError",
    "ResponseTooLargeError",
    "failed_status",
    "from_httpx",
    "raise_failed_status",
]

#: httpx errors raised before the request reached the server: nothing can have been applied.
NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


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


class ResponseTooLargeError(TransportError):
    """An answer's body outgrew ``Transport(max_response_bytes=)`` and was not read further.

    Raised while the body streams in (or from its ``Content-Length``), so a hostile or broken
    server cannot make the client hold gigabytes. Never retried: the same page would be as
    large again. For a POST the transport raises :class:`AmbiguousWriteError` from it instead
    (the server answered, so the write may have been applied). ``limit`` is the cap in bytes.
    """

    def __init__(self, message: str, *, limit: int, url: str, method: str) -> None:
        super().__init__(message, url=url, method=method)
        self.limit = limit


def failed_status(status: int) -> bool:
    """True for an answer that did not serve the request: any 5xx, and 429 (throttled)."""
    return status >= 500 or status == 429


def from_httpx(
    exc: httpx.HTTPError,
    *,
    method: str,
    url: str,
    applied_unknown: bool,
    session: SessionHandle | None = None,
) -> TransportError:
    """The library error for an httpx exception (raise it ``from exc``).

    Args:
        exc: What httpx raised.
        method: Request method, for the error's context.
        url: Path and query, secrets redacted, for the error's context.
        applied_unknown: True for non-idempotent requests: an error after sending becomes
            :class:`AmbiguousWriteError`.
        session: The pooled session that sent the request (kept by :class:`AmbiguousWriteError`).
    """
    what = f"{method} {url}: {type(exc).__name__}: {exc}"
    if isinstance(exc, NOT_SENT):
        # Nothing reached the server: safe to report as a plain failure for every method.
        cls = BackofficeTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
        return cls(what, method=method, url=url)
    if isinstance(exc, httpx.TransportError):
        if applied_unknown:
            return AmbiguousWriteError(
                f"{what} (sent, but the answer was lost; it may have been applied)",
                method=method,
                url=url,
                session=session,
            )
        if isinstance(exc, httpx.TimeoutException):
            return BackofficeTimeoutError(what, method=method, url=url)
        return TransportError(what, method=method, url=url)
    if applied_unknown:
        # Anything else (an undecodable body, a protocol error on the answer) happened after
        # the request left: a write may have been applied.
        return AmbiguousWriteError(
            f"{what} (sent, but the answer could not be read; it may have been applied)",
            method=method,
            url=url,
            session=session,
        )
    return TransportError(what, method=method, url=url)


def raise_failed_status(
    status: int,
    *,
    method: str,
    url: str,
    applied_unknown: bool,
    session: SessionHandle | None = None,
) -> NoReturn:
    """Raise the error for a :func:`failed_status` answer (after any retries).

    Args:
        status: The HTTP status.
        method: Request method, for the error's context.
        url: Path and query, secrets redacted, for the error's context.
        applied_unknown: True for non-idempotent requests.
        session: The pooled session that sent the request.

    Raises:
        ServerError: For idempotent requests, and for a 429 (throttled before it was served).
        AmbiguousWriteError: For a 5xx to a write, chained from the :class:`ServerError`.
    """
    error = ServerError(f"{method} {url}: HTTP {status}", status=status, url=url, method=method)
    if not applied_unknown or status == 429:
        raise error
    # A 5xx to a POST proves nothing: a proxy may answer 502/504 after the application
    # committed the write. The caller settles it by reading.
    raise AmbiguousWriteError(
        f"{method} {url}: HTTP {status} (not retried: it may have been applied)",
        method=method,
        url=url,
        session=session,
    ) from error
