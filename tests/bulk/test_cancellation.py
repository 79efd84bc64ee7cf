"""Stopping a bulk run: leaving the loop, cancelling the caller, unshielded cancellation; the
run's tasks live inside ``async with`` only."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from sonnys_async.bulk import Outcome, run_each

from .fakes import FakeOp


async def test_breaking_out_stops_new_items_and_finishes_in_flight_ones() -> None:
    op = FakeOp()
    seen: list[Outcome[int, int]] = []
    async with run_each(op, range(100), max_at_once=4, on_outcome=seen.append) as bulk:
        async for outcome in bulk:
            if outcome.index >= 0:
                break
    assert op.in_flight == 0
    assert bulk.summary.stopped == "closed"
    assert len(seen) == sum(op.calls.values()) < 100
    assert all(o.status == "ok" for o in seen)


async def test_breaking_out_of_the_loop_stops_the_run() -> None:
    started: list[int] = []

    async def slow(x: int) -> int:
        started.append(x)
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        return x

    async with run_each(slow, range(100), max_at_once=4) as bulk:
        async for _outcome in bulk:
            break
    assert bulk.summary.stopped == "closed"
    assert bulk.in_flight == 0
    assert bulk.summary.ok == len(started) < 100


async def test_cancelling_the_caller_lets_in_flight_items_finish() -> None:
    op = FakeOp(steps=5)
    seen: list[Outcome[int, int]] = []
    received = 0
    with anyio.CancelScope() as scope:
        async with run_each(op, range(100), max_at_once=4, on_outcome=seen.append) as bulk:
            async for _ in bulk:
                received += 1
                if received == 3:
                    scope.cancel()
    assert scope.cancelled_caught
    assert bulk.summary.stopped == "cancelled"
    assert op.in_flight == 0
    # Items that finished after the cancellation are not lost: on_outcome saw them.
    assert len(seen) == sum(op.calls.values()) > received


async def test_unshielded_cancellation_abandons_in_flight_items() -> None:
    op = FakeOp(steps=50)
    seen: list[Outcome[int, int]] = []
    with anyio.CancelScope() as scope:
        async with run_each(
            op, range(10), max_at_once=3, shield=False, on_outcome=seen.append
        ) as bulk:
            while bulk.in_flight < 3:
                await anyio.lowlevel.checkpoint()
            scope.cancel()
            await anyio.lowlevel.checkpoint()
    assert scope.cancelled_caught
    assert sum(op.calls.values()) == 3
    assert op.in_flight == 0
    assert seen == []
    assert bulk.summary.stopped == "cancelled"


async def test_iterating_without_async_with_is_refused_before_anything_runs() -> None:
    # A bare ``async for`` would hold the run's task group open across the caller's loop body
    # and leave it to the async-generator finaliser to exit from another task.
    started: list[int] = []

    async def op(x: int) -> int:
        started.append(x)
        return x

    bulk = run_each(op, range(10))
    with pytest.raises(TypeError, match="async with"):
        async for _ in bulk:
            pass
    assert started == []
