"""CLI review fixes (B1, R5, B6, R1, R8, R9, N1, N2, N3): each test fails without its fix."""

from __future__ import annotations

import os
import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sonnys_async._transport import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.cli import _commands as commands
from sonnys_async.cli._output import ResultsWriter
from sonnys_async.data import sample_path
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv, write_csv
from .test_onboard import HEADER, hire, posts

SAMPLE = sample_path("sample_hires.csv")


def logins(sb: Sandbox) -> int:
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path == "/login_check")


def onboard_three(invoke: Invoke, tmp_path: Path, **over: object) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1, **over), hire(2), hire(3)])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "hired.csv"))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- B1: offboarding runs again


def test_offboard_disables_a_rehire_who_was_offboarded_before(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Week 1 offboards someone; they are rehired (reactivated) and leave again: the same
    command with the same --out (so the same default journal) must disable them again."""
    emp = next(e for e in sb.state.employees.values() if e.active)
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[emp.pos_user_id]])
    out = tmp_path / "offboarded.csv"
    assert invoke("offboard", str(leavers), "--out", str(out)).exit_code == 0
    assert not emp.active
    emp.active = True  # rehired: reactivated in the Backoffice
    again = invoke("offboard", str(leavers), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert not emp.active
    [row] = read_csv(out)
    assert row["status"] == "disabled"


def test_offboard_rerun_with_disable_backoffice_user_ends_the_logins(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """A first run without --disable-backoffice-user, then the same run with it: the logins
    the first run left must be ended (not skipped as done)."""
    onboard_three(invoke, tmp_path, backoffice_username="leaverone", permission="Manager")
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001], [95002]])
    out = tmp_path / "offboarded.csv"
    assert invoke("offboard", str(leavers), "--out", str(out)).exit_code == 0
    [user] = [u for u in sb.state.users.values() if u.username == "leaverone"]
    assert not user.is_deleted
    again = invoke("offboard", str(leavers), "--out", str(out), "--disable-backoffice-user")
    assert again.exit_code == 0, again.output
    assert user.is_deleted
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["backoffice_user_ids_disabled"] == str(user.id)
    assert len(rows) == 2  # the resumed results file holds each leaver once


# ------------------------------------------------------------ R5: existing --out, run lock


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


def test_a_second_run_on_a_held_journal_stops_with_a_clear_message(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    fcntl = pytest.importorskip("fcntl")  # POSIX only
    journal = tmp_path / "run.jsonl"
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out = tmp_path / "results.csv"
    fd = os.open(journal, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
        result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal))
    finally:
        os.close(fd)
    assert result.exit_code == 2
    assert "in use by another run" in " ".join(result.stderr.split())
    assert posts(sb) == []
    assert not out.exists()
    result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal))
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------ B6: CSV crashes -> rows


def test_non_ascii_digits_are_row_errors_not_a_traceback(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    header = [*HEADER, "pos_pin"]
    src = write_csv(
        tmp_path / "hires.csv",
        header,
        [
            [*hire(1), ""],
            [*hire(2, pos_user_id="\u00b2"), ""],
            [*hire(3), "\u0661\u0662\u0663\u0664\u0665"],  # Arabic-Indic digits
            [*hire(4, start_date="\u0661\u0662/\u0660\u0661/\u0662\u0660\u0662\u0666"), ""],
        ],
    )
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 2, result.output
    for row, field in [(3, "pos_user_id"), (4, "pos_pin"), (5, "start_date")]:
        assert re.search(rf"^  row {row}: {field}: ", result.stderr, re.M), (row, field)
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [["\u00b2"]])
    result = invoke("offboard", str(leavers))
    assert result.exit_code == 2
    assert "row 2: pos_user_id:" in result.stderr
    assert posts(sb) == []
    assert not out.exists()


def test_a_cp1252_file_is_a_row_1_error(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    src = tmp_path / "hires.csv"
    write_csv(src, HEADER, [hire(1, first_name="José", last_name="Peña")])
    src.write_bytes(src.read_text(encoding="utf-8").encode("cp1252"))
    out = tmp_path / "results.csv"
    for args in (["onboard", str(src), "--out", str(out)], ["offboard", str(src)]):
        result = invoke(*args, "--skip-invalid")
        assert result.exit_code == 2, result.output
        assert "row 1: file: not UTF-8" in " ".join(result.stderr.split())
    assert posts(sb) == []
    assert not out.exists()
    assert not list(tmp_path.glob("*.jsonl"))


# --------------------------------------------------------------- R1: dry run checks uniques


def test_dry_run_reports_taken_email_phone_and_backoffice_username(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    employee = next(iter(sb.state.employees.values()))
    user = next(iter(sb.state.users.values()))
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [
            hire(1),
            hire(2, email=employee.email.upper()),
            hire(3, email=user.email),
            hire(4, phone=employee.phone),
            hire(5, backoffice_username=user.username, permission="Manager"),
        ],
    )
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"), "--dry-run")
    assert result.exit_code == 2, result.output
    for row, field in [(3, "email"), (4, "email"), (5, "phone"), (6, "backoffice_username")]:
        assert re.search(rf"^  row {row}: {field}: ", result.stderr, re.M), (row, field)
    assert not re.search(r"^  row 2: ", result.stderr, re.M)
    assert "1 row(s) would be created" in result.stdout
    assert posts(sb) == []


# -------------------------------------------------------------- R8: one login unless asked


def test_bulk_runs_log_in_once_unless_sessions_is_given(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(n) for n in range(1, 9)])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "a.csv"), "--concurrency", "4")
    assert result.exit_code == 0, result.output
    assert logins(sb) == 1
    leavers = write_csv(tmp_path / "l.csv", ["pos_user_id"], [[95000 + n] for n in range(1, 9)])
    before = logins(sb)
    result = invoke("offboard", str(leavers), "--concurrency", "4", "--sessions", "3")
    assert result.exit_code == 0, result.output
    assert 1 < logins(sb) - before <= 3


# --------------------------------------------------------- R9: exit 2 means nothing written


def test_unknown_tenant_names_create_no_journal_and_no_results(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, permission="Astronaut")])
    out = tmp_path / "results.csv"
    journal = tmp_path / "explicit.jsonl"
    for extra in ([], ["--journal", str(journal)]):
        result = invoke("onboard", str(src), "--out", str(out), *extra)
        assert result.exit_code == 2
        assert list(tmp_path.iterdir()) == [src]


# ------------------------------------------------------------- N1: Ctrl-C summary and hint


def test_ctrl_c_prints_the_partial_summary_and_how_to_resume(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT mid-run (sent after the 6th result row): the rows in flight finish, the
    summary of what was done is printed with the resume hint, exit 130; the re-run resumes."""
    sent: list[int] = []

    class InterruptingWriter(ResultsWriter):
        def write(self, row: Any) -> None:
            super().write(row)
            if self.rows == 6 and not sent:
                sent.append(1)
                signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(commands, "ResultsWriter", InterruptingWriter)
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert sent
    assert result.exit_code == 130, result.output
    assert "Onboarding summary" in result.stdout
    done = len(read_csv(out))
    assert 6 <= done < 50
    assert re.search(rf"done\W+{done}\b", result.stdout)
    err = " ".join(result.stderr.split())
    assert "run the same command again to resume" in err
    monkeypatch.undo()
    again = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert again.exit_code == 0, again.output
    rows = read_csv(out)
    assert Counter(r["status"] for r in rows) == {"done earlier": done, "created": 50 - done}
    holders = Counter(e.pos_user_id for e in sb.state.employees.values())
    assert all(holders[int(r["pos_user_id"])] == 1 for r in rows)


# ------------------------------------------------------------ N2: ASCII output, progress


def test_demo_prints_on_an_ascii_stdout(sb: Sandbox, tmp_path: Path) -> None:
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )
    out = tmp_path / "demo.csv"
    result = CliRunner(charset="ascii").invoke(
        cli, ["demo", "--latency-ms", "0", "--out", str(out)], obj=state
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    assert "*****" in result.stdout


def test_plain_progress_lines_off_a_terminal(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^onboarding: (\d+)/50 rows$", result.stdout, re.M)
    assert [int(n) for n in lines] == [10, 20, 30, 40, 50]


# ------------------------------------------------------ N3: long rows, case-folded keys


def test_a_row_with_too_many_cells_still_gets_its_fields_checked(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1), [*hire(2, email="not-an-email"), "extra"], [*hire(3), "extra"]],
    )
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"), "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert re.search(r"^  row 3: row: 12 cells but the header has 11", result.stderr, re.M)
    assert re.search(r"^  row 3: email: ", result.stderr, re.M)
    assert re.search(r"^  row 4: row: ", result.stderr, re.M)
    # A long row is never run, even when its other fields are fine.
    assert sb.state.employee_by_pos_user_id(95003) is None
    assert sb.state.employee_by_pos_user_id(95001) is not None


def test_offboard_journal_keys_ignore_case_like_the_csv_check(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    onboard_three(invoke, tmp_path)
    journal = tmp_path / "off.jsonl"
    for email, first, last in [
        ("Test2.Hire@Example.INVALID", "TEST3", "hire"),
        ("test2.hire@example.invalid", "Test3", "Hire"),
    ]:
        leavers = write_csv(
            tmp_path / "leavers.csv",
            ["email", "first_name", "last_name"],
            [[email, "", ""], ["", first, last]],
        )
        result = invoke("offboard", str(leavers), "--journal", str(journal))
        assert result.exit_code == 0, result.output
    with Journal(journal) as opened:
        keys = sorted(state.key for state in opened)
    assert keys == ["test2.hire@example.invalid", "test3 hire"]
