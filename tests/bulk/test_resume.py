"""Re-running with a journal: done items are skipped, failed ones retried, ambiguous ones
settled from server state first, so each item is applied once however often a run stops."""

from __future__ import annotations

from pathlib import Path

import anyio

from sonnys_async.bulk import run_each
from sonnys_async.errors import OutcomeUnknownError
from sonnys_async.journal import Journal

from .fakes import Created, FakeServer, Hire, collect, double, hires, key, lines


async def test_rerun_skips_done_items_and_retries_failed_ones(tmp_path: Path) -> None:
    server = FakeServer()
    server.refuse = {102}
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        first = run_each(server.create, hires(5), key=key, journal=journal)
        await collect(first)
    assert (first.summary.ok, first.summary.failed) == (4, 1)

    server.refuse = set()
    with Journal(path) as journal:
        assert journal.counts() == {"done": 4, "failed": 1, "ambiguous": 0}
        second = run_each(server.create, hires(5), key=key, journal=journal)
        outcomes = await collect(second)
    assert (second.summary.ok, second.summary.skipped) == (1, 4)
    skipped = [o for o in outcomes if o.status == "skipped"]
    assert {o.recorded["pin"] for o in skipped} == {20000, 20001, 20003, 20004}
    assert all(n == 1 for n in server.inserts.values())
    assert len(server.inserts) == 5


async def test_skip_done_false_runs_done_items_again_with_their_recorded_result(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        await collect(run_each(double, [1, 2], key=str, journal=journal))
    calls: list[int] = []

    async def again(x: int) -> dict[str, int]:
        calls.append(x)
        return {"x": x, "twice": 2 * x, "again": 1}

    with Journal(path) as journal:
        default = await collect(run_each(again, [1, 2, 3], key=str, journal=journal))
        assert calls == [3]
        assert sorted(o.status for o in default) == ["ok", "skipped", "skipped"]
        calls.clear()
        rerun = run_each(again, [1, 2, 3], key=str, journal=journal, skip_done=False)
        outcomes = await collect(rerun)
    assert sorted(calls) == [1, 2, 3]
    assert all(o.status == "ok" for o in outcomes)
    assert {o.item: o.recorded for o in outcomes} == {
        1: {"x": 1, "twice": 2},
        2: {"x": 2, "twice": 4},
        3: {"x": 3, "twice": 6, "again": 1},
    }
    assert rerun.summary.skipped == 0


async def test_ambiguous_outcome_is_resolved_from_server_state(tmp_path: Path) -> None:
    server = FakeServer()
    server.drop_after_apply = {101}
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        first = run_each(server.create, hires(3), key=key, journal=journal)
        outcomes = await collect(first)
    unknown = [o for o in outcomes if o.status == "unknown"]
    assert [type(o.error) for o in unknown] == [OutcomeUnknownError]
    assert (first.summary.unknown, first.summary.failed) == (1, 0)
    assert lines(path)[-1]["event"] in {"ok", "unknown"}
    assert any(e["event"] == "unknown" for e in lines(path))

    with Journal(path) as journal:
        assert journal.counts()["ambiguous"] == 1
        second = run_each(server.create, hires(3), key=key, journal=journal, resolve=server.resolve)
        outcomes = await collect(second)
    resolved = [o for o in outcomes if o.status == "ok"]
    assert [(o.key, o.resolved, o.result) for o in resolved] == [
        ("101", True, Created(1101, 101, 20001))
    ]
    assert second.summary.resolved == 1
    assert server.inserts[101] == 1  # never inserted twice
    with Journal(path) as journal:
        assert journal.counts() == {"done": 3, "failed": 0, "ambiguous": 0}


async def test_ambiguous_item_without_resolver_is_not_resent(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("100", Hire(100, 20000))
    with Journal(path) as journal:
        bulk = run_each(server.create, hires(1), key=key, journal=journal)
        outcomes = await collect(bulk)
    assert [type(o.error) for o in outcomes] == [OutcomeUnknownError]
    assert server.inserts[100] == 0


async def test_resolver_saying_not_applied_sends_the_item_again(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("100", Hire(100, 20000))
    with Journal(path) as journal:
        bulk = run_each(server.create, hires(1), key=key, journal=journal, resolve=server.resolve)
        outcomes = await collect(bulk)
    assert [(o.status, o.resolved) for o in outcomes] == [("ok", False)]
    assert server.inserts[100] == 1


async def test_killed_run_resumes_with_each_item_applied_once(tmp_path: Path) -> None:
    """Cancel mid-run twice (shielded, then unshielded as if killed), then finish."""
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    items = hires(40)

    # 1) Ctrl-C after 5 outcomes: in-flight items finish and are journaled.
    received = 0
    with anyio.CancelScope() as scope, Journal(path) as journal:
        async with run_each(server.create, items, key=key, journal=journal, max_at_once=4) as b:
            async for _ in b:
                received += 1
                if received == 5:
                    scope.cancel()
    with Journal(path) as journal:
        assert journal.counts()["ambiguous"] == 0
        assert journal.counts()["done"] == len(server.inserts) > 5

    # 2) A "kill": unshielded cancellation while items are mid-write leaves `started` entries.
    with anyio.CancelScope() as scope, Journal(path) as journal:
        async with run_each(
            server.create, items, key=key, journal=journal, max_at_once=4, shield=False
        ) as b:
            async for outcome in b:
                if outcome.status == "ok" and b.in_flight > 0:
                    scope.cancel()
    assert scope.cancelled_caught
    with Journal(path) as journal:
        ambiguous = [s for s in journal if s.status == "ambiguous"]
        assert ambiguous
        # Some were applied on the server although the journal never saw the result.
        assert any(int(s.key) in server.employees for s in ambiguous)

    # 3) Resume with a resolver: everything done, nothing inserted twice.
    with Journal(path) as journal:
        bulk = run_each(
            server.create, items, key=key, journal=journal, max_at_once=4, resolve=server.resolve
        )
        await collect(bulk)
        assert journal.counts() == {"done": 40, "failed": 0, "ambiguous": 0}
        pins = {s.key: s.result["pin"] for s in journal}
    assert bulk.summary.failed == 0
    assert set(server.inserts) == {h.pos_user_id for h in items}
    assert all(n == 1 for n in server.inserts.values())
    assert pins == {str(h.pos_user_id): h.pin for h in items}
