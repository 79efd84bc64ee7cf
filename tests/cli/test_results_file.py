"""The results file is never truncated silently: an existing --out is continued only by a run
that resumes from its journal, or replaced with --overwrite."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv


def test_existing_out_is_refused_when_the_run_does_not_resume_it(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    out.write_text("row,status,backoffice_password\n2,created,OnlyCopy123\n")
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    for extra in (["--no-journal"], ["--journal", str(tmp_path / "new.jsonl")], []):
        result = invoke("onboard", str(src), "--out", str(out), *extra)
        assert result.exit_code == 2, (extra, result.output)
        assert "--overwrite" in result.stderr
        assert "OnlyCopy123" in out.read_text()
    assert posts(sb) == []
    assert not (tmp_path / "new.jsonl").exists()
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001]])
    result = invoke("offboard", str(leavers), "--out", str(out), "--no-journal")
    assert result.exit_code == 2
    assert "OnlyCopy123" in out.read_text()
    forced = invoke("onboard", str(src), "--out", str(out), "--no-journal", "--overwrite")
    assert forced.exit_code == 0, forced.output
    assert [r["status"] for r in read_csv(out)] == ["created"]


def test_a_new_csv_pointed_at_last_weeks_out_keeps_last_weeks_credentials(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Same --out, so the default journal resumes: the file is continued, not truncated."""
    out = tmp_path / "results.csv"
    week1 = write_csv(
        tmp_path / "week1.csv",
        HEADER,
        [hire(1, backoffice_username="weekone", permission="Manager"), hire(2)],
    )
    assert invoke("onboard", str(week1), "--out", str(out)).exit_code == 0
    before = {r["pos_user_id"]: r for r in read_csv(out)}
    password = before["95001"]["backoffice_password"]
    assert password
    week2 = write_csv(tmp_path / "week2.csv", HEADER, [hire(3), hire(4)])
    result = invoke("onboard", str(week2), "--out", str(out))
    assert result.exit_code == 0, result.output
    after = {r["pos_user_id"]: r for r in read_csv(out)}
    assert set(after) == {"95001", "95002", "95003", "95004"}
    assert after["95001"]["backoffice_password"] == password
    assert after["95001"]["status"] == "created"
    assert len(read_csv(out)) == 4
