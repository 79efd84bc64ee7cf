"""The journal file: what each entry holds, 0600 files, torn and corrupt lines, no data in
reprs, and only what a re-run needs kept in memory."""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from decimal import Decimal
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from pydantic import BaseModel, SecretStr

from sonnys_async.bulk import run_each
from sonnys_async.errors import InputValidationError, OutcomeUnknownError, WriteNotVerifiedError
from sonnys_async.journal import Journal, open_private, to_jsonable

from .fakes import Created, FakeServer, Hire, collect, hires, key, lines


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
        await collect(run_each(server.create, hires(3), key=key, journal=journal))
    entries = lines(path)
    assert Counter(e["event"] for e in entries) == {"started": 3, "ok": 3}
    started = next(e for e in entries if e["event"] == "started" and e["key"] == "100")
    assert started["item"] == {"pos_user_id": 100, "pin": 20000}
    ok = next(e for e in entries if e["event"] == "ok" and e["key"] == "100")
    assert ok["result"] == {"employee_id": 1100, "pos_user_id": 100, "pin": 20000}
    assert all(e["v"] == 1 and isinstance(e["ts"], str) for e in entries)


async def test_partial_writes_are_journaled_as_unknown(tmp_path: Path) -> None:
    async def half(hire: Hire) -> Created:
        await anyio.lowlevel.checkpoint()
        raise WriteNotVerifiedError(
            "sites differ", what="sites", partial={"employee_id": 7, "pin": hire.pin}
        )

    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        await collect(run_each(half, hires(1), key=key, journal=journal))
        state = journal.state("100")
    assert state is not None
    assert state.status == "ambiguous"
    assert state.error["partial"] == {"employee_id": 7, "pin": 20000}


async def test_journal_keeps_only_what_a_rerun_needs(tmp_path: Path) -> None:
    async def op(x: int) -> dict[str, int]:
        if x == 2:
            raise OutcomeUnknownError("dropped", url="/employee/insert")
        return {"x": x}

    path = tmp_path / "j.jsonl"
    with Journal(path) as written:
        await collect(run_each(op, [1, 2], key=str, journal=written))
    for journal in (written, Journal(path)):  # as written, and as read back
        with journal:
            done, unknown = journal.state("1"), journal.state("2")
            assert done is not None
            assert unknown is not None
            assert (done.status, done.item, done.result) == ("done", None, {"x": 1})
            assert (unknown.status, unknown.item, unknown.result) == ("ambiguous", 2, None)


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


def test_corruption_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('not json\n{"v":1,"key":"a","event":"ok","result":null}\n')
    with pytest.raises(InputValidationError, match="line 1"):
        Journal(path)


def test_journal_needs_a_key() -> None:
    with pytest.raises(ValueError, match="key"):
        run_each(FakeServer().create, [], journal=object())  # type: ignore[arg-type]


def test_an_empty_journal_is_truthy(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.jsonl") as journal:
        assert len(journal) == 0
        assert journal


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
