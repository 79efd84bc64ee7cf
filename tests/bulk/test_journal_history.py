"""What a journal says about a key's whole history: whether any attempt was, or may have been,
applied (``KeyState.maybe_applied``), and what its latest ``unknown`` attempt reported, also
after a later refusal and after the file is read again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sonnys_async.errors import DuplicateError, OutcomeUnknownError
from sonnys_async.journal import Journal, KeyState, read_journal

Step = Callable[[Journal], None]


def _started(j: Journal) -> None:
    j.record_started("k", {"password": "Secret4Pass"})


def _failed(j: Journal) -> None:
    j.record_failed("k", DuplicateError("taken", field="username", value="k"))


def _unknown(j: Journal) -> None:
    j.record_unknown("k", OutcomeUnknownError("lost", url="/x", partial={"user_id": 7}))


def _ok(j: Journal) -> None:
    j.record_ok("k", {"user_id": 8})


def _states(path: Path, steps: list[Step]) -> tuple[KeyState, KeyState]:
    """The key's state as the writing journal holds it, and as a fresh read of the file."""
    with Journal(path) as journal:
        for step in steps:
            step(journal)
        live = journal.state("k")
    again = read_journal(path).state("k")
    assert live is not None
    assert again is not None
    return live, again


@pytest.mark.parametrize(
    ("steps", "maybe_applied"),
    [
        ([_started, _failed], False),
        ([_started, _failed, _started, _failed], False),
        ([_started], True),  # interrupted: no final entry
        ([_started, _unknown], True),
        ([_started, _unknown, _started, _failed], True),
        ([_started, _started, _failed], True),  # the first attempt was interrupted
        ([_started, _ok, _started, _failed], True),
        ([_started, _failed, _started], True),
    ],
    ids=[
        "refused",
        "refused-twice",
        "interrupted",
        "unknown",
        "unknown-then-refused",
        "interrupted-then-refused",
        "done-then-refused",
        "refused-then-interrupted",
    ],
)
def test_only_an_ambiguous_or_done_attempt_counts_as_maybe_applied(
    tmp_path: Path, steps: list[Step], maybe_applied: bool
) -> None:
    live, again = _states(tmp_path / "j.jsonl", steps)
    assert live.maybe_applied is maybe_applied
    assert again.maybe_applied is maybe_applied


def test_an_unknown_attempts_report_outlives_a_later_refusal(tmp_path: Path) -> None:
    live, again = _states(tmp_path / "j.jsonl", [_started, _unknown, _started, _failed])
    for state in (live, again):
        assert state.status == "failed"
        assert state.error["type"] == "DuplicateError"  # the latest error is still the latest
        assert state.unknown_error["partial"] == {"user_id": 7}
        assert state.item == {"password": "Secret4Pass"}


def test_a_done_key_forgets_its_unknown_attempt(tmp_path: Path) -> None:
    live, again = _states(tmp_path / "j.jsonl", [_started, _unknown, _ok])
    for state in (live, again):
        assert state.status == "done"
        assert state.unknown_error is None
        assert state.result == {"user_id": 8}


def test_a_journal_written_before_the_history_bit_reads_the_same(tmp_path: Path) -> None:
    """Old files hold only the four events: nothing new is written, the history is replayed."""
    path = tmp_path / "old.jsonl"
    path.write_text(
        '{"v":1,"ts":"2025-01-01T00:00:00.000Z","key":"a","event":"started","item":{"n":1}}\n'
        '{"v":1,"ts":"2025-01-01T00:00:01.000Z","key":"a","event":"failed",'
        '"error":{"type":"DuplicateError","message":"taken"}}\n'
        '{"v":1,"ts":"2025-01-01T00:00:02.000Z","key":"b","event":"started","item":{"n":2}}\n'
        '{"v":1,"ts":"2025-01-01T00:00:03.000Z","key":"b","event":"unknown",'
        '"error":{"type":"OutcomeUnknownError","message":"lost","partial":{"user_id":5}}}\n'
    )
    with Journal(path) as journal:
        a, b = journal.state("a"), journal.state("b")
        assert a is not None
        assert b is not None
        assert (a.status, a.maybe_applied) == ("failed", False)
        assert (b.status, b.maybe_applied) == ("ambiguous", True)
        assert b.unknown_error["partial"] == {"user_id": 5}
        assert journal.counts() == {"done": 0, "failed": 1, "ambiguous": 1}
