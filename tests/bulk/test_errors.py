"""Errors in a bulk run: refusals are data, everything else stops the run and is raised
plainly once the items in flight are done; an applied item always gets its outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from sonnys_async.bulk import Outcome, run_each
from sonnys_async.errors import DuplicateError
from sonnys_async.journal import Journal

from .fakes import FakeOp, collect, double


async def test_programming_errors_propagate_unwrapped_after_in_flight_items() -> None:
    op = FakeOp(fail={5: KeyError("bug")})
    seen: list[Outcome[int, int]] = []
    bulk = run_each(op, range(50), max_at_once=4, on_outcome=seen.append)
    with pytest.raises(KeyError, match="bug"):
        await collect(bulk)
    assert bulk.summary.stopped == "error"
    assert op.in_flight == 0
    # Every item that was started has an outcome, the crashed one included (unknown: a bug
    # may strike after a write; with the very exception that is then raised).
    assert len(seen) == sum(op.calls.values())
    crashed = [o for o in seen if o.status != "ok"]
    assert [(o.index, o.status, type(o.error)) for o in crashed] == [(5, "unknown", KeyError)]
    assert (bulk.summary.failed, bulk.summary.unknown) == (0, 1)


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
            await collect(bulk)
    two = [o for o in seen if o.item == 2]
    assert [(o.status, o.result) for o in two] == [("ok", {"x": 2, "twice": 4})]
    assert bulk.summary.stopped == "error"


async def test_failures_are_kept_without_tracebacks() -> None:
    async def refuse(x: int) -> int:
        try:
            raise OSError("socket")
        except OSError as exc:
            raise DuplicateError(f"taken {x}", field="pos_user_id") from exc

    bulk = run_each(refuse, range(3))
    await collect(bulk)
    failures = bulk.summary.failures
    assert len(failures) == 3
    for failure in failures:
        assert isinstance(failure.error, DuplicateError)
        assert failure.error.__traceback__ is None
        assert failure.error.__cause__ is not None
        assert failure.error.__cause__.__traceback__ is None
