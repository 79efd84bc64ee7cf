"""Regression tests for the second review of run_each and the journal (one per finding)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from sonnys_async import bulk as bulk_module
from sonnys_async.bulk import Outcome, run_each
from sonnys_async.errors import DuplicateError, OutcomeUnknownError
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


# -- B3: the run's task group never spans (or cancels) the caller's code ------------------------


async def test_item_source_error_does_not_cancel_the_callers_loop_body() -> None:
    async def items() -> AsyncIterator[int]:
        yield 1
        await anyio.lowlevel.checkpoint()
        raise KeyError("source broke")

    finished: list[int] = []
    run = run_each(double, items())

    async def consume() -> None:
        async with run:
            async for outcome in run:
                # The caller's own work (a DB write...) runs while the source breaks.
                for _ in range(20):
                    await anyio.lowlevel.checkpoint()
                finished.append(outcome.item)

    with pytest.raises(KeyError, match="source broke"):
        await consume()
    assert finished == [1]
    assert run.summary.stopped == "error"


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


async def test_run_errors_are_raised_plainly() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise KeyError("source broke")

    async def consume() -> None:
        async with run_each(double, items()) as run:
            async for _ in run:
                pass

    with pytest.raises(KeyError, match="source broke"):
        await consume()


# -- B4: journal and source errors are plain; an applied item always gets its outcome -----------


async def test_journal_write_failing_after_success_still_delivers_the_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Outcome[int, dict[str, int]]] = []
    with Journal(tmp_path / "j.jsonl") as journal:
        real = journal.record_ok

        def record_ok(key: str, result: object, *, resolved: bool = False) -> None:
            if key == "2":
                raise OSError(28, "No space left on device")
            real(key, result, resolved=resolved)

        monkeypatch.setattr(journal, "record_ok", record_ok)
        bulk = run_each(double, [1, 2, 3], key=str, journal=journal, on_outcome=seen.append)
        with pytest.raises(OSError, match="No space left"):
            await drain(bulk)
    two = [o for o in seen if o.item == 2]
    assert [(o.status, o.result) for o in two] == [("ok", {"x": 2, "twice": 4})]
    assert bulk.summary.stopped == "error"


# -- B5: the journal is read as bytes -------------------------------------------------------


def test_torn_last_line_inside_a_multibyte_character_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("1", {"first_name": "José"})
    line = json.dumps(
        {"v": 1, "ts": "x", "key": "2", "event": "started", "item": {"first_name": "Zoë"}},
        ensure_ascii=False,
    ).encode()
    cut = line.index("ë".encode()) + 1  # inside the two bytes of ë
    with path.open("ab") as f:
        f.write(line[:cut])
    with Journal(path) as journal:
        assert journal.state("2") is None
        state = journal.state("1")
        assert state is not None
        assert state.item == {"first_name": "José"}
        journal.record_ok("3", {"name": "Zoë"})
    with Journal(path) as journal:
        assert {s.key for s in journal} == {"1", "3"}


def test_torn_line_after_crlf_lines_is_cut_at_its_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    good = [
        {"v": 1, "ts": "x", "key": "a", "event": "ok", "result": {"name": "Åsa"}},
        {"v": 1, "ts": "x", "key": "b", "event": "ok", "result": {"name": "Bo"}},
    ]
    body = b"".join(json.dumps(d, ensure_ascii=False).encode() + b"\r\n" for d in good)
    path.write_bytes(body + b'{"v":1,"key":"c","ev')
    with Journal(path) as journal:
        assert {s.key for s in journal} == {"a", "b"}
    assert path.read_bytes() == body
    with Journal(path) as journal:
        journal.record_ok("c", {"name": "Cy"})
    with Journal(path) as journal:
        assert {s.key: s.result["name"] for s in journal} == {"a": "Åsa", "b": "Bo", "c": "Cy"}


# -- R6: memory does not grow with the items' data ------------------------------------------


async def test_failures_are_kept_without_tracebacks() -> None:
    async def refuse(x: int) -> int:
        try:
            raise OSError("socket")
        except OSError as exc:
            raise DuplicateError(f"taken {x}", field="pos_user_id") from exc

    bulk = run_each(refuse, range(3))
    await drain(bulk)
    failures = bulk.summary.failures
    assert len(failures) == 3
    for failure in failures:
        assert isinstance(failure.error, DuplicateError)
        assert failure.error.__traceback__ is None
        assert failure.error.__cause__ is not None
        assert failure.error.__cause__.__traceback__ is None


async def test_journal_keeps_only_what_a_rerun_needs(tmp_path: Path) -> None:
    async def op(x: int) -> dict[str, int]:
        if x == 2:
            raise OutcomeUnknownError("dropped", url="/employee/insert")
        return {"x": x}

    path = tmp_path / "j.jsonl"
    with Journal(path) as written:
        await drain(run_each(op, [1, 2], key=str, journal=written))
    for journal in (written, Journal(path)):  # as written, and as read back
        with journal:
            done, unknown = journal.state("1"), journal.state("2")
            assert done is not None
            assert unknown is not None
            assert (done.status, done.item, done.result) == ("done", None, {"x": 1})
            assert (unknown.status, unknown.item, unknown.result) == ("ambiguous", 2, None)


# -- T1: rate limiting ----------------------------------------------------------------------


async def test_max_per_second_spaces_item_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        now[0] += delay
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(bulk_module.anyio, "current_time", lambda: now[0])
    monkeypatch.setattr(bulk_module.anyio, "sleep", fake_sleep)
    starts: list[float] = []

    async def op(x: int) -> int:
        starts.append(now[0])
        return x

    await drain(run_each(op, range(5), max_at_once=5, max_per_second=4))
    assert starts == [1000.0, 1000.25, 1000.5, 1000.75, 1001.0]
    assert delays == [0.25] * 4


# -- N3: an empty journal is still a journal --------------------------------------------------


def test_an_empty_journal_is_truthy(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.jsonl") as journal:
        assert len(journal) == 0
        assert journal
