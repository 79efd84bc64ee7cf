"""Client-side limits: their configuration (:class:`Limits`) and their enforcement per request."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio

from .._constants import DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_PER_SECOND
from .ratelimit import Clock, RateLimiter, Sleep

__all__ = ["Limits", "RequestLimiter"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Client-side limits shared by every pooled session.

    Args:
        max_concurrency: Requests in flight at once (login requests included).
        max_per_second: Requests started per second, evenly spaced; ``None`` = unlimited.
    """

    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    max_per_second: float | None = DEFAULT_MAX_PER_SECOND

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise ValueError("Limits.max_concurrency must be at least 1")
        if self.max_per_second is not None and self.max_per_second <= 0:
            raise ValueError("Limits.max_per_second must be positive (or None)")


class RequestLimiter:
    """Admits one request at a time under :class:`Limits`, across every pooled session.

    Args:
        limits: The limits to enforce.
        clock: Clock of the rate limiter.
        sleep: Sleep of the rate limiter.
    """

    def __init__(self, limits: Limits, *, clock: Clock, sleep: Sleep) -> None:
        self._capacity = anyio.CapacityLimiter(limits.max_concurrency)
        self._rate = (
            RateLimiter(limits.max_per_second, clock=clock, sleep=sleep)
            if limits.max_per_second
            else None
        )

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a concurrency slot, then wait for the request's start slot; send inside."""
        async with self._capacity:
            if self._rate is not None:
                await self._rate.wait()
            yield
