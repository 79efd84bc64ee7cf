"""The one HTTP seam: sessions, login, retries, limits, logging and error translation.

Everything the library sends goes through :class:`Transport`. One concern per module, each
depending only on the ones listed above it:

- :mod:`.response`: :class:`Response` and :class:`SessionHandle`, what callers get back.
- :mod:`.stats`: :class:`TransportStats` (request counts) and the redacting logger.
- :mod:`.errors`: httpx failures translated into :mod:`sonnys_async.errors`;
  :class:`AmbiguousWriteError`, :class:`ResponseTooLargeError`.
- :mod:`.body`: reading an answer under the size cap; the session cookie it sets.
- :mod:`.ratelimit`: the request-rate limiter (shared with the bulk executor).
- :mod:`.limits`: :class:`Limits` and their enforcement (concurrency, then rate).
- :mod:`.retry`: :class:`RetryPolicy`, which failures are retried and the waits between tries;
  :func:`set_testing`.
- :mod:`.gate`: the per-session read/write gate that keeps a flash message for its reader.
- :mod:`.pool`: the pooled sessions, the pick of one per request, pool-thrash detection.
- :mod:`.breaker`: a refused login or a login storm stops every further request.
- :mod:`.markup`: the markup guard of :mod:`sonnys_async.core.guard`, the sidebar every page
  repeats before ``#main-column`` scanned once per distinct prefix.
- :mod:`.formbody`: form bodies, the core serializer's bytes in one pass per string.
- :mod:`.send`: one request on one session, built once and sent to the session's transport
  (limits, the session cookie, retries, errors, logs, the size cap and the markup guard).
- :mod:`.login`: the login flow (one login at a time) and the test for an expired session.
- :mod:`.transport`: :class:`Transport`, the request pipeline (expiry, replay, bounces).
"""

from __future__ import annotations

from .errors import AmbiguousWriteError, ResponseTooLargeError
from .limits import Limits
from .response import Response, SessionHandle
from .retry import RetryPolicy, set_testing
from .stats import TransportStats, path_template
from .transport import Transport

__all__ = [
    "AmbiguousWriteError",
    "Limits",
    "Response",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SessionHandle",
    "Transport",
    "TransportStats",
    "path_template",
    "set_testing",
]
