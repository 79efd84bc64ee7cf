"""The HR roster CSV of ``sync plan``: its columns, and its rows as the library's roster entries.

A roster row is read like an onboarding row (the same cells, the same conversions), plus
``status`` (``active`` / ``terminated``). Unlike ``onboard``, an invalid row does not stop the
command: ``plan_roster_sync`` turns it into a conflict (and never disables the employee it
might be). Only what makes the file itself unreadable stops it, before any login: not UTF-8,
blank, a header only, unknown or missing columns, rows with more cells than the header, cells
too long, non-ASCII digits.

Rows are numbered as in a spreadsheet (the header is row 1): the plan's ``SyncItem.row`` is
the row's position among the data rows (from 0), so its spreadsheet row is that plus 2 when
the file has no blank lines (``sync plan`` warns when it has some).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputValidationError
from ..models import RosterEntry
from ._csv import Column, CsvRow, RowError, _hire_fields

__all__ = ["SYNC_COLUMNS", "Roster", "parse_roster", "roster_file_errors", "roster_row"]

SYNC_COLUMNS: tuple[Column, ...] = (
    Column("first_name", True, "First name (1-64 characters)."),
    Column("last_name", True, "Last name (1-64 characters)."),
    Column("phone", True, "Phone, any formatting; 10 digits (a leading 1 is dropped)."),
    Column(
        "status",
        False,
        "'active' (default when blank) or 'terminated' (the employee is disabled).",
    ),
    Column("email", False, "E-mail address; matches employees, and a new hire needs one."),
    Column("pos_user_id", False, "POS User ID; matches employees first; a new hire needs one."),
    Column("adp_employee_id", False, "ADP employee id; matches employees after the POS User ID."),
    Column("wage_rate", False, "Hourly rate, e.g. 15.50 (compared; a new hire needs one)."),
    Column("overtime_wage_rate", False, "Overtime rate; 1.5 x wage_rate when blank."),
    Column("start_date", False, "A new hire's start date: YYYY-MM-DD or MM/DD/YYYY."),
    Column(
        "available_sites",
        False,
        "'all', or sites separated by ';' (ids, long names or short codes).",
    ),
    Column("permission", False, "POS permission template name, e.g. Cashier."),
    Column("departments", False, "Departments separated by ';' (names or ids)."),
    Column("emergency_contact_name", False, "Emergency contact name."),
    Column("emergency_contact_phone", False, "Emergency contact phone."),
    Column(
        "backoffice_username",
        False,
        "A new hire (or a rehire without one) gets a linked Backoffice login of this name.",
    ),
    Column("backoffice_permission", False, "Backoffice template; same as permission if blank."),
)

#: Onboarding columns a roster cannot have, and why.
_NOT_SYNC_COLUMNS: Mapping[str, str] = {
    "pos_pin": "not a sync column: a sync draws each new hire's PIN (the results file has it)",
    "backoffice_password": (
        "not a sync column: a sync draws each new login's password (the results file has it)"
    ),
    "wage_site": "not a sync column: a new hire's wage is booked to the first of its sites",
}


def roster_row(position: int | None) -> int | None:
    """The spreadsheet row of a plan item's ``row`` (its position among the data rows)."""
    return None if position is None else position + 2


def roster_file_errors(errors: Sequence[RowError]) -> list[RowError]:
    """``read_rows``'s errors, with onboarding-only columns explained."""
    return [
        RowError(e.row, e.field, _NOT_SYNC_COLUMNS[e.field])
        if e.row == 1 and e.field in _NOT_SYNC_COLUMNS and e.reason.startswith("unknown column")
        else e
        for e in errors
    ]


@dataclass(slots=True)
class Roster:
    """The roster's rows as ``plan_roster_sync`` takes them, and what the plan's screens need
    that the plan does not hold."""

    #: One mapping per data row, in order (position = the plan's ``SyncItem.row``).
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: ``(field, reason)`` of each invalid row, by position (the plan's conflicts, in detail).
    issues: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    #: "first last" as typed, by position (an invalid row's conflict has no name in the plan).
    names: dict[int, str] = field(default_factory=dict)
    #: The data rows are not rows 2, 3, ... of the file (blank lines between them).
    gaps: bool = False


def parse_roster(rows: Sequence[CsvRow]) -> Roster:
    """The roster entries of ``rows`` (from ``read_rows(path, SYNC_COLUMNS)``), as mappings.

    Cells are converted as for ``onboard`` (``;`` lists, ``all``, whole numbers, US dates; a
    ``backoffice_username`` asks for a login) and ``status`` is case-insensitive. Each mapping
    is validated here only to describe its problems field by field; the library validates it
    again and makes an invalid row a conflict.
    """
    roster = Roster()
    for position, csv_row in enumerate(rows):
        data = _hire_fields(csv_row.cells)
        if isinstance(data.get("status"), str):
            data["status"] = data["status"].casefold()
        roster.rows.append(data)
        first, last = csv_row.cells.get("first_name", ""), csv_row.cells.get("last_name", "")
        roster.names[position] = f"{first} {last}".strip()
        roster.gaps = roster.gaps or csv_row.row != roster_row(position)
        try:
            RosterEntry.model_validate(data)
        except InputValidationError as exc:
            roster.issues[position] = [(i.field, _reason(i.field, i.message)) for i in exc.issues]
    return roster


def _reason(field: str, message: str) -> str:
    if message == "is required":
        return "is required (the cell is empty)"
    if field == "start_date" and message.startswith("must be a date"):
        return "must be a date: YYYY-MM-DD or MM/DD/YYYY"
    return message
