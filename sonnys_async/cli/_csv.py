"""CSV input of the CLI: documented columns, parsing, and validation of every row up front.

Row validation reuses the client's request models (:class:`CreateEmployeeRequest`,
:class:`DisableEmployeeRequest`); this module only converts CSV text to their field types and
maps their :class:`~sonnys_async.errors.InputValidationError` issues to row errors. Row numbers
are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..core.text import is_digits
from ..errors import InputValidationError
from ..models import CreateEmployeeRequest, DisableEmployeeRequest
from ._partial import partial_request
from ._safety import formula_risk

__all__ = [
    "OFFBOARD_COLUMNS",
    "ONBOARD_COLUMNS",
    "Column",
    "CsvRow",
    "HireRow",
    "LeaverRow",
    "RowError",
    "formula_warnings",
    "header_line",
    "parse_hires",
    "parse_leavers",
    "read_rows",
]

M = TypeVar("M", bound=BaseModel)

#: Separator of list cells (sites, departments): site names may contain commas.
LIST_SEPARATOR = ";"

#: The longest cell read (Python's csv default field limit); a longer one is a row error.
MAX_CELL = 131_072

#: Cells holding numbers, phones or dates: digits there must be ASCII (``'²'.isdigit()`` is
#: true, and ``int`` reads Arabic-Indic digits as numbers nobody typed).
_NUMERIC = frozenset(
    {
        "pos_user_id",
        "pos_pin",
        "wage_rate",
        "overtime_wage_rate",
        "start_date",
        "phone",
        "emergency_contact_phone",
        "new_phone",
        "wage_effective_date",
        "user_id",
        "link_to_employee_pos_user_id",
    }
)


@dataclass(frozen=True, slots=True)
class Column:
    """A documented CSV column."""

    name: str
    required: bool
    help: str


ONBOARD_COLUMNS: tuple[Column, ...] = (
    Column("first_name", True, "First name (1-64 characters)."),
    Column("last_name", True, "Last name (1-64 characters)."),
    Column("phone", True, "Phone, any formatting; 10 digits (a leading 1 is dropped)."),
    Column("email", True, "E-mail address (name@example.com)."),
    Column("pos_user_id", True, "POS User ID: a whole number >= 1, unique on the tenant."),
    Column("wage_rate", True, "Hourly rate, e.g. 15.50."),
    Column("start_date", True, "Start date: YYYY-MM-DD or MM/DD/YYYY."),
    Column(
        "available_sites",
        True,
        "'all', or sites separated by ';' (ids, long names or short codes).",
    ),
    Column("permission", True, "POS permission template name, e.g. Cashier."),
    Column("pos_pin", False, "Five-digit POS PIN; generated when blank."),
    Column("overtime_wage_rate", False, "Overtime rate; 1.5 x wage_rate when blank."),
    Column("departments", False, "Departments separated by ';' (names or ids)."),
    Column("wage_site", False, "Site the wage is attributed to; first site when blank."),
    Column("adp_employee_id", False, "ADP employee id."),
    Column("emergency_contact_name", False, "Emergency contact name."),
    Column("emergency_contact_phone", False, "Emergency contact phone."),
    Column(
        "backoffice_username",
        False,
        "Set to also create a linked Backoffice login with this username.",
    ),
    Column("backoffice_password", False, "Backoffice password; generated when blank."),
    Column("backoffice_permission", False, "Backoffice template; same as permission if blank."),
)

OFFBOARD_COLUMNS: tuple[Column, ...] = (
    Column("pos_user_id", False, "POS User ID of the leaver (preferred)."),
    Column("email", False, "...or their e-mail address."),
    Column("first_name", False, "...or first_name + last_name."),
    Column("last_name", False, "Last name (with first_name)."),
    Column("phone", False, "Narrows a name match when several employees share the name."),
)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one CSV row."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its spreadsheet row number and its cells by column.

    ``overflow`` counts cells beyond the header's columns: such a row is reported (by
    :func:`read_rows`) and never run, but its other cells are still validated so that every
    problem of the row shows up in one report.
    """

    row: int
    cells: Mapping[str, str]
    overflow: int = 0
    #: Columns already reported by :func:`read_rows` (the model's issue for them is not added).
    reported: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        # Cells may hold PINs and passwords.
        return f"CsvRow(row={self.row})"


@dataclass(frozen=True, slots=True)
class HireRow:
    """A validated onboarding row."""

    row: int
    request: CreateEmployeeRequest

    @property
    def key(self) -> str:
        """The POS User ID as text (the client's journal key for the row)."""
        return str(self.request.pos_user_id)

    def __repr__(self) -> str:
        return f"HireRow(row={self.row}, pos_user_id={self.request.pos_user_id})"


@dataclass(frozen=True, slots=True)
class LeaverRow:
    """A validated offboarding row."""

    row: int
    request: DisableEmployeeRequest

    @property
    def key(self) -> str:
        """Who the leaver is, normalised (two rows with one key name the same leaver)."""
        r = self.request
        if r.pos_user_id is not None:
            return f"pos:{r.pos_user_id}"
        if r.email is not None:
            return f"email:{r.email.casefold()}"
        # The phone tells apart employees who share a name: part of who the row names.
        return f"name:{self.lookup.casefold()}"

    @property
    def identity(self) -> str:
        """:attr:`key` as the results file can tell it from a written row (its ``lookup``)."""
        return self.lookup.casefold()

    @property
    def lookup(self) -> str:
        """Human description of the lookup (for tables and results)."""
        r = self.request
        if r.pos_user_id is not None:
            return f"POS User ID {r.pos_user_id}"
        if r.email is not None:
            return r.email
        name = f"{r.first_name} {r.last_name}"
        return f"{name} ({r.phone})" if r.phone else name


def header_line(columns: Sequence[Column]) -> str:
    """The CSV header for ``columns`` (what ``template-csv`` prints)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([c.name for c in columns])
    return buf.getvalue()


def read_rows(source: Path | str, columns: Sequence[Column]) -> tuple[list[CsvRow], list[RowError]]:
    """Read a CSV file (UTF-8, optional BOM) and check its header against ``columns``.

    Args:
        source: The file path.
        columns: The documented columns.

    Returns:
        The non-blank data rows, and errors: file and header errors (row 1: not UTF-8 text,
        blank, a header only, unknown or missing columns), rows with more cells than the
        header and cells longer than :data:`MAX_CELL` (those rows are returned too, flagged by
        ``overflow``, so their other fields get validated), and numeric cells with non-ASCII
        digits.
    """
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV" saves in the Windows code page (cp1252): say so instead of a
        # traceback, and write nothing (row 1 errors stop even --skip-invalid).
        where = f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
        return [], [
            RowError(1, "file", f"not UTF-8 text ({where}); save it as 'CSV UTF-8' and retry")
        ]
    except OSError as exc:
        return [], [RowError(1, "file", f"cannot be read: {exc.strerror or exc}")]
    records = _records(text)
    header: list[str] | None = None
    for _, record in records:
        if any(cell.strip() for cell in record):
            header = [h.strip() for h in record]
            break
    if header is None:
        return [], [RowError(1, "file", "the file is empty")]
    known = {c.name for c in columns}
    errors: list[RowError] = []
    for name in header:
        if name and name not in known:
            errors.append(
                RowError(1, name, f"unknown column; expected: {', '.join(c.name for c in columns)}")
            )
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            errors.append(RowError(1, name, "column appears twice"))
        seen.add(name)
    for column in columns:
        if column.required and column.name not in header:
            errors.append(RowError(1, column.name, "required column is missing"))
    rows: list[CsvRow] = []
    for number, record in records:
        if not any(cell.strip() for cell in record):
            continue
        overflow = max(0, len(record) - len(header))
        if overflow:
            errors.append(
                RowError(number, "row", f"{len(record)} cells but the header has {len(header)}")
            )
        cells = {
            name: record[i].strip() if i < len(record) else ""
            for i, name in enumerate(header)
            if name
        }
        reported: set[str] = set()
        for name, value in cells.items():
            if len(value) > MAX_CELL:
                errors.append(RowError(number, name, f"longer than {MAX_CELL:,} characters"))
                cells[name] = value[:MAX_CELL]
                reported.add(name)
            elif name in _NUMERIC and _foreign_digit(value):
                errors.append(RowError(number, name, "use ASCII digits (0-9) only"))
                reported.add(name)
        rows.append(CsvRow(number, cells, overflow, frozenset(reported)))
    if not rows and not errors:
        errors.append(RowError(1, "file", "no data rows (the file has a header only)"))
    return rows, errors


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of ``text``, numbered as spreadsheet rows.

    Parsed without the csv module's field limit (the whole file is in memory already), so a
    huge cell is reported by :func:`read_rows` as a row error instead of breaking the parse
    (after a ``_csv.Error`` the parser would resume mid-cell and invent rows).
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    finally:
        csv.field_size_limit(limit)
    return iter(list(enumerate(records, start=1)))


def _foreign_digit(text: str) -> bool:
    return not text.isascii() and any(
        unicodedata.category(ch) in ("Nd", "No", "Nl") for ch in text if not ch.isascii()
    )


def formula_warnings(rows: Iterable[CsvRow]) -> list[RowError]:
    """One warning per cell a spreadsheet would run as a formula (``=1+1``, ``@SUM(...)``);
    signed numbers and phone numbers (``+1 615 555 0100``) are not warned about."""
    return [
        RowError(
            row.row,
            name,
            f"starts with {value[0]!r}: a spreadsheet would run it as a formula (it is sent as "
            "it is; results files show it with a leading ')",
        )
        for row in rows
        for name, value in row.cells.items()
        if formula_risk(value)
    ]


# ASCII digits only: ``\d`` would also match other scripts' digits (Arabic-Indic, ...).
_US_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")


def _date(text: str) -> object:
    m = _US_DATE.match(text)
    if m:
        month, day, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return text  # the model reports it
    return text


def _int_or_text(text: str) -> object:
    # ``str.isdigit`` is true for "²" and other non-ASCII digits that ``int`` refuses or
    # reads as numbers nobody typed; those stay text and the model reports them.
    return int(text) if is_digits(text) else text


def pin_cell(text: str) -> object:
    """A ``pos_pin`` cell as typed: five digits become a number, anything else (``012345``
    included: never read as 12345, a different PIN) stays text, which the model refuses.
    The one rule for every CSV that sets a PIN."""
    return int(text) if is_digits(text) and not text.startswith("0") else text


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def _reason(field: str, message: str) -> str:
    # The library's wording for two common CSV mistakes, in the CLI's words.
    if message == "is required":
        return "is required (the cell is empty)"
    if field == "start_date" and message.startswith("must be a date"):
        return "must be a date: YYYY-MM-DD or MM/DD/YYYY"
    return message


def _validate(
    model: type[M], csv_row: CsvRow, data: dict[str, Any], errors: list[RowError]
) -> M | None:
    """The row's request, or ``None`` with its issues added to ``errors`` (those of columns
    :func:`read_rows` reported already left out). A row with such columns is never run."""
    try:
        request = model.model_validate(data)
    except InputValidationError as exc:
        errors.extend(
            RowError(csv_row.row, i.field, _reason(i.field, i.message))
            for i in exc.issues
            if i.field not in csv_row.reported
        )
        return None
    return None if csv_row.overflow or csv_row.reported else request


def _hire_fields(cells: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in cells.items():
        if value == "":
            continue
        if name == "available_sites":
            data[name] = "all" if value.casefold() == "all" else _list(value)
        elif name == "departments":
            data[name] = _list(value)
        elif name == "pos_pin":
            data[name] = pin_cell(value)
        elif name in {"pos_user_id", "wage_site"}:
            data[name] = _int_or_text(value)
        elif name == "start_date":
            data[name] = _date(value)
        else:
            data[name] = value
    if data.get("backoffice_username"):
        # A blank backoffice_permission stays blank: the client applies the POS template's
        # name (the one home of that default).
        data["requires_backoffice"] = True
    return data


def parse_hires(rows: Iterable[CsvRow]) -> tuple[list[HireRow], list[RowError]]:
    """Validate onboarding rows; collect every error instead of stopping at the first.

    A blank ``pos_pin`` / ``backoffice_password`` stays blank here: the client's
    ``create_employees`` draws it (or reuses the journaled one) just before the row is sent.

    Args:
        rows: Rows from :func:`read_rows`.

    Returns:
        The valid rows and the errors (row, field, reason). Unique values repeated across rows
        (POS User ID, e-mail, phone, Backoffice username) are errors on the later rows, also
        between rows with other problems (their valid cells are compared).
    """
    hires: list[HireRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, str], int] = {}
    for csv_row in rows:
        data = _hire_fields(csv_row.cells)
        request = _validate(CreateEmployeeRequest, csv_row, data, errors)
        # An invalid row's valid cells are compared too: every problem in one pass.
        r: Any = request or partial_request(CreateEmployeeRequest, data)
        duplicate = False
        uniques = [
            ("pos_user_id", None if r.pos_user_id is None else str(r.pos_user_id)),
            ("email", r.email and r.email.casefold()),
            ("phone", r.phone),
            ("backoffice_username", r.backoffice_username and r.backoffice_username.casefold()),
        ]
        for field, value in uniques:
            if not value:
                continue
            first = first_seen.setdefault((field, value), csv_row.row)
            if first != csv_row.row:
                errors.append(RowError(csv_row.row, field, f"same value as row {first}"))
                duplicate = True
        if request is not None and not duplicate:
            hires.append(HireRow(csv_row.row, request))
    return hires, errors


def parse_leavers(
    rows: Iterable[CsvRow], *, disable_backoffice_user: bool = False
) -> tuple[list[LeaverRow], list[RowError]]:
    """Validate offboarding rows (each names one leaver by POS User ID, e-mail or name).

    Args:
        rows: Rows from :func:`read_rows`.
        disable_backoffice_user: Also deactivate each leaver's linked Backoffice login.

    Returns:
        The valid rows and the errors (row, field, reason).
    """
    leavers: list[LeaverRow] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for csv_row in rows:
        data: dict[str, Any] = {
            name: (_int_or_text(value) if name == "pos_user_id" else value)
            for name, value in csv_row.cells.items()
            if value != ""
        }
        # A POS User ID or e-mail identifies the leaver; extra name/phone cells are notes.
        if "pos_user_id" in data or "email" in data:
            for name in ("first_name", "last_name", "phone"):
                data.pop(name, None)
            if "pos_user_id" in data:
                data.pop("email", None)
        data["disable_backoffice_user"] = disable_backoffice_user
        request = _validate(DisableEmployeeRequest, csv_row, data, errors)
        if request is None:
            continue
        leaver = LeaverRow(csv_row.row, request)
        first = first_seen.setdefault(leaver.key, csv_row.row)
        if first != csv_row.row:
            errors.append(RowError(csv_row.row, "row", f"same leaver as row {first}"))
            continue
        leavers.append(leaver)
    return leavers, errors
