"""max_per_second: item starts are spaced evenly, with no bursts after idle time."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from sonnys_async._transport.ratelimit import RateLimiter
from sonnys_async.bulk import run_each

from .fakes import FakeOp, collect


async def test_rate_limiter_spaces_starts_without_bursts() -> None:
    meter = RateLimiter(4.0)  # one start every 0.25 s
    assert meter.reserve(10.0) == 0.0
    assert meter.reserve(10.0) == pytest.approx(0.25)
    assert meter.reserve(10.1) == pytest.approx(0.4)
    assert meter.reserve(20.0) == 0.0  # idle time is not banked into a burst


async def test_rate_limited_run_still_completes() -> None:
    outcomes = await collect(run_each(FakeOp(), range(5), max_per_second=10_000.0))
    assert len(outcomes) == 5


async def test_max_per_second_spaces_item_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        now[0] += delay
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(anyio, "current_time", lambda: now[0])
    monkeypatch.setattr(anyio, "sleep", fake_sleep)
    starts: list[float] = []

    async def op(x: int) -> int:
        starts.append(now[0])
        return x

    await collect(run_each(op, range(5), max_at_once=5, max_per_second=4))
    assert starts == [1000.0, 1000.25, 1000.5, 1000.75, 1001.0]
    assert delays == [0.25] * 4
