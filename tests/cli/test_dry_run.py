"""onboard --dry-run: rows checked against the tenant (names, taken unique values), reads only."""

from __future__ import annotations

import re
from pathlib import Path

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, write_csv


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
