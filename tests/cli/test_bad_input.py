"""Bad input: every problem of every row reported as ``row N: field: reason`` and nothing
written (exit 2), unless --skip-invalid; header, encoding, digit and tenant-name problems."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from sonnys_async.cli import AppState
from sonnys_async.cli._csv import RowError
from sonnys_async.cli._runs import report_invalid
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv


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
    assert "nothing was written: fix the rows above (3 of 4 row(s) invalid)" in report
    assert "row 3: email: must be an e-mail address such as name@example.com" in report
    assert "row 4: start_date: must be a date: YYYY-MM-DD or MM/DD/YYYY" in report
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


def test_header_problems_are_reported(invoke: Invoke, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "hires.csv", ["first_name", "surname"], [["A", "B"]])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"), "--skip-invalid")
    assert result.exit_code == 2
    assert "surname" in result.stderr
    assert "required column is missing" in " ".join(result.stderr.split())


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


def test_offboard_row_without_a_lookup_is_invalid(invoke: Invoke, tmp_path: Path) -> None:
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id", "first_name"], [["", "Solo"]])
    result = invoke("offboard", str(leavers))
    assert result.exit_code == 2
    assert "row 2: last_name: a name lookup needs both" in result.stderr


def test_the_invalid_count_never_reads_of_0() -> None:
    err = Console(record=True, width=200)
    state = AppState(err=err)
    with pytest.raises(SystemExit) as exc:
        report_invalid(state, [RowError(2, "email", "is required")], skip_invalid=False, total=0)
    assert exc.value.code == 2
    text = err.export_text()
    assert "(1 of 1 row(s) invalid)" in text
    assert "of 0" not in text
