"""The journal keeps offsets, not rows: what a re-run needs is read back from the file."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.journal import Journal, read_journal


def test_states_are_read_back_from_the_lines_they_point_at(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.record_started("a", {"name": "Åsa", "pin": 11111})
        journal.record_ok("a", {"employee_id": 1, "name": "Åsa"})
        journal.record_started("b", {"name": "Bö", "pin": 22222})
        journal.record_unknown("b", RuntimeError("lost"))
        journal.record_started("c", {"name": "Cy"})
        assert all(isinstance(slot, int) for slot in journal._index.values())
    with path.open("ab") as file:
        file.write(b'{"v":1,"key":"d","event":"sta')  # a run killed mid-line
    with Journal(path) as journal:
        journal.record_failed("c", ValueError("refused"))
        journal.record_started("b", {"name": "Bö", "pin": 33333})
        a, b, c = journal.state("a"), journal.state("b"), journal.state("c")
        assert a is not None
        assert a.status == "done"
        assert a.result["name"] == "Åsa"
        assert a.item is None
        assert b is not None
        assert b.status == "ambiguous"
        assert b.item["pin"] == 33333
        assert b.error is None
        assert c is not None
        assert c.status == "failed"
        assert c.item == {"name": "Cy"}
        assert c.error["type"] == "ValueError"
        assert journal.state("d") is None
    again = read_journal(path)
    assert [s.key for s in again] == ["a", "b", "c"]
    assert again.counts() == {"done": 1, "failed": 1, "ambiguous": 1}
    state = again.state("b")
    assert state is not None
    assert state.item["pin"] == 33333
