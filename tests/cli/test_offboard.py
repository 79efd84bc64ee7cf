"""offboard: leavers disabled by POS User ID, e-mail or name (and their Backoffice logins when
asked); every run checks every row again; journal keys ignore case."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv


def onboard_three(invoke: Invoke, tmp_path: Path, **over: object) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1, **over), hire(2), hire(3)])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "hired.csv"))
    assert result.exit_code == 0, result.output


def test_offboard_by_pos_id_email_and_name(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1), hire(2), hire(3, backoffice_username="testthree", permission="Manager"), hire(4)],
    )
    assert invoke("onboard", str(src), "--out", str(tmp_path / "r.csv")).exit_code == 0
    leavers = write_csv(
        tmp_path / "leavers.csv",
        ["pos_user_id", "email", "first_name", "last_name"],
        [
            [95001, "", "", ""],
            ["", "test2.hire@example.invalid", "", ""],
            [95003, "", "", ""],
            ["", "", "Test4", "Hire"],
        ],
    )
    out = tmp_path / "offboard.csv"
    result = invoke("offboard", str(leavers), "--out", str(out), "--disable-backoffice-user")
    assert result.exit_code == 0, result.output
    for pos in (95001, 95002, 95003, 95004):
        stored = sb.state.employee_by_pos_user_id(pos)
        assert stored is not None
        assert not stored.active
    [user] = [u for u in sb.state.users.values() if u.username == "testthree"]
    assert user.is_deleted
    assert {r["status"] for r in read_csv(out)} == {"disabled"}
    # Offboarding results hold names and ids, never a PIN or password: the line says so.
    assert f"results: {out} (mode 0600; holds personal data)" in result.stdout
    assert "credentials" not in result.stdout


def test_offboard_rerun_checks_every_row_again_and_sends_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """A re-run with the journal checks every leaver again (reads only: they are inactive),
    sends nothing, and puts each leaver back on its own input row."""
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2), hire(3)])
    assert invoke("onboard", str(src), "--out", str(tmp_path / "r.csv")).exit_code == 0
    leavers = write_csv(
        tmp_path / "leavers.csv",
        ["pos_user_id", "email", "first_name", "last_name"],
        [
            ["", "", "Test3", "Hire"],
            ["", "test2.hire@example.invalid", "", ""],
            [95001, "", "", ""],
        ],
    )
    out = tmp_path / "offboard.csv"
    assert invoke("offboard", str(leavers), "--out", str(out)).exit_code == 0
    first = {r["row"]: r for r in read_csv(out)}
    sent = len(posts(sb))
    again = invoke("offboard", str(leavers), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert len(posts(sb)) == sent
    rows = {r["row"]: r for r in read_csv(out)}
    assert {r["status"] for r in rows.values()} == {"already inactive"}
    assert {row: r["pos_user_id"] for row, r in rows.items()} == {
        "2": "95003",
        "3": "95002",
        "4": "95001",
    }
    assert {row: r["employee_id"] for row, r in rows.items()} == {
        row: r["employee_id"] for row, r in first.items()
    }


def test_offboard_unknown_leaver_fails_its_row_only(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[99999999]])
    result = invoke("offboard", str(leavers))
    assert result.exit_code == 1
    assert "NotFoundError" in result.stdout


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
