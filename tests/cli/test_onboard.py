"""onboard: every hire created, results file 0600 with the credentials, secrets off the
screen, failed rows reported with a non-zero exit, plain progress lines off a terminal."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from sonnys_async.data import sample_path
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, BeforePost, Invoke, hire, posts, read_csv, write_csv

SAMPLE = sample_path("sample_hires.csv")


def test_onboard_the_bundled_sample(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(sample_path("sample_hires.csv")), "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert len(rows) == 50
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for row in rows:
        assert row["status"] == "created"
        stored = sb.state.employee_by_pos_user_id(int(row["pos_user_id"]))
        assert stored is not None
        assert stored.id == int(row["employee_id"])
        assert stored.pos_pin == int(row["pos_pin"])
        if row["backoffice_username"]:
            [user] = [
                u for u in sb.state.users.values() if u.username == row["backoffice_username"]
            ]
            assert user.password == row["backoffice_password"]
            assert user.employee_id == stored.id
    # The CSV's own PIN is used when given (row 2 of the sample carries 31000).
    assert {r["pos_pin"] for r in rows if r["pos_user_id"] == "90001"} == {"31000"}
    # Secrets stay off the screen.
    shown_ids = {r["pos_user_id"] for r in rows}  # a random PIN may equal a POS id on screen
    for row in rows:
        if row["pos_pin"] not in shown_ids:
            assert row["pos_pin"] not in result.output
        if row["backoffice_password"]:
            assert row["backoffice_password"] not in result.output
    assert "Onboarding summary" in result.stdout


def test_failed_rows_give_a_non_zero_exit_and_are_in_the_results(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2)])
    out = tmp_path / "results.csv"

    def take_the_email() -> None:  # someone else takes row 3's e-mail after the checks
        sb.state.add_employee(first_name="Other", email="test2.hire@example.invalid")

    late = BeforePost(sb.transport(), "/employee/insert", take_the_email, skip=1)
    result = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1", transport=late)
    assert result.exit_code == 1
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["status"] == "created"
    assert rows["3"]["status"] == "failed"
    assert "email" in rows["3"]["error"].lower()
    assert rows["3"]["pos_pin"] == ""  # nothing was applied: no credential to hand over
    assert "Rows not done" in result.stdout


def test_a_value_taken_on_the_tenant_is_reported_before_anything_is_written(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    taken = next(iter(sb.state.employees.values())).pos_user_id
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, pos_user_id=taken)])
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 2
    assert re.search(r"^  row 3: pos_user_id: already in use", result.stderr, re.M)
    assert posts(sb) == []
    assert not out.exists()


def test_plain_progress_lines_off_a_terminal(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^onboarding: (\d+)/50 rows$", result.stdout, re.M)
    assert [int(n) for n in lines] == [10, 20, 30, 40, 50]


def test_a_blank_backoffice_permission_applies_the_pos_template_name(
    invoke: Invoke, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1, backoffice_username="bouser", permission="Manager")],
    )
    journal = tmp_path / "run.jsonl"
    result = invoke(
        "onboard", str(src), "--out", str(tmp_path / "r.csv"), "--journal", str(journal)
    )
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    [done] = [e for e in entries if e.get("event") == "ok"]
    assert done["result"]["backoffice_permission_applied"] == "Manager"
