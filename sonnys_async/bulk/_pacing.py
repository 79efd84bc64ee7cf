"""The rate limiter of bulk runs (``max_per_second``): item starts spaced evenly, no bursts.

The engine needs only ``RateMeter(max_per_second)`` and ``await meter.wait()``; a shared
limiter with that shape can replace this one where the engine imports it.
"""

from __future__ import annotations

import math

import anyio

__all__ = ["RateMeter"]


class RateMeter:
    """Spaces item starts at least ``1 / max_per_second`` apart (no bursts)."""

    __slots__ = ("_interval", "_next")

    def __init__(self, max_per_second: float) -> None:
        self._interval = 1.0 / max_per_second
        self._next = -math.inf

    def delay(self, now: float) -> float:
        """Reserve the next start slot at or after ``now``; return how long to wait for it."""
        start = max(now, self._next)
        self._next = start + self._interval
        return start - now

    async def wait(self) -> None:
        """Wait for the next start slot."""
        delay = self.delay(anyio.current_time())
        if delay > 0:
            await anyio.sleep(delay)
