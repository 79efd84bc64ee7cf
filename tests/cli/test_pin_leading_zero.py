"""A PIN is read as typed in every CSV that sets one: `012345` is refused (exit 2, naming the
row and pos_pin, nothing sent), never read as the different PIN 12345."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonnys_async.cli._csv import CsvRow, parse_hires
from sonnys_async.cli._lifecycle_csv import parse_changes
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, write_csv


def test_modify_refuses_a_pin_with_a_leading_zero_and_sends_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    employee = next(e for e in sb.state.employees.values() if e.active and e.pos_user_id)
    pin_before = employee.pos_pin
    src = write_csv(
        tmp_path / "changes.csv", ["pos_user_id", "pos_pin"], [[employee.pos_user_id, "012345"]]
    )
    result = invoke("modify", str(src), "--out", str(tmp_path / "results.csv"))
    assert result.exit_code == 2
    assert "row 2: pos_pin" in result.stderr
    assert posts(sb) == []
    assert employee.pos_pin == pin_before


@pytest.mark.parametrize("parse", [parse_changes, lambda rows: parse_hires(rows)])
def test_every_pin_reader_applies_the_same_rule(parse: object) -> None:
    cells = dict(zip(HEADER, (str(v) for v in hire(1)), strict=True))
    for typed, ok in (("012345", False), ("01234", False), ("12345", True)):
        row = CsvRow(2, {**cells, "pos_user_id": "95001", "pos_pin": typed})
        _, errors = parse([row])  # type: ignore[operator]
        assert any(e.field == "pos_pin" for e in errors) is not ok, typed


def test_onboard_still_refuses_a_pin_with_a_leading_zero(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", [*HEADER, "pos_pin"], [[*hire(1), "012345"]])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "results.csv"))
    assert result.exit_code == 2
    assert "row 2: pos_pin" in result.stderr
    assert posts(sb) == []
