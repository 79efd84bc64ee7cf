"""Unknown is a status of its own: an item whose answer was lost is never reported failed
(nor sent again in the same run); when the items run out it is settled once more by
reading, and reported done if it landed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio.lowlevel

from sonnys_async._transport import AmbiguousWriteError
from sonnys_async.bulk import Outcome, is_ambiguous, run_each, summarize
from sonnys_async.errors import DuplicateError, NotFoundError, OutcomeUnknownError
from sonnys_async.journal import Journal

from .fakes import Created, FakeServer, Hire, collect, hires, key, lines


async def test_a_lost_answer_is_unknown_not_failed() -> None:
    server = FakeServer()
    server.drop_after_apply = {101}
    bulk = run_each(server.create, hires(3), key=key)  # no resolve: cannot settle it
    outcomes = await collect(bulk)
    [unknown] = [o for o in outcomes if o.status == "unknown"]
    assert (unknown.key, type(unknown.error), unknown.ok) == ("101", OutcomeUnknownError, False)
    summary = bulk.summary
    assert (summary.ok, summary.failed, summary.unknown, summary.total) == (2, 0, 1, 3)
    assert [f.key for f in summary.unknowns] == ["101"]
    assert summary.failures == ()
    assert not summary.all_ok


def test_a_lost_answer_the_transport_left_unsettled_is_ambiguous() -> None:
    assert is_ambiguous(AmbiguousWriteError("read timeout after the POST", method="POST"))


async def test_an_unknown_item_that_landed_is_settled_at_the_end_of_the_run(
    tmp_path: Path,
) -> None:
    server = FakeServer()
    server.drop_after_apply = {101}
    seen: list[Outcome[Hire, Created]] = []
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        bulk = run_each(
            server.create,
            hires(3),
            key=key,
            journal=journal,
            resolve=server.resolve,
            on_outcome=seen.append,
        )
        outcomes = await collect(bulk)
    mine = [(o.status, o.resolved) for o in outcomes if o.key == "101"]
    assert mine == [("unknown", False), ("ok", True)]
    assert [(o.status, o.index) for o in seen if o.key == "101"] == [("unknown", 1), ("ok", 1)]
    assert outcomes[-1].result == Created(1101, 101, 20001)
    summary = bulk.summary
    # Counted once, by its final outcome.
    assert (summary.ok, summary.unknown, summary.resolved, summary.total) == (3, 0, 1, 3)
    assert summary.all_ok
    assert summary == summarize(outcomes)
    assert server.inserts[101] == 1
    assert [e["event"] for e in lines(path) if e["key"] == "101"] == ["started", "unknown", "ok"]


async def test_an_unknown_item_not_found_at_the_end_stays_unknown_and_is_not_sent_again(
    tmp_path: Path,
) -> None:
    calls: Counter[int] = Counter()
    resolved: Counter[int] = Counter()

    async def lost(x: int) -> int:
        calls[x] += 1
        await anyio.lowlevel.checkpoint()
        if x == 2:  # in the network still: the server has not seen it yet
            raise OutcomeUnknownError("answer lost", url="/employee/insert")
        return x

    async def resolve(x: int) -> int | None:
        resolved[x] += 1
        return None

    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        bulk = run_each(lost, range(4), key=str, journal=journal, resolve=resolve)
        outcomes = await collect(bulk)
    assert [(o.key, o.status) for o in outcomes if o.status != "ok"] == [("2", "unknown")]
    assert calls[2] == 1  # never re-sent in the same run
    assert resolved == Counter({2: 1})  # settled once, at the end
    assert bulk.summary.unknown == 1
    with Journal(path) as journal:
        assert journal.counts() == {"done": 3, "failed": 0, "ambiguous": 1}


async def test_a_settlement_that_cannot_read_leaves_the_item_unknown() -> None:
    async def lost(x: int) -> int:
        await anyio.lowlevel.checkpoint()
        raise OutcomeUnknownError("answer lost", url="/employee/insert")

    async def resolve(x: int) -> int | None:
        raise NotFoundError("the roster page is gone")

    bulk = run_each(lost, range(2), resolve=resolve)
    outcomes = await collect(bulk)
    assert [o.status for o in outcomes] == ["unknown", "unknown"]
    assert bulk.summary.unknown == 2


async def test_no_settlement_after_a_stop(tmp_path: Path) -> None:
    resolved: list[int] = []

    async def lost(x: int) -> int:
        await anyio.lowlevel.checkpoint()
        raise OutcomeUnknownError("answer lost", url="/employee/insert")

    async def resolve(x: int) -> int | None:
        resolved.append(x)
        return x

    bulk = run_each(lost, range(10), max_at_once=1, fail_fast=True, resolve=resolve)
    outcomes = await collect(bulk)
    assert bulk.summary.stopped == "fail_fast"
    assert [o.status for o in outcomes] == ["unknown"]
    assert resolved == []  # the next run settles it, from the journal


async def test_an_earlier_unknown_that_cannot_be_settled_stays_unknown_and_is_not_sent(
    tmp_path: Path,
) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("100", Hire(100, 20000))

    async def unreadable(hire: Hire) -> Created | None:
        raise NotFoundError("roster unreadable")

    with Journal(path) as journal:
        bulk = run_each(server.create, hires(1), key=key, journal=journal, resolve=unreadable)
        outcomes = await collect(bulk)
    assert [(o.status, type(o.error)) for o in outcomes] == [("unknown", NotFoundError)]
    assert server.inserts[100] == 0
    assert bulk.summary.unknown == 1


async def test_a_refusal_that_may_be_our_own_late_write_is_settled_by_reading() -> None:
    server = FakeServer()
    server.employees[101] = 20001  # an earlier attempt landed late, with our PIN

    async def create(hire: Hire) -> Created:
        if hire.pos_user_id in server.employees:
            raise DuplicateError("That POS user ID is already in use!", field="pos_user_id")
        return await server.create(hire)

    def ours(exc: BaseException) -> bool:
        return isinstance(exc, DuplicateError) and exc.field == "pos_user_id"

    bulk = run_each(create, hires(3), key=key, resolve=server.resolve, resolve_on=ours)
    outcomes = await collect(bulk)
    assert sorted((o.key, o.status, o.resolved) for o in outcomes) == [
        ("100", "ok", False),
        ("101", "ok", True),
        ("102", "ok", False),
    ]
    assert server.inserts[101] == 0
    assert bulk.summary.resolved == 1


async def test_a_refusal_that_is_not_ours_stays_a_failure() -> None:
    async def create(hire: Hire) -> Created:
        raise DuplicateError("That POS user ID is already in use!", field="pos_user_id")

    async def not_found(hire: Hire) -> Created | None:
        return None

    bulk = run_each(create, hires(2), key=key, resolve=not_found, resolve_on=lambda e: True)
    outcomes = await collect(bulk)
    assert [(o.status, type(o.error)) for o in outcomes] == [("failed", DuplicateError)] * 2
