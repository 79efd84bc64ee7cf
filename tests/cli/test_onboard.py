"""onboard / offboard / demo against the sandbox: results, validation, masking, exit codes."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sonnys_async.data import sample_path
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv, write_csv

HEADER = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "pos_user_id",
    "wage_rate",
    "start_date",
    "available_sites",
    "permission",
    "departments",
    "backoffice_username",
]


def hire(n: int, **over: object) -> list[object]:
    row = {
        "first_name": f"Test{n}",
        "last_name": "Hire",
        "phone": f"(214) 555-02{n:02d}",
        "email": f"test{n}.hire@example.invalid",
        "pos_user_id": 95000 + n,
        "wage_rate": "15.25",
        "start_date": "12/01/2026",
        "available_sites": "NAPER;WHEAT",
        "permission": "Cashier",
        "departments": "Cashier;Greeter",
        "backoffice_username": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def posts(sb: Sandbox) -> list[object]:
    return [r for r in sb.request_log if r.method == "POST" and r.path != "/login_check"]


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


def test_bad_rows_are_all_reported_and_nothing_is_written(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [
            hire(1),
            hire(2, phone="12", email="not-an-email"),
            hire(3, pos_user_id="abc", start_date="31/31/2026"),
            hire(4, pos_user_id=95001),  # same POS User ID as row 2
        ],
    )
    out = tmp_path / "results.csv"
    before = len(sb.state.employees)
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 2
    report = " ".join(result.stderr.split())
    for row, field in [
        (3, "phone"),
        (3, "email"),
        (4, "pos_user_id"),
        (4, "start_date"),
        (5, "pos_user_id"),
    ]:
        assert re.search(rf"^  row {row}: {field}: ", result.stderr, re.M), (row, field)
    assert "same value as row 2" in report
    assert "nothing was written" in report
    assert len(sb.state.employees) == before
    assert posts(sb) == []
    assert not out.exists()


def test_skip_invalid_creates_the_good_rows_and_reports_the_bad(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, wage_rate="lots"), hire(3)])
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out), "--skip-invalid")
    assert result.exit_code == 1  # not everything was done
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["status"] == rows["4"]["status"] == "created"
    assert rows["3"]["status"] == "invalid"
    assert "wage_rate" in rows["3"]["error"]
    assert sb.state.employee_by_pos_user_id(95002) is None
    assert sb.state.employee_by_pos_user_id(95001) is not None


def test_unknown_tenant_names_are_row_errors_before_any_write(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1), hire(2, available_sites="Atlantis"), hire(3, permission="Astronaut")],
    )
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr
    assert "Astronaut" in result.stderr
    assert posts(sb) == []


def test_header_problems_are_reported(invoke: Invoke, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "hires.csv", ["first_name", "surname"], [["A", "B"]])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"), "--skip-invalid")
    assert result.exit_code == 2
    assert "surname" in result.stderr
    assert "required column is missing" in " ".join(result.stderr.split())


def test_failed_rows_give_a_non_zero_exit_and_are_in_the_results(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    taken = next(iter(sb.state.employees.values())).pos_user_id
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, pos_user_id=taken)])
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 1
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["status"] == "created"
    assert rows["3"]["status"] == "failed"
    assert "DuplicateError" in rows["3"]["error"]
    assert "Failed rows" in result.stdout


def test_dry_run_writes_nothing(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2)])
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 row(s) would be created" in result.stdout
    assert posts(sb) == []
    assert not out.exists()
    taken = next(iter(sb.state.employees.values())).pos_user_id
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, pos_user_id=taken)])
    result = invoke("onboard", str(src), "--out", str(out), "--dry-run")
    assert result.exit_code == 2
    assert "already in use" in result.stderr


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


def test_offboard_row_without_a_lookup_is_invalid(invoke: Invoke, tmp_path: Path) -> None:
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id", "first_name"], [["", "Solo"]])
    result = invoke("offboard", str(leavers))
    assert result.exit_code == 2
    assert "row 2: last_name: a name lookup needs both" in result.stderr


def test_demo_runs_end_to_end(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "demo.csv"
    result = invoke("demo", "--latency-ms", "0", "--out", str(out), sandbox=False)
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert len(rows) == 50
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "50 hired and 5 offboarded" in result.stdout
    assert str(out) in " ".join(result.stdout.split()).replace(" ", "") or out.name in result.stdout
    shown_ids = {r["pos_user_id"] for r in rows}  # a random PIN may equal a POS id on screen
    for row in rows:
        if row["pos_pin"] not in shown_ids:
            assert row["pos_pin"] not in result.stdout
    leaver = sb.state.employee_by_pos_user_id(90003)
    assert leaver is not None
    assert not leaver.active
