"""Every default of the HTTP layer, in one place (timeouts, retries, limits, identity).

Keeping them here means a reader can see the library's whole behaviour envelope at a glance and a
caller who wants different numbers knows exactly which knob to turn (``Limits``, ``RetryPolicy``,
``timeout=``).
"""

from __future__ import annotations

from typing import Final

import httpx

from ._version import __version__

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_PER_SECOND",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY_AFTER_MAX",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_SESSIONS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_VERIFY",
    "DEFAULT_WAIT_INITIAL",
    "DEFAULT_WAIT_JITTER",
    "DEFAULT_WAIT_MAX",
    "LOGGER_NAME",
    "LOGIN_CHECK_PATH",
    "LOGIN_MIN_SERVED",
    "LOGIN_PATH",
    "LOGIN_STORM_PER_SESSION",
    "LOGIN_STORM_SLACK",
    "MAX_REPLAYS_PER_REQUEST",
    "SESSION_COOKIE",
    "THRASH_STRIKES",
    "USER_AGENT",
]

#: Seconds for connect/read/write/pool. Authenticated pages are 140-465 KB (protocol §0), so a
#: generous read timeout avoids false "ambiguous write" alarms on slow tenants.
DEFAULT_TIMEOUT: Final = 30.0

#: TLS certificate verification (httpx's meaning of ``verify``).
DEFAULT_VERIFY: Final = True

#: Requests in flight at once, across every pooled session.
DEFAULT_MAX_CONCURRENCY: Final = 8

#: No request-rate cap by default: none was ever observed (protocol §18.4, §20.16).
DEFAULT_MAX_PER_SECOND: Final[float | None] = None

#: One logged-in cookie jar; more only when the tenant tolerates parallel sessions (issue 4).
DEFAULT_SESSIONS: Final = 1

#: Total tries of an idempotent request (the first one included), named as in stamina.
DEFAULT_RETRY_ATTEMPTS: Final = 3
#: First backoff in seconds; doubled per attempt and capped by ``DEFAULT_WAIT_MAX``.
DEFAULT_WAIT_INITIAL: Final = 0.2
DEFAULT_WAIT_MAX: Final = 5.0
#: Up to this many seconds of random jitter are added to every backoff.
DEFAULT_WAIT_JITTER: Final = 0.1
#: A ``Retry-After`` longer than this is shortened to it (a retry never hangs for minutes).
DEFAULT_RETRY_AFTER_MAX: Final = 60.0

#: Largest answer body read, in bytes after decompression (``Transport(max_response_bytes=)``).
#: Authenticated pages are 140-465 KB (protocol §0) and a 1,000-row roster page a few MB; a
#: longer body is refused while it streams in, never read into memory whole.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024

#: Pool-thrash detection: this many strikes (a request sent after a sibling's newer login was
#: answered found its session logged out) before any proof that sessions coexist shrink the
#: pool to its newest session. The first strike already stops new sessions from starting.
THRASH_STRIKES: Final = 2

#: The login breaker (issue 14, defect 3): a login "bought progress" once its session served
#: this many requests. When more than ``LOGIN_STORM_PER_SESSION * sessions + LOGIN_STORM_SLACK``
#: logins in a row each replaced one that had not, the transport stops logging in: that request
#: and every later one raise ``AuthenticationError("login storm: ...")`` without sending.
LOGIN_MIN_SERVED: Final = 2
LOGIN_STORM_PER_SESSION: Final = 2
LOGIN_STORM_SLACK: Final = 2

#: Times one request may meet an expired session and be replayed. A safety net only: replays
#: follow a re-login (bounded by the breaker) or move to a live sibling session, and a second
#: bounce right after a login that served nothing fails the request at once.
MAX_REPLAYS_PER_REQUEST: Final = 16

#: Protocol §3.1 / §3.2.
LOGIN_PATH: Final = "/login"
LOGIN_CHECK_PATH: Final = "/login_check"
#: The PHP session cookie (§3.1); the transport sends it explicitly per request.
SESSION_COOKIE: Final = "PHPSESSID"

LOGGER_NAME: Final = "sonnys_async"

#: Names the library and its version, so a tenant's operators can tell our traffic apart.
USER_AGENT: Final = f"sonnys-async/{__version__} (+httpx/{httpx.__version__})"
