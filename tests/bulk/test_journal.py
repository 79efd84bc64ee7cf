"""The journal: format, 0600 files, resume (skip done, resolve ambiguous, retry failed)."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from pydantic import BaseModel, SecretStr

from sonnys_async.bulk import Bulk, Outcome, run_each
from sonnys_async.errors import (
    DuplicateError,
    InputValidationError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from sonnys_async.journal import Journal, open_private, to_jsonable


@dataclasses.dataclass(frozen=True)
class Hire:
    pos_user_id: int
    pin: int


@dataclasses.dataclass(frozen=True)
class Created:
    employee_id: int
    pos_user_id: int
    pin: int


class FakeServer:
    """Holds 'employees' by POS user ID; an insert can be scripted to be applied then lost."""

    def __init__(self) -> None:
        self.employees: dict[int, int] = {}  # pos_user_id -> pin
        self.inserts: Counter[int] = Counter()
        self.drop_after_apply: set[int] = set()
        self.refuse: set[int] = set()

    async def create(self, hire: Hire) -> Created:
        await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.refuse:
            raise DuplicateError("That POS user ID is already in use!", field="pos_user_id")
        self.inserts[hire.pos_user_id] += 1
        self.employees[hire.pos_user_id] = hire.pin
        # The response takes a while: a kill now leaves an applied but unacknowledged insert.
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.drop_after_apply:
            self.drop_after_apply.discard(hire.pos_user_id)
            raise OutcomeUnknownError("connection dropped after sending", url="/employee/insert")
        return Created(1000 + hire.pos_user_id, hire.pos_user_id, hire.pin)

    async def resolve(self, hire: Hire) -> Created | None:
        await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.employees:
            return Created(1000 + hire.pos_user_id, hire.pos_user_id, hire.pin)
        return None


def hires(n: int) -> list[Hire]:
    return [Hire(100 + i, 20000 + i) for i in range(n)]


def key(h: Hire) -> int:
    return h.pos_user_id


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


async def drain(bulk: Bulk[Any, Any]) -> list[Outcome[Hire, Created]]:
    async with bulk:
        return [o async for o in bulk]


def test_files_holding_credentials_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    Journal(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loose = tmp_path / "loose.csv"
    loose.write_text("x")
    os.chmod(loose, 0o644)
    with open_private(loose) as f:
        f.write("y")
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    assert loose.read_text() == "y"


async def test_journal_records_item_and_result_with_credentials(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        await drain(run_each(server.create, hires(3), key=key, journal=journal))
    entries = lines(path)
    assert Counter(e["event"] for e in entries) == {"started": 3, "ok": 3}
    started = next(e for e in entries if e["event"] == "started" and e["key"] == "100")
    assert started["item"] == {"pos_user_id": 100, "pin": 20000}
    ok = next(e for e in entries if e["event"] == "ok" and e["key"] == "100")
    assert ok["result"] == {"employee_id": 1100, "pos_user_id": 100, "pin": 20000}
    assert all(e["v"] == 1 and isinstance(e["ts"], str) for e in entries)


async def test_rerun_skips_done_items_and_retries_failed_ones(tmp_path: Path) -> None:
    server = FakeServer()
    server.refuse = {102}
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        first = run_each(server.create, hires(5), key=key, journal=journal)
        await drain(first)
    assert (first.summary.ok, first.summary.failed) == (4, 1)

    server.refuse = set()
    with Journal(path) as journal:
        assert journal.counts() == {"done": 4, "failed": 1, "ambiguous": 0}
        second = run_each(server.create, hires(5), key=key, journal=journal)
        outcomes = await drain(second)
    assert (second.summary.ok, second.summary.skipped) == (1, 4)
    skipped = [o for o in outcomes if o.status == "skipped"]
    assert {o.recorded["pin"] for o in skipped} == {20000, 20001, 20003, 20004}
    assert all(n == 1 for n in server.inserts.values())
    assert len(server.inserts) == 5


async def test_ambiguous_outcome_is_resolved_from_server_state(tmp_path: Path) -> None:
    server = FakeServer()
    server.drop_after_apply = {101}
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        first = run_each(server.create, hires(3), key=key, journal=journal)
        outcomes = await drain(first)
    failed = [o for o in outcomes if o.status == "failed"]
    assert [type(o.error) for o in failed] == [OutcomeUnknownError]
    assert lines(path)[-1]["event"] in {"ok", "unknown"}
    assert any(e["event"] == "unknown" for e in lines(path))

    with Journal(path) as journal:
        assert journal.counts()["ambiguous"] == 1
        second = run_each(server.create, hires(3), key=key, journal=journal, resolve=server.resolve)
        outcomes = await drain(second)
    resolved = [o for o in outcomes if o.status == "ok"]
    assert [(o.key, o.resolved, o.result) for o in resolved] == [
        ("101", True, Created(1101, 101, 20001))
    ]
    assert second.summary.resolved == 1
    assert server.inserts[101] == 1  # never inserted twice
    with Journal(path) as journal:
        assert journal.counts() == {"done": 3, "failed": 0, "ambiguous": 0}


async def test_partial_writes_are_journaled_as_unknown(tmp_path: Path) -> None:
    async def half(hire: Hire) -> Created:
        await anyio.lowlevel.checkpoint()
        raise WriteNotVerifiedError(
            "sites differ", what="sites", partial={"employee_id": 7, "pin": hire.pin}
        )

    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        await drain(run_each(half, hires(1), key=key, journal=journal))
        state = journal.state("100")
    assert state is not None
    assert state.status == "ambiguous"
    assert state.error["partial"] == {"employee_id": 7, "pin": 20000}


async def test_ambiguous_item_without_resolver_is_not_resent(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("100", Hire(100, 20000))
    with Journal(path) as journal:
        bulk = run_each(server.create, hires(1), key=key, journal=journal)
        outcomes = await drain(bulk)
    assert [type(o.error) for o in outcomes] == [OutcomeUnknownError]
    assert server.inserts[100] == 0


async def test_resolver_saying_not_applied_sends_the_item_again(tmp_path: Path) -> None:
    server = FakeServer()
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("100", Hire(100, 20000))
    with Journal(path) as journal:
        bulk = run_each(server.create, hires(1), key=key, journal=journal, resolve=server.resolve)
        outcomes = await drain(bulk)
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
        await drain(bulk)
        assert journal.counts() == {"done": 40, "failed": 0, "ambiguous": 0}
        pins = {s.key: s.result["pin"] for s in journal}
    assert bulk.summary.failed == 0
    assert set(server.inserts) == {h.pos_user_id for h in items}
    assert all(n == 1 for n in server.inserts.values())
    assert pins == {str(h.pos_user_id): h.pin for h in items}


def test_truncated_last_line_is_ignored_and_appending_continues(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_ok("a", {"pin": 1})
    with path.open("a") as f:
        f.write('{"v":1,"key":"b","event":"st')  # the process died mid-line
    with Journal(path) as journal:
        assert journal.state("b") is None
        journal.record_ok("c", {"pin": 3})
    with Journal(path) as journal:
        assert {s.key for s in journal} == {"a", "c"}


def test_corruption_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('not json\n{"v":1,"key":"a","event":"ok","result":null}\n')
    with pytest.raises(InputValidationError, match="line 1"):
        Journal(path)


def test_journal_needs_a_key() -> None:
    with pytest.raises(ValueError, match="key"):
        run_each(FakeServer().create, [], journal=object())  # type: ignore[arg-type]


class Model(BaseModel):
    password: SecretStr
    rate: Decimal


def test_to_jsonable_keeps_secrets_and_exact_decimals() -> None:
    data = to_jsonable(Model(password=SecretStr("pw-123456"), rate=Decimal("15.10")))
    assert data == {"password": "pw-123456", "rate": "15.10"}
    assert to_jsonable(frozenset({3, 1})) == [1, 3]
    assert to_jsonable(ValueError("x")) == {"type": "ValueError", "message": "x"}


def test_journal_reprs_hold_no_data(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.jsonl") as journal:
        journal.record_started("k", {"pin": 54321})
        state = journal.state("k")
    assert "54321" not in repr(state)
    assert "54321" not in repr(journal)
