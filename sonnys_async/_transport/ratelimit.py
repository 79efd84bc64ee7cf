"""One request-rate limiter, for the transport's requests and the bulk executor's item starts.

Starts are spaced evenly, never in bursts: a server that meets a polite client sees a steady
trickle, whatever the caller's concurrency. The clock and the sleep are injected so tests run
on a fake clock without waiting.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

import anyio

__all__ = ["Clock", "RateLimiter", "Sleep"]

#: A monotonic clock in seconds (``anyio.current_time`` in production).
Clock = Callable[[], float]
#: An awaitable sleep (``anyio.sleep`` in production).
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Spaces starts at least ``1 / per_second`` seconds apart (no bursts).

    Each caller reserves the next free slot *before* it sleeps, so concurrent callers queue one
    interval apart in arrival order. Idle time is not banked: after a pause the next caller starts
    at once and the one after it an interval later. A wait that is cancelled keeps its slot (the
    callers behind it do not move up), which errs on the server's side.

    Args:
        per_second: Starts per second; must be positive.
        clock: Monotonic clock in seconds; ``None`` = ``anyio.current_time`` (tests pass a
            fake one).
        sleep: Awaitable sleep; ``None`` = ``anyio.sleep`` (tests record the waits instead).

    Raises:
        ValueError: ``per_second`` is not positive.
    """

    __slots__ = ("_clock", "_interval", "_next", "_sleep")

    def __init__(
        self,
        per_second: float,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if not per_second > 0:  # also refuses NaN
            raise ValueError("per_second must be positive")
        self._interval = 1.0 / per_second
        self._clock = clock or anyio.current_time
        self._sleep = sleep or anyio.sleep
        self._next = -math.inf

    @property
    def interval(self) -> float:
        """Seconds between two starts."""
        return self._interval

    def reserve(self, now: float) -> float:
        """Reserve the next start slot at or after ``now``.

        Args:
            now: The current time on the limiter's clock.

        Returns:
            Seconds to wait until the reserved slot (``0.0`` when it is now).
        """
        slot = max(now, self._next)
        self._next = slot + self._interval
        return slot - now

    async def wait(self) -> None:
        """Wait for the next start slot (reserved before sleeping)."""
        delay = self.reserve(self._clock())
        if delay > 0:
            await self._sleep(delay)
