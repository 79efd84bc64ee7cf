"""`sync plan`: the roster CSV read (bad files stop before any login, invalid rows become
conflicts), the plan file and its review page written, the changes printed."""

from __future__ import annotations

import csv
import json
import stat
from collections import Counter
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sonnys_async.models import SyncPlan
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, logins, posts

#: The roster columns the tests write.
COLUMNS = [
    "first_name",
    "last_name",
    "phone",
    "status",
    "email",
    "pos_user_id",
    "wage_rate",
    "start_date",
    "available_sites",
    "permission",
    "departments",
    "backoffice_username",
]


def roster(sb: Sandbox) -> list[dict[str, Any]]:
    """The HR roster as the tenant stands: every active employee (identity fields)."""
    rows = []
    for e in sorted(sb.state.employees.values(), key=lambda e: e.id):
        if e.active:
            rows.append(
                {
                    "first_name": e.first_name,
                    "last_name": e.last_name,
                    "phone": e.phone,
                    "email": e.email,
                    "pos_user_id": e.pos_user_id,
                }
            )
    return rows


def new_hire(n: int, **over: object) -> dict[str, Any]:
    """A new hire of the roster (POS User ID 96000 + n)."""
    row: dict[str, Any] = {
        "first_name": f"Sync{n}",
        "last_name": "Hire",
        "phone": f"(214) 555-03{n:02d}",
        "email": f"sync{n}.hire@example.invalid",
        "pos_user_id": 96000 + n,
        "wage_rate": "15.25",
        "start_date": "12/01/2026",
        "available_sites": "NAPER;WHEAT",
        "permission": "Cashier",
        "departments": "Cashier;Greeter",
    }
    row.update(over)
    return row


def write_roster(
    path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str] = COLUMNS
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def scenario(sb: Sandbox) -> tuple[list[dict[str, Any]], dict[str, set[Any]]]:
    """A roster that updates one employee, terminates one, leaves one out, brings one back
    (with a new Backoffice login), hires three (one with a Backoffice login) and has one
    invalid row."""
    rows = roster(sb)
    changed, terminated, absent = rows[0], rows[1], rows[2]
    changed.update(wage_rate="21.00", available_sites="NAPER", permission="Manager")
    terminated["status"] = "TERMINATED"
    rows.remove(absent)
    back = next(e for e in sb.state.employees.values() if not e.active and e.email)
    rows.append(
        {
            "first_name": back.first_name,
            "last_name": back.last_name,
            "phone": back.phone,
            "pos_user_id": back.pos_user_id,
            "permission": "Manager",
            "backoffice_username": "syncback",
        }
    )
    rows.append(new_hire(1))
    rows.append(new_hire(2, permission="Manager", backoffice_username="synchire2"))
    rows.append(new_hire(3))
    rows.append({"first_name": "Bad", "last_name": "Phone", "phone": "12"})
    expected = {
        "update": {changed["pos_user_id"]},
        "disable": {terminated["pos_user_id"], absent["pos_user_id"]},
        "rehire": {back.pos_user_id},
        "create": {96001, 96002, 96003},
        "conflict": {None},
    }
    return rows, expected


def by_action(plan: SyncPlan) -> dict[str, set[Any]]:
    found: dict[str, set[Any]] = {}
    for item in plan.items:
        if item.action != "unchanged":
            found.setdefault(item.action, set()).add(item.pos_user_id)
    return found


class Rows(HTMLParser):
    """The review page's item rows: (data-action, cell texts), in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.scripts = 0
        self._cell: list[str] | None = None
        self._in_items = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self._in_items = a.get("id") == "items"
        if self._in_items and tag == "tr" and a.get("data-order"):
            self.rows.append((a.get("data-action") or "", []))
        if self._in_items and tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._in_items = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_rows(html: str) -> Rows:
    parser = Rows()
    parser.feed(html)
    return parser


# ------------------------------------------------------------------------------------ tests


def test_a_plan_lists_every_change_writes_the_plan_and_its_review_page(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, expected = scenario(sb)
    path = write_roster(tmp_path / "roster.csv", rows)
    out = tmp_path / "plan.json"
    result = invoke("sync", "plan", str(path), "--out", str(out))
    assert result.exit_code == 1, result.output  # planned, with a conflict
    assert posts(sb) == []  # planning only reads
    plan = SyncPlan.from_json(out.read_text(encoding="utf-8"))  # valid, digest checked
    assert by_action(plan) == expected
    assert plan.mass_disable is None
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # Counts per action, then conflicts (row, field, reason), then the changes field by field.
    printed = result.output
    for action, count in Counter(i.action for i in plan.items).items():
        assert f"│ {action}" in printed or f"| {action}" in printed, action
        assert str(count) in printed
    bad_row = len(rows) + 1  # the last data row, as in a spreadsheet
    assert f"row {bad_row}: phone: must have 10 digits" in printed
    assert printed.index("Conflicts") < printed.index("Changes")
    assert "wage_rate" in printed
    assert "21.00" in printed
    assert "inactive (terminated on the roster)" in printed
    assert "inactive (absent from the roster)" in printed
    # The review page: every item, conflicts first.
    html_path = tmp_path / "plan.html"
    assert f"review page: {html_path}" in printed
    page = page_rows(html_path.read_text(encoding="utf-8"))
    actions = [action for action, _ in page.rows]
    assert actions[0] == "conflict"
    assert actions == sorted(actions, key=lambda a: a != "conflict")
    names = {cells[3] for _, cells in page.rows}
    for item in plan.items:
        assert (item.name or "Bad Phone") in names, item
    [conflict] = [cells for action, cells in page.rows if action == "conflict"]
    assert conflict[2] == str(bad_row)
    assert conflict[6] == "phone"
    assert page.scripts == 1


def test_a_clean_roster_plans_nothing_and_exits_0(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_roster(tmp_path / "roster.csv", roster(sb))
    out = tmp_path / "plan.json"
    result = invoke(
        "sync", "plan", str(path), "--out", str(out), "--html", str(tmp_path / "r.html")
    )
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output
    plan = SyncPlan.from_json(out.read_text(encoding="utf-8"))
    assert plan.actionable == ()
    assert plan.conflicts == ()
    assert (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            "first_name,last_name,phone,shoe_size\nA,B,2145550100,9\n",
            (),
            "shoe_size: unknown column",
        ),
        ("first_name,last_name,phone,pos_pin\nA,B,2145550100,12345\n", (), "pos_pin: not a sync"),
        ("", (), "file: the file is empty"),
        ("first_name,last_name,phone\n", (), "no data rows"),
        ("first_name,last_name\nA,B\n", (), "phone: required column is missing"),
        ("first_name,last_name,phone\nA,B,2145550100,extra\n", (), "4 cells but the header has 3"),
        ("first_name,last_name,phone\nA,B,2145550100\n", ("--match", "pos_user_id,ssn"), "ssn"),
        ("first_name,last_name,phone\nA,B,2145550100\n", ("--match", "email,email"), "distinct"),
        (
            "first_name,last_name,phone\nA,B,2145550100\n",
            ("--disable-threshold", "150%"),
            "between",
        ),
    ],
    ids=[
        "unknown-column",
        "onboard-only-column",
        "blank-file",
        "header-only",
        "missing-column",
        "extra-cells",
        "unknown-match-key",
        "repeated-match-key",
        "threshold",
    ],
)
def test_bad_input_stops_before_any_login_and_writes_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "plan.json"
    result = invoke("sync", "plan", str(path), "--out", str(out), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert logins(sb) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_unknown_scope_names_are_bad_input(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    path = write_roster(tmp_path / "roster.csv", roster(sb))
    out = tmp_path / "plan.json"
    for option, value in (("--site", "NOWHERE"), ("--department", "Nosuch"), ("--template", "X")):
        result = invoke("sync", "plan", str(path), "--out", str(out), option, value)
        assert result.exit_code == 2, result.output
        assert "NOWHERE" in result.output or "valid" in result.output
        assert not out.exists()


def test_scope_match_threshold_and_logins_are_recorded_in_the_plan(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_roster(tmp_path / "roster.csv", [])
    path.write_text(",".join(COLUMNS) + "\n" + "A,B,2145550100\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    result = invoke(
        "sync",
        "plan",
        str(path),
        "--out",
        str(out),
        "--site",
        "NAPER",
        "--department",
        "Greeter",
        "--match",
        "email, pos_user_id",
        "--disable-threshold",
        "100%",
        "--keep-backoffice-users",
    )
    assert result.exit_code in (0, 1), result.output
    plan = SyncPlan.from_json(out.read_text(encoding="utf-8"))
    assert plan.scope.sites == ("NAPER",)
    assert plan.scope.departments == ("Greeter",)
    assert plan.match == ("email", "pos_user_id")
    assert plan.disable_threshold == 1.0
    assert plan.disable_backoffice_users is False
    disables = [i for i in plan.items if i.action == "disable"]
    assert disables
    assert all(not i.request["disable_backoffice_user"] for i in disables)


def test_an_existing_file_that_is_not_a_plan_is_not_overwritten(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_roster(tmp_path / "roster.csv", roster(sb))
    precious = tmp_path / "results.csv"
    precious.write_text("row,status,pos_pin\n2,created,12345\n", encoding="utf-8")
    result = invoke("sync", "plan", str(path), "--out", str(precious))
    assert result.exit_code == 2, result.output
    assert "not a roster-sync plan" in result.output
    assert "12345" in precious.read_text(encoding="utf-8")
    result = invoke("sync", "plan", str(path), "--out", str(path))
    assert result.exit_code == 2, result.output
    out = tmp_path / "plan.json"
    result = invoke("sync", "plan", str(path), "--out", str(out), "--html", str(precious))
    assert result.exit_code == 2, result.output
    assert "not a plan's review page" in result.output
    assert "12345" in precious.read_text(encoding="utf-8")
    assert not out.exists()


def test_a_plan_file_is_replaced_by_the_next_plan(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    path = write_roster(tmp_path / "roster.csv", roster(sb))
    out = tmp_path / "plan.json"
    assert invoke("sync", "plan", str(path), "--out", str(out)).exit_code == 0
    first = json.loads(out.read_text(encoding="utf-8"))["digest"]
    assert invoke("sync", "plan", str(path), "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["digest"] != first  # a new created_at


def test_template_csv_sync_prints_the_roster_columns(invoke: Invoke) -> None:
    result = invoke("template-csv", "sync")
    assert result.exit_code == 0, result.output
    header = result.output.strip().split(",")
    assert header[:4] == ["first_name", "last_name", "phone", "status"]
    assert "adp_employee_id" in header
    assert "pos_pin" not in header
    described = invoke("template-csv", "sync", "--describe")
    assert described.exit_code == 0
    assert "terminated" in described.output
