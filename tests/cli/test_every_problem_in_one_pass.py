"""Bad input gets a clear error naming field and row, all of them in one pass, before anything
is written: a row with a shape problem is still checked for duplicates and for names on the
tenant, and the lifecycle commands run the tenant checks before exiting, as onboard does."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.cli._csv import CsvRow, parse_hires
from sonnys_async.cli._lifecycle_csv import parse_changes
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, write_csv


def flat(text: str) -> str:
    return " ".join(text.split())


def some_active(sb: Sandbox, n: int) -> list[int]:
    found = [e.pos_user_id for e in sb.state.employees.values() if e.active and e.pos_user_id]
    return found[:n]  # type: ignore[return-value]


def test_modify_reports_one_row_s_unknown_site_and_another_row_s_bad_email_together(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    first, second = some_active(sb, 2)
    src = write_csv(
        tmp_path / "changes.csv",
        ["pos_user_id", "available_sites", "new_email"],
        [[first, "NOSUCHSITE", ""], [second, "", "not-an-email"]],
    )
    result = invoke("modify", str(src), "--out", str(tmp_path / "results.csv"))
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "row 2: available_sites:" in err
    assert "row 3: new_email:" in err
    assert posts(sb) == []
    assert not (tmp_path / "results.csv").exists()


def test_a_row_with_a_bad_cell_still_gets_its_names_checked(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1, email="nope", available_sites="NOSUCHSITE", permission="No Such Template")],
    )
    result = invoke("onboard", str(src), "--out", str(tmp_path / "results.csv"))
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "row 2: email:" in err
    assert "row 2: available_sites:" in err
    assert "row 2: permission:" in err
    assert posts(sb) == []


def test_modify_checks_the_names_of_a_row_with_a_bad_cell(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    [someone] = some_active(sb, 1)
    src = write_csv(
        tmp_path / "changes.csv",
        ["pos_user_id", "departments", "new_phone"],
        [[someone, "No Such Department", "123"]],
    )
    result = invoke("modify", str(src))
    assert result.exit_code == 2
    err = flat(result.stderr)
    assert "row 2: new_phone:" in err
    assert "row 2: departments:" in err
    assert posts(sb) == []


def test_onboarding_duplicates_are_found_between_rows_with_other_problems() -> None:
    cells = [dict(zip(HEADER, (str(v) for v in hire(n)), strict=True)) for n in (1, 2, 3)]
    cells[1]["email"] = "bad"  # row 3: invalid, and the same phone as row 2
    cells[1]["phone"] = cells[0]["phone"]
    cells[2]["wage_rate"] = "lots"  # row 4: invalid, and the same e-mail as row 2
    cells[2]["email"] = cells[0]["email"].upper()
    hires, errors = parse_hires([CsvRow(i + 2, c) for i, c in enumerate(cells)])
    found = {(e.row, e.field, e.reason) for e in errors}
    assert (3, "phone", "same value as row 2") in found
    assert any(e.row == 3 and e.field == "email" and "same" not in e.reason for e in errors)
    assert (4, "email", "same value as row 2") in found
    assert any(e.row == 4 and e.field == "wage_rate" for e in errors)
    assert [h.row for h in hires] == [2]


def test_modify_duplicates_are_found_between_rows_with_other_problems() -> None:
    rows = [
        CsvRow(2, {"pos_user_id": "6297", "new_email": "same@example.com", "new_phone": ""}),
        CsvRow(3, {"pos_user_id": "6297", "new_email": "SAME@example.com", "new_phone": "1"}),
    ]
    parsed, errors = parse_changes(rows)
    found = {(e.row, e.field) for e in errors}
    assert (3, "row") in found  # the same employee as row 2
    assert (3, "new_email") in found  # the same new e-mail as row 2
    assert (3, "new_phone") in found  # and its own bad cell
    assert [r.row for r in parsed] == [2]
