"""The lifecycle commands against a sandbox: modify, rehire, users export|create|modify|disable|
reactivate, employees export --with-email, template-csv; and the whole staff lifecycle through
the CLI on one tenant."""

from __future__ import annotations

import csv
import io
import re
import stat
from decimal import Decimal
from pathlib import Path

import anyio
import pytest

from sonnys_async import AsyncBackofficeClient
from sonnys_async.cli._lifecycle_csv import (
    MODIFY_COLUMNS,
    REHIRE_COLUMNS,
    USERS_CREATE_COLUMNS,
    USERS_KEY_COLUMNS,
    USERS_MODIFY_COLUMNS,
)
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv


def _logs_in(sb: Sandbox, username: str, password: str) -> bool:
    async def attempt() -> bool:
        async with AsyncBackofficeClient(
            sb.base_url, username=username, password=password, transport=sb.transport()
        ) as other:
            try:
                await other.login()
            except Exception:
                return False
            return True

    return anyio.run(attempt)


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("command", "columns"),
    [
        (["modify"], MODIFY_COLUMNS),
        (["rehire"], REHIRE_COLUMNS),
        (["users", "create"], USERS_CREATE_COLUMNS),
        (["users-modify"], USERS_MODIFY_COLUMNS),
        (["users", "disable"], USERS_KEY_COLUMNS),
        (["users", "reactivate"], USERS_KEY_COLUMNS),
    ],
)
def test_template_csv_prints_each_commands_header(
    invoke: Invoke, command: list[str], columns: tuple[object, ...]
) -> None:
    result = invoke("template-csv", *command)
    assert result.exit_code == 0, result.output
    assert result.output.strip().split(",") == [c.name for c in columns]  # type: ignore[attr-defined]
    described = invoke("template-csv", *command, "--describe")
    assert described.exit_code == 0
    assert "required" in described.output


def test_modify_applies_changes_and_a_rerun_reports_them_unchanged(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    staff = sorted(
        (e for e in sb.state.employees.values() if e.active and e.email),
        key=lambda e: e.id,
    )[:3]
    src = write_csv(
        tmp_path / "changes.csv",
        [
            "pos_user_id",
            "email",
            "first_name",
            "last_name",
            "new_last_name",
            "departments",
            "emergency_contact_name",
            "activate",
        ],
        [
            [staff[0].pos_user_id, "", "", "", "", "Cashier", "(clear)", ""],
            ["", staff[1].email.upper(), "", "", "Renamed", "", "Pat Doe", ""],
            ["", "", staff[2].first_name, staff[2].last_name, "", "", "", "no"],
        ],
    )
    out = tmp_path / "modified.csv"
    result = invoke("modify", str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _private(out)
    cashier = next(d.id for d in sb.state.tenant.departments if d.name == "Cashier")
    assert sb.state.employees[staff[0].id].department_ids == [cashier]
    assert sb.state.employees[staff[0].id].emergency_contact_name == ""
    assert sb.state.employees[staff[1].id].last_name == "Renamed"
    assert sb.state.employees[staff[1].id].emergency_contact_name == "Pat Doe"
    assert not sb.state.employees[staff[2].id].active
    rows = {r["row"]: r for r in read_csv(out)}
    assert {r["status"] for r in rows.values()} == {"modified"}
    assert rows["3"]["changes_applied"] == "properties"
    assert rows["4"]["changes_applied"] == "deactivated"
    assert "holds personal data" in result.output

    sent = len(posts(sb))
    again = invoke("modify", str(src), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert len(posts(sb)) == sent
    assert {r["status"] for r in read_csv(out)} == {"done earlier"}
    assert read_csv(out)[0]["changes_applied"]  # what the first run changed, kept
    # Without the journal, nothing says an earlier run did it: already so is "unchanged".
    alone = invoke("modify", str(src), "--no-journal")
    assert alone.exit_code == 0, alone.output
    assert re.search(r"unchanged \(already so\)\W+3\b", alone.output), alone.output


def test_modify_dry_run_checks_names_and_employees_and_writes_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    someone = next(e for e in sb.state.employees.values() if e.active)
    src = write_csv(
        tmp_path / "changes.csv",
        ["pos_user_id", "available_sites", "permission", "wage_rate"],
        [
            [someone.pos_user_id, "NAPER", "Cashier", "16"],
            [987654, "", "", "16"],
            [someone.pos_user_id + 100000, "Atlantis", "Astronaut", ""],
        ],
    )
    out = tmp_path / "r.csv"
    result = invoke("modify", str(src), "--out", str(out), "--dry-run")
    assert result.exit_code == 2, result.output
    err = " ".join(result.stderr.split())
    assert "row 3: pos_user_id: no employee with POS User ID 987654" in err
    assert "row 4: available_sites: unknown site(s) Atlantis" in err
    assert "row 4: permission: no POS permission template named 'Astronaut'" in err
    assert "1 row(s) would be" in result.output
    assert posts(sb) == []
    assert not out.exists()
    assert not (tmp_path / "r.csv.journal.jsonl").exists()


def test_users_create_modify_disable_reactivate_and_export(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    onboarded = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    assert invoke("onboard", str(onboarded), "--out", str(tmp_path / "h.csv")).exit_code == 0
    src = write_csv(
        tmp_path / "users.csv",
        [
            "username",
            "permission",
            "link_to_employee_pos_user_id",
            "first_name",
            "last_name",
            "email",
            "available_sites",
        ],
        [
            ["linked_one", "General User", 95001, "", "", "", ""],
            ["standalone", "Manager", "", "Stan", "Dalone", "stan@example.invalid", "NOLO;DKSN"],
        ],
    )
    out = tmp_path / "users-out.csv"
    created = invoke("users", "create", str(src), "--out", str(out))
    assert created.exit_code == 0, created.output
    assert _private(out)
    rows = {r["username"]: r for r in read_csv(out)}
    for name in ("linked_one", "standalone"):
        user = sb.state.user_by_username(name)
        assert user is not None
        assert rows[name]["status"] == "created"
        assert rows[name]["password"] == user.password
        assert _logs_in(sb, name, user.password)
        assert user.password not in created.output  # masked on screen
    assert rows["linked_one"]["linked_employee_id"] == str(
        sb.state.employee_by_pos_user_id(95001).id  # type: ignore[union-attr]
    )
    rerun = invoke("users", "create", str(src), "--out", str(out))
    assert rerun.exit_code == 0
    again = {r["username"]: r for r in read_csv(out)}
    assert {r["status"] for r in again.values()} == {"done earlier"}
    assert again["standalone"]["password"] == rows["standalone"]["password"]

    changes = write_csv(
        tmp_path / "user-changes.csv",
        ["username", "permission", "new_username"],
        [["standalone", "General User", "stand_alone"], ["linked_one", "General User", ""]],
    )
    changed = invoke("users", "modify", str(changes), "--out", str(tmp_path / "um.csv"))
    assert changed.exit_code == 0, changed.output
    statuses = {r["lookup"]: r["status"] for r in read_csv(tmp_path / "um.csv")}
    assert statuses == {"standalone": "modified", "linked_one": "unchanged"}
    assert sb.state.user_by_username("stand_alone") is not None

    keys = write_csv(tmp_path / "keys.csv", ["username"], [["stand_alone"], ["LINKED_ONE"]])
    disabled = invoke("users", "disable", str(keys), "--out", str(tmp_path / "ud.csv"))
    assert disabled.exit_code == 0, disabled.output
    assert all(sb.state.user_by_username(n).is_deleted for n in ("stand_alone", "linked_one"))  # type: ignore[union-attr]
    twice = invoke("users", "disable", str(keys), "--out", str(tmp_path / "ud.csv"))
    assert {r["status"] for r in read_csv(tmp_path / "ud.csv")} == {"already inactive"}
    assert twice.exit_code == 0

    export = tmp_path / "users.csv.out"
    listed = invoke("users", "export", str(export), "--status", "inactive", "--details")
    assert listed.exit_code == 0, listed.output
    assert _private(export)
    exported = {r["username"]: r for r in read_csv(export)}
    assert {"stand_alone", "linked_one"} <= set(exported)
    assert exported["stand_alone"]["is_active"] == "False"
    assert exported["stand_alone"]["permission"] == "General User"
    assert exported["linked_one"]["linked_employee_id"] == rows["linked_one"]["linked_employee_id"]

    back = invoke("users", "reactivate", str(keys))
    assert back.exit_code == 0, back.output
    assert not any(sb.state.user_by_username(n).is_deleted for n in ("stand_alone", "linked_one"))  # type: ignore[union-attr]


def test_employees_export_with_email(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    result = invoke("employees", "export", str(out), "--with-email", "--active", "all")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:5] == ["employee_id", "pos_user_id", "first_name", "last_name", "email"]
    rows = read_csv(out)
    assert len(rows) == len(sb.state.employees)
    for row in rows:
        assert row["email"] == sb.state.employees[int(row["employee_id"])].email
    plain = tmp_path / "plain.csv"
    assert invoke("employees", "export", str(plain)).exit_code == 0
    assert "email" not in next(csv.reader(io.StringIO(plain.read_text())))


def test_the_whole_staff_lifecycle_through_the_cli(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Hire with a Backoffice login -> offboard with the login -> rehire -> the same username
    logs in again (with the password the rehire wrote); `users export` shows it active."""
    hires = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(7, backoffice_username="round_trip", permission="Manager")],
    )
    hired_out = tmp_path / "hired.csv"
    assert invoke("onboard", str(hires), "--out", str(hired_out)).exit_code == 0
    (hired,) = read_csv(hired_out)
    assert _logs_in(sb, "round_trip", hired["backoffice_password"])

    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95007]])
    left = invoke("offboard", str(leavers), "--disable-backoffice-user")
    assert left.exit_code == 0, left.output
    assert not _logs_in(sb, "round_trip", hired["backoffice_password"])

    rehires = write_csv(
        tmp_path / "rehires.csv",
        ["pos_user_id", "wage_rate", "available_sites"],
        [[95007, "16.75", "NAPER"]],
    )
    rehired_out = tmp_path / "rehired.csv"
    back = invoke("rehire", str(rehires), "--out", str(rehired_out))
    assert back.exit_code == 0, back.output
    (rehired,) = read_csv(rehired_out)
    assert rehired["status"] == "rehired"
    assert rehired["backoffice_login"] == "reactivated"
    assert rehired["backoffice_username"] == "round_trip"
    assert rehired["backoffice_password"] != hired["backoffice_password"]
    assert _logs_in(sb, "round_trip", rehired["backoffice_password"])
    employee = sb.state.employee_by_pos_user_id(95007)
    assert employee is not None
    assert employee.active
    assert employee.wages[-1].rate == Decimal("16.75")

    export = tmp_path / "users-export.csv"
    listed = invoke("users", "export", str(export))
    assert listed.exit_code == 0, listed.output
    [row] = [r for r in read_csv(export) if r["username"] == "round_trip"]
    assert row["is_active"] == "True"
    assert row["email"] == "test7.hire@example.invalid"


def test_dry_runs_of_rehire_and_users_create_report_what_the_tenant_would_refuse(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    taken = next(u for u in sb.state.users.values() if u.username != sb.username)
    inactive = next(e for e in sb.state.employees.values() if not e.active)
    active = next(e for e in sb.state.employees.values() if e.active)
    rehires = write_csv(
        tmp_path / "rehires.csv",
        ["pos_user_id", "backoffice_permission"],
        [[inactive.pos_user_id, "Manager"], [987654, ""], [inactive.pos_user_id + 1, "Pilot"]],
    )
    result = invoke("rehire", str(rehires), "--out", str(tmp_path / "r.csv"), "--dry-run")
    assert result.exit_code == 2, result.output
    err = " ".join(result.stderr.split())
    assert "row 3: pos_user_id: no employee with POS User ID 987654" in err
    assert "row 4: backoffice_permission: no Backoffice permission template named 'Pilot'" in err
    assert "row 2:" not in err

    users = write_csv(
        tmp_path / "users.csv",
        ["username", "permission", "link_to_employee_pos_user_id"],
        [
            [taken.username.upper(), "Manager", active.pos_user_id],
            ["fresh_one", "Manager", inactive.pos_user_id],
        ],
    )
    out = tmp_path / "u.csv"
    dry = invoke("users", "create", str(users), "--out", str(out), "--dry-run")
    assert dry.exit_code == 2
    err = " ".join(dry.stderr.split())
    assert "row 2: username: already taken by a Backoffice user" in err
    assert "row 3: link_to_employee: the employee is inactive" in err
    # A real run refuses the taken username too (one read of the user list), before writing.
    real = invoke("users", "create", str(users), "--out", str(out))
    assert real.exit_code == 2
    assert "already taken" in real.stderr
    assert posts(sb) == []
    assert not out.exists()
