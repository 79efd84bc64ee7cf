"""Client-side limits: requests spaced on the clock, callers queued, concurrency capped."""

from __future__ import annotations

import itertools

import anyio
import httpx
import pytest
from transport_fakes import FakeBackoffice, SleepRecorder, make_transport

from sonnys_async._transport import Limits
from sonnys_async._transport.ratelimit import RateLimiter

# --------------------------------------------------------------------------- limits


async def test_rate_limit_spaces_requests_on_the_clock(
    fake: FakeBackoffice, sleeper: SleepRecorder
) -> None:
    started: list[float] = []
    fake.on("/x", lambda r, s: (started.append(sleeper.now), httpx.Response(200))[1])
    limits = Limits(max_per_second=4)
    async with make_transport(fake, sleeper=sleeper, limits=limits) as t:
        await t.login()
        for _ in range(5):
            await t.get("/x")
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(started)]
    assert gaps == [0.25] * 4
    # the login's GET and POST were spaced too
    assert len(sleeper.waits) == 6


async def test_rate_limit_queues_concurrent_callers(fake: FakeBackoffice) -> None:
    frozen = SleepRecorder(advance=False)
    async with make_transport(fake, sleeper=frozen, limits=Limits(max_per_second=2)) as t:
        await t.login()
        frozen.waits.clear()
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(t.get, "/x")
    # the clock never moved, so each caller waits one interval longer than the previous one
    assert [round(w - frozen.waits[0], 6) for w in frozen.waits] == [0.0, 0.5, 1.0, 1.5]


async def test_max_concurrency_caps_requests_in_flight(fake: FakeBackoffice) -> None:
    fake.yields = 5
    async with make_transport(fake, limits=Limits(max_concurrency=2)) as t:
        await t.login()
        async with anyio.create_task_group() as tg:
            for i in range(8):
                tg.start_soon(t.get, f"/employee/edit/{i}")
    assert fake.max_in_flight == 2


def test_limits_validate() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        Limits(max_concurrency=0)
    with pytest.raises(ValueError, match="max_per_second"):
        Limits(max_per_second=0)


# --------------------------------------------------------------------------- the rate limiter


def test_rate_limiter_reserves_evenly_spaced_slots_without_bursts() -> None:
    limiter = RateLimiter(4.0)  # one start every 0.25 s
    assert limiter.interval == 0.25
    assert limiter.reserve(10.0) == 0.0
    assert limiter.reserve(10.0) == pytest.approx(0.25)
    assert limiter.reserve(10.1) == pytest.approx(0.4)
    assert limiter.reserve(20.0) == 0.0  # idle time is not banked into a burst


async def test_rate_limiter_waits_on_its_own_clock() -> None:
    frozen = SleepRecorder(advance=False)
    limiter = RateLimiter(2.0, clock=frozen.clock, sleep=frozen)
    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(limiter.wait)
    # the first caller goes at once (no sleep), the others queue one interval apart
    assert frozen.waits == [0.5, 1.0, 1.5]


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_rate_limiter_needs_a_positive_rate(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(rate)
