"""A run stops by itself when going on cannot help: a refused login (every other item would
be refused too, each attempt counting towards a lockout) and a Backoffice that stopped
answering. Items in flight finish; a re-run with the journal continues where it stopped."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio.lowlevel
import pytest

from sonnys_async._transport import AmbiguousWriteError
from sonnys_async.bulk import run_each
from sonnys_async.errors import (
    AuthenticationError,
    BackofficeTimeoutError,
    DuplicateError,
    OutcomeUnknownError,
    ServerError,
    TransportError,
)
from sonnys_async.journal import Journal

from .fakes import collect


class Scripted:
    """An operation whose items fail with the error ``script(item)`` returns (or succeed)."""

    def __init__(self, script: dict[int, BaseException] | None = None) -> None:
        self.script = script or {}
        self.calls: Counter[int] = Counter()
        self.down_from: int | None = None
        self.error: BaseException = ServerError("503 Service Unavailable", status=503)

    async def __call__(self, x: int) -> int:
        self.calls[x] += 1
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        if x in self.script:
            raise self.script[x]
        if self.down_from is not None and x >= self.down_from:
            raise self.error
        return x


async def test_a_refused_login_stops_the_run_at_once() -> None:
    refused = AuthenticationError("login refused: Invalid credentials.")
    op = Scripted(dict.fromkeys(range(50), refused))
    bulk = run_each(op, range(50), max_at_once=4)
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "authentication"
    # Only the items already in flight ran; none started after the refusal.
    assert sum(op.calls.values()) <= 4
    assert len(outcomes) == sum(op.calls.values())
    assert all(o.status == "failed" for o in outcomes)
    assert not bulk.summary.all_ok


async def test_a_refused_login_behind_an_unknown_write_still_stops_the_run() -> None:
    # The write's answer was lost and the read that would settle it met a refused login: the
    # item is unknown (it may have landed), and the run stops as for any refused login.
    try:
        raise AuthenticationError("login refused: Invalid credentials.")
    except AuthenticationError as exc:
        try:
            raise OutcomeUnknownError("employee 7 update: settling failed", url="/x") from exc
        except OutcomeUnknownError as unknown:
            error = unknown
    op = Scripted(dict.fromkeys(range(50), error))
    bulk = run_each(op, range(50), max_at_once=1)
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "authentication"
    assert sum(op.calls.values()) == 1
    assert [o.status for o in outcomes] == ["unknown"]


async def test_one_item_at_a_time_a_refused_login_is_tried_once() -> None:
    op = Scripted({x: AuthenticationError("refused") for x in range(50)})
    bulk = run_each(op, range(50), max_at_once=1)
    await collect(bulk)
    assert sum(op.calls.values()) == 1
    assert bulk.summary.stopped == "authentication"


@pytest.mark.parametrize(
    "error",
    [
        ServerError("503 Service Unavailable", status=503),
        BackofficeTimeoutError("read timed out"),
        TransportError("connection refused"),
    ],
)
async def test_a_backoffice_that_stops_answering_stops_the_run(error: BaseException) -> None:
    op = Scripted()
    op.down_from = 10
    op.error = error
    bulk = run_each(op, range(200), max_at_once=1, unreachable_after=5)
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "unreachable"
    assert sum(op.calls.values()) == 15  # 10 done, then 5 in a row unanswered
    assert (bulk.summary.ok, bulk.summary.failed) == (10, 5)
    assert len(outcomes) == 15


async def test_the_breaker_lets_items_in_flight_finish() -> None:
    op = Scripted()
    op.down_from = 0
    bulk = run_each(op, range(200), max_at_once=4)  # default: 5 in a row
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "unreachable"
    assert 5 <= sum(op.calls.values()) <= 5 + 3
    assert len(outcomes) == sum(op.calls.values())


async def test_answers_in_between_reset_the_breaker() -> None:
    down = ServerError("503", status=503)
    refused = DuplicateError("taken", field="email")
    # 4 unanswered, 1 refusal (the server answered), 4 unanswered, 1 ok, ...
    script: dict[int, BaseException] = {}
    for x in range(100):
        if x % 5 != 4:
            script[x] = down
        elif x % 10 == 4:
            script[x] = refused
    op = Scripted(script)
    bulk = run_each(op, range(100), max_at_once=1, unreachable_after=5)
    await collect(bulk)
    assert bulk.summary.stopped is None
    assert sum(op.calls.values()) == 100


async def test_unknown_outcomes_do_not_trip_the_breaker() -> None:
    lost: dict[int, BaseException] = {
        x: OutcomeUnknownError("answer lost", url="/employee/insert") for x in range(0, 40, 2)
    }
    lost.update({x: AmbiguousWriteError("dropped", method="POST") for x in range(1, 40, 2)})
    op = Scripted(lost)
    bulk = run_each(op, range(40), max_at_once=1, unreachable_after=2)
    await collect(bulk)
    assert bulk.summary.stopped is None
    assert bulk.summary.unknown == 40


async def test_no_breaker_when_unreachable_after_is_none() -> None:
    op = Scripted()
    op.down_from = 0
    bulk = run_each(op, range(30), max_at_once=2, unreachable_after=None)
    await collect(bulk)
    assert bulk.summary.stopped is None
    assert bulk.summary.failed == 30


def test_unreachable_after_must_be_positive() -> None:
    with pytest.raises(ValueError, match="unreachable_after"):
        run_each(Scripted(), [1], unreachable_after=0)


async def test_a_rerun_continues_where_the_breaker_stopped(tmp_path: Path) -> None:
    op = Scripted()
    op.down_from = 10
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        first = run_each(op, range(30), key=str, journal=journal, max_at_once=1)
        await collect(first)
    assert first.summary.stopped == "unreachable"
    op.down_from = None  # the Backoffice is back
    with Journal(path) as journal:
        second = run_each(op, range(30), key=str, journal=journal, max_at_once=1)
        await collect(second)
        assert journal.counts() == {"done": 30, "failed": 0, "ambiguous": 0}
    assert (second.summary.skipped, second.summary.ok) == (10, 20)
    assert all(op.calls[x] == 1 for x in range(10))
