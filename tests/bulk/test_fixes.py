"""Regression tests for the second review of run_each and the journal (one per finding)."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.bulk import Outcome, run_each
from sonnys_async.journal import Journal


async def double(x: int) -> dict[str, int]:
    return {"x": x, "twice": 2 * x}


async def drain(bulk: object) -> list[Outcome[int, dict[str, int]]]:
    async with bulk as run:  # type: ignore[attr-defined]
        return [o async for o in run]


async def test_skip_done_false_runs_done_items_again_with_their_recorded_result(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        await drain(run_each(double, [1, 2], key=str, journal=journal))
    calls: list[int] = []

    async def again(x: int) -> dict[str, int]:
        calls.append(x)
        return {"x": x, "twice": 2 * x, "again": 1}

    with Journal(path) as journal:
        default = await drain(run_each(again, [1, 2, 3], key=str, journal=journal))
        assert calls == [3]
        assert sorted(o.status for o in default) == ["ok", "skipped", "skipped"]
        calls.clear()
        rerun = run_each(again, [1, 2, 3], key=str, journal=journal, skip_done=False)
        outcomes = await drain(rerun)
    assert sorted(calls) == [1, 2, 3]
    assert all(o.status == "ok" for o in outcomes)
    assert {o.item: o.recorded for o in outcomes} == {
        1: {"x": 1, "twice": 2},
        2: {"x": 2, "twice": 4},
        3: {"x": 3, "twice": 6, "again": 1},
    }
    assert rerun.summary.skipped == 0
