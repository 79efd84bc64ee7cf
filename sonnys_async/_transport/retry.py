"""Retries: which failures are tried again, and how long to wait before each try.

The whole decision lives here (protocol §2.3 for why POSTs are special):

- Idempotent requests (GETs, and the login, whose re-sent credentials duplicate nothing) are
  retried on every transport error (connection errors, timeouts, dropped connections) and on
  every 5xx and 429 answer.
- Form POSTs are never retried blindly: only failures that prove the request never reached the
  server (:data:`~.errors.NOT_SENT`: connect errors, connect and pool timeouts) are retried. A
  failure after sending, or a 5xx answer, may hide an applied write; it is the caller's to settle.

Waits grow exponentially with jitter and honour ``Retry-After`` (:class:`RetryPolicy`);
:func:`set_testing` removes every wait at once.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from .._constants import (
    DEFAULT_RETRY_AFTER_MAX,
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_WAIT_INITIAL,
    DEFAULT_WAIT_JITTER,
    DEFAULT_WAIT_MAX,
)
from ..core.text import is_digits
from .errors import NOT_SENT, failed_status
from .ratelimit import Sleep
from .stats import TransportStats, logger

__all__ = [
    "Retrier",
    "RetryPolicy",
    "retry_after",
    "retryable_error",
    "retryable_status",
    "set_testing",
]

_TESTING = False
# Longer delay-seconds read as infinite; longer "dates" are not parsed at all.
_MAX_SECONDS_DIGITS = 15
_MAX_DATE_CHARS = 64


def set_testing(on: bool) -> None:
    """Globally remove (or restore) every retry and ``Retry-After`` wait, like stamina's switch.

    Meant for test suites: retries still happen, they just do not sleep. The request-rate
    limiter is not affected (it is a promise to the server, not a courtesy).

    Args:
        on: ``True`` to stop waiting between retries, ``False`` to wait again.
    """
    global _TESTING
    _TESTING = on


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

    attempts: int = DEFAULT_RETRY_ATTEMPTS
    wait_initial: float = DEFAULT_WAIT_INITIAL
    wait_max: float = DEFAULT_WAIT_MAX
    wait_jitter: float = DEFAULT_WAIT_JITTER
    retry_after_max: float = DEFAULT_RETRY_AFTER_MAX

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if min(self.wait_initial, self.wait_max, self.wait_jitter, self.retry_after_max) < 0:
            raise ValueError("RetryPolicy waits must not be negative")

    @classmethod
    def no_wait(cls, attempts: int = DEFAULT_RETRY_ATTEMPTS) -> RetryPolicy:
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


def retryable_error(exc: httpx.HTTPError, *, idempotent: bool) -> bool:
    """Whether a request that failed with ``exc`` may be sent again.

    Args:
        exc: What httpx raised.
        idempotent: Whether sending the request twice is harmless.
    """
    if idempotent:
        return isinstance(exc, httpx.TransportError)
    # Nothing reached the server, so resending cannot duplicate anything.
    return isinstance(exc, NOT_SENT)


def retryable_status(status: int, *, idempotent: bool) -> bool:
    """Whether a request answered with ``status`` may be sent again (5xx and 429, idempotent).

    Args:
        status: The HTTP status of the answer.
        idempotent: Whether sending the request twice is harmless.
    """
    return idempotent and failed_status(status)


def retry_after(headers: httpx.Headers) -> float | None:
    """The ``Retry-After`` of an answer in seconds (delay-seconds or an HTTP date), if valid.

    Only ASCII digits count as delay-seconds (``"²"`` is not a number of seconds); an absurdly
    long one reads as :data:`math.inf` (the policy caps it); anything unparsable, a date before
    now included, gives ``None`` or ``0.0``, never an exception.
    """
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if is_digits(value):
        return float(value) if len(value) <= _MAX_SECONDS_DIGITS else math.inf
    if len(value) > _MAX_DATE_CHARS or not value.isascii():
        return None
    try:
        when = parsedate_to_datetime(value)
        seconds = when.timestamp() - time.time()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class Retrier:
    """Applies a :class:`RetryPolicy` to one request's attempts: decides, counts, logs, waits.

    Args:
        policy: Attempts and waits.
        sleep: Awaitable sleep for the waits (tests record them).
        stats: Where each retry is counted.
    """

    def __init__(self, policy: RetryPolicy, *, sleep: Sleep, stats: TransportStats) -> None:
        self.policy = policy
        self._sleep = sleep
        self._stats = stats

    async def after_error(
        self, attempt: int, exc: httpx.HTTPError, *, idempotent: bool, method: str, url: str
    ) -> bool:
        """Decide whether attempt number ``attempt`` that raised ``exc`` is tried again.

        Args:
            attempt: The attempt that failed, starting at 1.
            exc: What httpx raised.
            idempotent: Whether sending the request twice is harmless.
            method: Request method, for the log line.
            url: Path and query, secrets redacted, for the log line.

        Returns:
            True once the wait before the next attempt is over; False to give up.
        """
        if attempt >= self.policy.attempts or not retryable_error(exc, idempotent=idempotent):
            return False
        await self._pause(attempt, method, url, f"{type(exc).__name__}: {exc}", None)
        return True

    async def after_answer(
        self, attempt: int, resp: httpx.Response, *, idempotent: bool, method: str, url: str
    ) -> bool:
        """Decide whether attempt number ``attempt`` answered with ``resp`` is tried again.

        Args:
            attempt: The attempt that was answered, starting at 1.
            resp: The answer (a :func:`~.errors.failed_status` one is worth retrying).
            idempotent: Whether sending the request twice is harmless.
            method: Request method, for the log line.
            url: Path and query, secrets redacted, for the log line.

        Returns:
            True once the wait before the next attempt is over; False to keep the answer.
        """
        status = resp.status_code
        if attempt >= self.policy.attempts or not retryable_status(status, idempotent=idempotent):
            return False
        await self._pause(attempt, method, url, f"HTTP {status}", retry_after(resp.headers))
        return True

    async def _pause(
        self, attempt: int, method: str, url: str, reason: str, server_wait: float | None
    ) -> None:
        self._stats.retries += 1
        delay = self.policy.wait(attempt, server_wait)
        logger.info(
            "retrying %s %s in %.2f s (attempt %d of %d): %s",
            method,
            url,
            delay,
            attempt + 1,
            self.policy.attempts,
            reason,
        )
        if delay > 0:
            await self._sleep(delay)
