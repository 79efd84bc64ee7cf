"""Spreadsheet formula injection: every cell the CLI writes that a spreadsheet could run as a
formula gets a leading ', in results files and the roster export alike; such input cells
are warned about (signed phone numbers are not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sonnys_async.cli._output import ResultsWriter
from sonnys_async.cli._safety import csv_cell, formula_risk
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, read_csv, write_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


def test_other_cells_are_written_as_they_are() -> None:
    assert csv_cell("Ann") == "Ann"
    assert csv_cell("'=already") == "'=already"
    assert csv_cell(None) == ""
    assert csv_cell(("A", "B")) == "A;B"
    assert csv_cell(True) == "yes"


def test_results_rows_are_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    with ResultsWriter(out, ["row", "first_name", "error"]) as writer:
        writer.write({"row": 2, "first_name": '=HYPERLINK("http://x")', "error": "@SUM(A1)"})
    [row] = read_csv(out)
    assert row["first_name"] == '\'=HYPERLINK("http://x")'
    assert row["error"] == "'@SUM(A1)"


def test_onboard_warns_about_formula_cells_and_neutralises_them(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [
            hire(1, first_name="=1+2", phone="+1 214 555 0201"),
            hire(2, last_name="@SUM(A1)"),
            hire(3, phone="-214-555-0203"),
        ],
    )
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    warnings = re.findall(r"^  row (\d+): (\w+): starts with", result.stderr, re.M)
    assert warnings == [("2", "first_name"), ("3", "last_name")]  # not the phones
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["first_name"] == "'=1+2"
    assert rows["3"]["last_name"] == "'@SUM(A1)"
    # Sent as they are: only the spreadsheet copy is neutralised.
    assert sb.state.employee_by_pos_user_id(95001).first_name == "=1+2"


def test_formula_risk_spares_signed_numbers() -> None:
    assert not formula_risk("+1 (615) 555-0100")
    assert not formula_risk("-5")
    assert formula_risk("-2+3")
    assert formula_risk("=cmd|' /C calc'!A0")
    assert not formula_risk("Ann")


def test_employees_export_is_neutralised(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    sb.state.add_employee(first_name="=cmd|' /C calc'!A0", last_name="-Evil", pos_user_id=96002)
    out = tmp_path / "roster.csv"
    result = invoke("employees", "export", str(out), "--active", "all")
    assert result.exit_code == 0, result.output
    [row] = [r for r in read_csv(out) if r["pos_user_id"] == "96002"]
    assert row["first_name"] == "'=cmd|' /C calc'!A0"
    assert row["last_name"] == "'-Evil"
    assert row["is_active"] == "True"
