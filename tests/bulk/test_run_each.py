"""run_each: one outcome per item, bounded concurrency, backpressure, fail_fast, limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from anyio.from_thread import start_blocking_portal

from sonnys_async._portal import BlockingIterator
from sonnys_async.bulk import Outcome, run_each, summarize
from sonnys_async.errors import DuplicateError, NotFoundError

from .fakes import FakeOp, collect


async def test_every_item_gets_one_outcome_with_its_result() -> None:
    op = FakeOp()
    outcomes = await collect(run_each(op, range(25), max_at_once=4))
    assert sorted(o.index for o in outcomes) == list(range(25))
    assert all(o.status == "ok" and o.result == o.index * 10 for o in outcomes)
    assert 1 < op.peak <= 4
    assert summarize(outcomes).ok == 25


async def test_a_failing_item_does_not_stop_the_others() -> None:
    op = FakeOp(fail={3: DuplicateError("POS user ID in use", field="pos_user_id", value=3)})
    bulk = run_each(op, range(10), key=lambda i: f"k{i}", max_at_once=3)
    outcomes = await collect(bulk)
    failed = [o for o in outcomes if o.status == "failed"]
    assert [(o.key, type(o.error)) for o in failed] == [("k3", DuplicateError)]
    assert bulk.summary.ok == 9
    assert bulk.summary.failed == 1
    assert [f.key for f in bulk.summary.failures] == ["k3"]
    assert bulk.summary.stopped is None
    assert not bulk.summary.all_ok
    assert sum(op.calls.values()) == 10


async def test_backpressure_with_ten_thousand_items() -> None:
    pulled = 0
    done = 0
    max_pending = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield i

    op = FakeOp(steps=1)
    async with run_each(op, items(), max_at_once=8) as bulk:
        async for _ in bulk:
            done += 1
            # Items pulled but not yet handed to us: at most the ones in flight, the one the
            # feeder holds, and the one being delivered.
            max_pending = max(max_pending, pulled - done)
    assert done == 10_000
    assert op.peak <= 8
    assert bulk.peak_in_flight <= 8
    assert max_pending <= 8 + 2


async def test_async_iterables_are_pulled_lazily() -> None:
    pulled: list[int] = []

    async def items() -> AsyncIterator[int]:
        for i in range(50):
            pulled.append(i)
            yield i

    async with run_each(FakeOp(), items(), max_at_once=2) as bulk:
        first = await bulk.__anext__()
        assert len(pulled) <= 4  # not the whole generator up front
        rest = [o async for o in bulk]
    assert {first.index, *(o.index for o in rest)} == set(range(50))


async def test_fail_fast_starts_nothing_after_the_first_failure() -> None:
    op = FakeOp(fail={2: NotFoundError("no such template")})
    bulk = run_each(op, range(100), max_at_once=2, fail_fast=True)
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "fail_fast"
    assert bulk.summary.failed == 1
    assert len(outcomes) < 10
    assert sum(op.calls.values()) == len(outcomes)  # every started item reported


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_at_once": 0}, "max_at_once"),
        ({"max_per_second": 0.0}, "max_per_second"),
    ],
)
def test_bad_limits_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_each(FakeOp(), [1], **kwargs)  # type: ignore[arg-type]


def test_blocking_iterator_runs_a_bulk_from_sync_code() -> None:
    op = FakeOp()
    with start_blocking_portal() as portal:
        outcomes = list(BlockingIterator(portal, lambda: run_each(op, range(30), max_at_once=5)))
        assert sorted(o.index for o in outcomes) == list(range(30))
        # Leaving early cancels the async side cleanly.
        partial = BlockingIterator(portal, lambda: run_each(op, range(1000), max_at_once=5))
        first = next(partial)
        partial.close()
    assert first.status == "ok"
    assert op.in_flight == 0
    assert sum(op.calls.values()) < 1030


def test_outcome_repr_hides_item_and_result() -> None:
    outcome = Outcome(0, "k", {"pin": 12345}, "ok", result={"password": "s3cret-pw"})
    assert "12345" not in repr(outcome)
    assert "s3cret" not in repr(outcome)
