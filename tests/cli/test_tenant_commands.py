"""sites / departments / templates / employees export against the sandbox."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv


def test_sites_lists_every_site_with_its_code(invoke: Invoke, sb: Sandbox) -> None:
    result = invoke("sites")
    assert result.exit_code == 0
    for code in ("NAPER", "FIESTA", "NOLO"):
        assert code in result.stdout
    assert "Carlos' District" in result.stdout


def test_departments(invoke: Invoke) -> None:
    result = invoke("departments")
    assert result.exit_code == 0
    for name in ("Cashier", "Line", "Greeter", "Management"):
        assert name in result.stdout


def test_templates_lists_pos_and_backoffice_templates(invoke: Invoke) -> None:
    result = invoke("templates")
    assert result.exit_code == 0
    assert "POS templates" in result.stdout
    assert "Backoffice templates" in result.stdout
    assert "Assistant Manager" in result.stdout
    assert "Administrator" in result.stdout


@pytest.mark.parametrize("which", ["active", "inactive", "all"])
def test_employees_export(invoke: Invoke, sb: Sandbox, tmp_path: Path, which: str) -> None:
    out = tmp_path / "roster.csv"
    result = invoke("employees", "export", str(out), "--active", which)
    assert result.exit_code == 0
    rows = read_csv(out)
    expected = {
        e.pos_user_id
        for e in sb.state.employees.values()
        if which == "all" or e.active == (which == "active")
    }
    assert {int(r["pos_user_id"]) for r in rows} == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
