"""The measured table is written between the markers of docs/reliability.md, nowhere else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .compare import Findings
from .report import MARK_END, MARK_START, write_report
from .runner import CommandRuns, Invocation
from .scenario import Outcome
from .scenarios import SCENARIOS

pytestmark = pytest.mark.faults

DOC = Path(__file__).parent.parent.parent / "docs" / "reliability.md"


def _outcome(tmp_path: Path, *, misreported: int = 0) -> Outcome:
    found = Findings()
    for n in range(misreported):
        found.add("misreported", f"onboard row {n + 2}", "reported 'failed', the server holds it")
    inv = Invocation("onboard", 0, 0, 1.0, False, tmp_path / "o", tmp_path / "e", tmp_path / "l")
    return Outcome(
        SCENARIOS[0],
        found,
        [CommandRuns("onboard", [inv])],
        rows=250,
        logins=12,
        login_bound=15,
        wall_s=7.4,
        workdir=tmp_path,
        counters={"counters": {"faults": {}}, "sessions": {}},
    )


def test_the_doc_holds_the_markers_once() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(MARK_START) == 1
    assert text.count(MARK_END) == 1
    assert text.index(MARK_START) < text.index(MARK_END)


def test_write_report_replaces_only_the_table(tmp_path: Path) -> None:
    doc = tmp_path / "reliability.md"
    doc.write_text(f"# Title\n\nbefore\n\n{MARK_START}\nold table\n{MARK_END}\n\nafter\n")
    write_report(doc, [_outcome(tmp_path), _outcome(tmp_path, misreported=2)], 100.0)
    text = doc.read_text()
    assert text.startswith("# Title\n\nbefore\n\n" + MARK_START)
    assert text.endswith(MARK_END + "\n\nafter\n")
    assert "old table" not in text
    rows = [line for line in text.splitlines() if line.startswith("| baseline |")]
    assert len(rows) == 2
    assert rows[0].endswith("| pass |")
    assert "| 2 |" in rows[1]
    assert rows[1].endswith("| **fail** |")
    write_report(doc, [_outcome(tmp_path)], 50.0)  # idempotent: markers kept
    assert doc.read_text().count(MARK_START) == 1


def test_write_report_as_json(tmp_path: Path) -> None:
    target = tmp_path / "faults.json"
    write_report(target, [_outcome(tmp_path, misreported=1)], 12.5)
    data = json.loads(target.read_text())
    assert data["suite_wall_s"] == 12.5
    (row,) = data["scenarios"]
    assert (row["scenario"], row["misreported"], row["passed"]) == ("baseline", 1, False)


def test_a_doc_without_markers_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "plain.md"
    doc.write_text("# no markers\n")
    with pytest.raises(ValueError, match="markers"):
        write_report(doc, [_outcome(tmp_path)], 1.0)
