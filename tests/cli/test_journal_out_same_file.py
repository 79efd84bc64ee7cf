"""A run's journal, results file and input are different files: `--journal` naming the `--out`
file or the input CSV (even through a link) exits 2 before anything is read from the tenant or
written, and leaves the files as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, logins, write_csv
from .test_sync_apply import plan_file
from .test_sync_plan import scenario


def test_onboard_refuses_a_journal_that_is_the_results_file(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out), "--journal", str(out))
    assert result.exit_code == 2
    assert "same file" in result.stderr
    assert not out.exists()
    assert logins(sb) == 0


@pytest.mark.parametrize("command", [["onboard"], ["offboard"], ["modify"]])
def test_a_journal_that_is_the_input_csv_is_refused_and_the_input_kept(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, command: list[str]
) -> None:
    src = write_csv(tmp_path / "input.csv", ["pos_user_id"], [[95001]])
    before = src.read_bytes()
    result = invoke(
        *command, str(src), "--out", str(tmp_path / "results.csv"), "--journal", str(src)
    )
    assert result.exit_code == 2
    assert "the input CSV" in result.stderr
    assert src.read_bytes() == before
    assert logins(sb) == 0


def test_a_journal_reached_through_a_link_to_the_results_file_is_refused(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001]])
    out = tmp_path / "results.csv"
    out.write_text("row,status\n")
    link = tmp_path / "journal.jsonl"
    link.symlink_to(out)
    result = invoke(
        "offboard", str(leavers), "--out", str(out), "--journal", str(link), "--overwrite"
    )
    assert result.exit_code == 2
    assert "same file" in result.stderr
    assert out.read_text() == "row,status\n"


def test_sync_apply_refuses_a_journal_that_is_the_plan(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, _ = scenario(sb)
    plan = plan_file(invoke, tmp_path, rows, "plan")
    before = plan.read_bytes()
    planned = logins(sb)
    result = invoke(
        "sync", "apply", str(plan), "--out", str(tmp_path / "r.csv"), "--journal", str(plan)
    )
    assert result.exit_code == 2
    assert "the plan" in result.stderr
    assert plan.read_bytes() == before
    assert logins(sb) == planned


def test_distinct_journal_and_results_files_still_run(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out, journal = tmp_path / "results.csv", tmp_path / "elsewhere.jsonl"
    result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal))
    assert result.exit_code == 0, result.output
    assert journal.exists()
