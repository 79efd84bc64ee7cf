"""CSV input: a huge cell is a row error, a blank or header-only file is a file error before
any login, and every problem of every row (shapes, names, taken values) is reported in one
pass, in a real run as in a dry run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sonnys_async.cli._csv import ONBOARD_COLUMNS, read_rows
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, logins, posts, write_csv


def test_a_cell_over_the_csv_field_limit_is_a_row_error(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1), hire(2, last_name="x" * 140_000), hire(3, first_name="multi\nline " * 20_000)],
    )
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert re.search(r"^  row 3: last_name: longer than 131,072 characters", result.stderr, re.M)
    assert re.search(r"^  row 4: first_name: longer than", result.stderr, re.M)
    assert "Traceback" not in result.output
    assert posts(sb) == []
    assert not out.exists()


def test_a_huge_quoted_cell_does_not_invent_rows(tmp_path: Path) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1, first_name="a\n" * 70_000), hire(2)])
    rows, errors = read_rows(src, ONBOARD_COLUMNS)
    assert [r.row for r in rows] == [2, 3]
    assert [(e.row, e.field) for e in errors] == [(2, "first_name")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("\n  \n\n", "the file is empty"),
        (",".join(HEADER) + "\n", "no data rows"),
        (",".join(HEADER) + "\n,,,\n\n", "no data rows"),
    ],
)
@pytest.mark.parametrize("command", ["onboard", "offboard"])
def test_a_blank_or_header_only_file_is_a_file_error_before_any_login(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, content: str, reason: str, command: str
) -> None:
    src = tmp_path / "in.csv"
    if command == "offboard" and content.startswith("first_name"):
        content = content.replace(",".join(HEADER), "pos_user_id")
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "results.csv"
    result = invoke(command, str(src), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert reason in result.stderr
    assert logins(sb) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("dry_run", [False, True])
def test_every_problem_of_every_row_is_reported_in_one_pass(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, dry_run: bool
) -> None:
    taken = next(iter(sb.state.employees.values())).pos_user_id
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [
            hire(1),
            hire(2, phone="12"),  # shape
            hire(3, available_sites="Atlantis"),  # name
            hire(4, pos_user_id=taken),  # taken on the tenant
            hire(5, wage_rate="1\u00b2"),  # non-ASCII digit
        ],
    )
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out), *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 2, result.output
    for row, field in [(3, "phone"), (4, "available_sites"), (5, "pos_user_id"), (6, "wage_rate")]:
        assert re.search(rf"^  row {row}: {field}: ", result.stderr, re.M), (row, field)
    assert posts(sb) == []
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_row_problems_are_shown_even_when_the_login_is_refused(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2, phone="12")])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"), password="wrong")
    assert result.exit_code == 3
    assert re.search(r"^  row 3: phone: ", result.stderr, re.M)
    assert "login refused" in result.stderr


def test_a_pin_with_a_leading_zero_is_a_row_error_not_a_shorter_pin(
    invoke: Invoke, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", [*HEADER, "pos_pin"], [[*hire(1), "012345"]])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "row 2: pos_pin" in result.output
