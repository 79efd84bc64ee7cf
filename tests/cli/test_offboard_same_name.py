"""`offboard` tells apart employees who share a name by their phone (as docs/cli.md says and as
`modify` does): two rows with one name and different phones are two leavers, each disabled and
reported under its own lookup; the same name and phone twice is still one leaver twice."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.cli._csv import CsvRow, parse_leavers
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv, write_csv

COLUMNS = ["first_name", "last_name", "phone"]


def test_two_leavers_who_share_a_name_are_told_apart_by_phone(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    first = sb.state.add_employee(
        first_name="Sam", last_name="Twin", phone="6155550101", pos_user_id=97001
    )
    second = sb.state.add_employee(
        first_name="Sam", last_name="Twin", phone="6155550102", pos_user_id=97002
    )
    src = write_csv(
        tmp_path / "leavers.csv",
        COLUMNS,
        [["Sam", "Twin", "(615) 555-0101"], ["Sam", "Twin", "615-555-0102"]],
    )
    out = tmp_path / "left.csv"
    result = invoke("offboard", str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert not first.active
    assert not second.active
    rows = read_csv(out)
    assert [r["status"] for r in rows] == ["disabled", "disabled"]
    assert [r["lookup"] for r in rows] == ["Sam Twin (6155550101)", "Sam Twin (6155550102)"]
    assert [r["pos_user_id"] for r in rows] == ["97001", "97002"]


def test_the_same_name_and_phone_twice_is_one_leaver_twice() -> None:
    rows = [
        CsvRow(2, {"first_name": "Sam", "last_name": "Twin", "phone": "(615) 555-0101"}),
        CsvRow(3, {"first_name": "sam", "last_name": "TWIN", "phone": "615.555.0101"}),
    ]
    leavers, errors = parse_leavers(rows)
    assert len(leavers) == 1
    assert [(e.row, e.reason) for e in errors] == [(3, "same leaver as row 2")]
