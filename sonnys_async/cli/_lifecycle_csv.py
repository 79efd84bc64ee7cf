"""CSV input of the staff-lifecycle commands: ``modify``, ``rehire``, ``users create``,
``users modify``, ``users disable`` and ``users reactivate``.

As for onboarding (:mod:`._csv`), rows are validated by the client's request models
(:class:`ModifyEmployeeRequest`, :class:`RehireEmployeeRequest`, ...), every problem of every
row is collected, and row numbers are spreadsheet rows (the header is row 1). A blank cell means
"not given" (for a change: "no change").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..models import (
    CreateBackofficeUserRequest,
    ModifyBackofficeUserRequest,
    ModifyEmployeeRequest,
    RehireEmployeeRequest,
    Username,
)
from ._csv import Column, CsvRow, RowError, _date, _int_or_text, _list, _validate, pin_cell
from ._partial import partial_request, partial_rows

__all__ = [
    "CLEAR",
    "MODIFY_COLUMNS",
    "REHIRE_COLUMNS",
    "USERS_CREATE_COLUMNS",
    "USERS_KEY_COLUMNS",
    "USERS_MODIFY_COLUMNS",
    "LifecycleRow",
    "UserKey",
    "parse_changes",
    "parse_rehires",
    "parse_user_changes",
    "parse_user_keys",
    "parse_users",
    "partial_changes",
]

#: The cell that clears an optional value in ``modify`` (a blank cell means "no change").
CLEAR = "(clear)"

#: ``modify`` columns whose stored value a ``(clear)`` cell clears.
_CLEARABLE = frozenset({"adp_employee_id", "emergency_contact_name", "emergency_contact_phone"})

_EMPLOYEE_KEYS: tuple[Column, ...] = (
    Column("pos_user_id", False, "Who: the POS User ID (preferred)."),
    Column("email", False, "...or their current e-mail address."),
    Column("first_name", False, "...or their current first_name + last_name."),
    Column("last_name", False, "Current last name (with first_name)."),
    Column("phone", False, "Current phone: narrows a name lookup when several share it."),
)

MODIFY_COLUMNS: tuple[Column, ...] = (
    *_EMPLOYEE_KEYS,
    Column("new_first_name", False, "New first name."),
    Column("new_last_name", False, "New last name."),
    Column("new_phone", False, "New phone (10 digits)."),
    Column("new_email", False, "New e-mail address."),
    Column("departments", False, "Replace the departments: names or ids separated by ';'."),
    Column("available_sites", False, "Replace the sites: 'all', or sites separated by ';'."),
    Column("adp_employee_id", False, f"New ADP employee id; {CLEAR} clears it."),
    Column("emergency_contact_name", False, f"New emergency contact; {CLEAR} clears it."),
    Column("emergency_contact_phone", False, f"New emergency phone; {CLEAR} clears it."),
    Column("pos_pin", False, "New five-digit POS PIN."),
    Column("start_date", False, "New start date: YYYY-MM-DD or MM/DD/YYYY."),
    Column("wage_rate", False, "New hourly rate (a new wage record, unless it is the latest)."),
    Column("overtime_wage_rate", False, "New overtime rate; 1.5 x wage_rate when blank."),
    Column("wage_effective_date", False, "When the new wage starts; today when blank."),
    Column("wage_site", False, "Site the new wage is booked to (one of the employee's sites)."),
    Column("permission", False, "POS permission template to apply."),
    Column("activate", False, "yes: reactivate; no: deactivate; blank: unchanged."),
)

REHIRE_COLUMNS: tuple[Column, ...] = (
    Column("pos_user_id", False, "Who: the POS User ID (preferred)."),
    Column("email", False, "...or their e-mail address (also found through their login)."),
    Column("available_sites", False, "New sites: 'all', or sites separated by ';'."),
    Column("departments", False, "New departments: names or ids separated by ';'."),
    Column("permission", False, "POS permission template to apply."),
    Column("wage_rate", False, "New hourly rate (a new wage record, unless it is the latest)."),
    Column("overtime_wage_rate", False, "New overtime rate; 1.5 x wage_rate when blank."),
    Column("wage_effective_date", False, "When the new wage starts; today when blank."),
    Column("wage_site", False, "Site the new wage is booked to."),
    Column("restore_backoffice", False, "no: leave the Backoffice login alone; yes when blank."),
    Column("backoffice_username", False, "Create a login with this username if none is linked."),
    Column("backoffice_password", False, "The login's new password; generated when blank."),
    Column("backoffice_permission", False, "Backoffice template; the POS template's namesake."),
)

USERS_CREATE_COLUMNS: tuple[Column, ...] = (
    Column("username", True, "Login name: a letter, then 2-63 letters, digits or '_'."),
    Column("permission", True, "Backoffice permission template name."),
    Column("email", False, "E-mail; required for a standalone user (linked: the employee's)."),
    Column("password", False, "Password (8+ letters and digits); generated when blank."),
    Column("link_to_employee_pos_user_id", False, "Link to the employee with this POS User ID."),
    Column("link_to_employee_email", False, "...or to the employee with this e-mail."),
    Column("first_name", False, "Standalone user's first name (2-64 characters)."),
    Column("last_name", False, "Standalone user's last name (2-64 characters)."),
    Column(
        "available_sites",
        False,
        "'all', or sites separated by ';'; linked: the employee's sites when blank, "
        "standalone: all.",
    ),
)

USERS_MODIFY_COLUMNS: tuple[Column, ...] = (
    Column("user_id", False, "Which user: the user id..."),
    Column("username", False, "...or the current username."),
    Column("permission", False, "New Backoffice permission template."),
    Column("available_sites", False, "New sites: 'all', or sites separated by ';'."),
    Column("new_email", False, "New e-mail address."),
    Column("new_username", False, "New login name."),
)

USERS_KEY_COLUMNS: tuple[Column, ...] = (
    Column("user_id", False, "Which user: the user id..."),
    Column("username", False, "...or the username."),
)


@dataclass(frozen=True, slots=True)
class LifecycleRow:
    """A validated row: its spreadsheet row, the request it becomes, and who it is about."""

    row: int
    request: Any
    #: Who the row names, as shown in tables and the results' ``lookup`` column.
    lookup: str
    #: :attr:`lookup` normalised: two rows with one key name the same record.
    key: str

    def __repr__(self) -> str:
        # Requests may hold PINs and passwords.
        return f"LifecycleRow(row={self.row}, lookup={self.lookup!r})"


@dataclass(frozen=True, slots=True)
class UserKey:
    """Which Backoffice user a ``users disable`` / ``users reactivate`` row names."""

    user_id: int | None = None
    username: str | None = None


def _yes_no(text: str) -> object:
    word = text.casefold()
    if word in {"yes", "y", "true", "1"}:
        return True
    if word in {"no", "n", "false", "0"}:
        return False
    return text  # the model reports it


def _fields(cells: Mapping[str, str], errors: list[RowError], row: int) -> dict[str, Any]:
    """CSV text to the request models' field types (blank cells left out)."""
    data: dict[str, Any] = {}
    for name, value in cells.items():
        if value == "":
            continue
        if value.casefold() == CLEAR:
            if name in _CLEARABLE:
                data[name] = ""
            else:
                clearable = ", ".join(sorted(_CLEARABLE))
                errors.append(RowError(row, name, f"{CLEAR} only clears {clearable}"))
            continue
        if name == "available_sites":
            data[name] = "all" if value.casefold() == "all" else _list(value)
        elif name == "departments":
            data[name] = _list(value)
        elif name == "pos_pin":
            data[name] = pin_cell(value)
        elif name in {"pos_user_id", "wage_site", "user_id"} or name.endswith("_pos_user_id"):
            data[name] = _int_or_text(value)
        elif name in {"start_date", "wage_effective_date"}:
            data[name] = _date(value)
        elif name in {"activate", "restore_backoffice"}:
            data[name] = _yes_no(value)
        else:
            data[name] = value
    return data


def _first_key(data: dict[str, Any], *groups: tuple[str, ...]) -> None:
    """Keep the first lookup group the row fills; later groups' cells are notes."""
    for i, group in enumerate(groups):
        if any(name in data for name in group):
            for later in groups[i + 1 :]:
                for name in later:
                    data.pop(name, None)
            return


def _parse(
    rows: Iterable[CsvRow],
    model: type[BaseModel],
    lookups: Sequence[tuple[str, ...]],
    describe: Callable[[Any], tuple[str, str]],
    uniques: Callable[[Any], Iterable[tuple[str, str]]] = lambda r: (),
    what: str = "record",
) -> tuple[list[LifecycleRow], list[RowError]]:
    """Validate rows into ``model`` requests; a key or unique value repeated is an error on
    the later row. ``describe`` gives a request's (lookup, key)."""
    parsed: list[LifecycleRow] = []
    errors: list[RowError] = []
    rows = list(rows)
    header = set(rows[0].cells) if rows else set()
    if rows and not any(name in header for group in lookups for name in group):
        names = " or ".join(" + ".join(g) for g in lookups)
        return [], [RowError(1, lookups[0][0], f"the file needs a {names} column")]
    first_seen: dict[tuple[str, str], int] = {}
    for csv_row in rows:
        data = _fields(csv_row.cells, errors, csv_row.row)
        _first_key(data, *lookups)
        request = _validate(model, csv_row, data, errors)
        # An invalid row's valid cells are compared too: every problem in one pass.
        r: Any = request if request is not None else partial_request(model, data)
        checked = list(uniques(r))
        lookup = key = ""
        if request is not None or _has_lookup(r, lookups):
            lookup, key = describe(r)
            checked.insert(0, ("row", key))
        duplicate = False
        for field, value in checked:
            first = first_seen.setdefault((field, value), csv_row.row)
            if first != csv_row.row:
                same = f"same {what if field == 'row' else 'value'} as row {first}"
                errors.append(RowError(csv_row.row, field, same))
                duplicate = True
        if request is not None and not duplicate:
            parsed.append(LifecycleRow(csv_row.row, request, lookup, key))
    return parsed, errors


def _has_lookup(r: Any, lookups: Sequence[tuple[str, ...]]) -> bool:
    """Whether a stand-in request names its record: every field of a lookup group valid (a
    name lookup's phone is optional)."""
    return any(
        all(getattr(r, name, None) is not None for name in group if name != "phone")
        for group in lookups
    )


def partial_changes(rows: Iterable[CsvRow], model: type[BaseModel], valid: set[int]) -> list[Any]:
    """``(row, stand-in request)`` of the rows that will not run, for the name checks."""
    return partial_rows(rows, model, lambda cells: _fields(cells, [], 0), valid=valid)


def _employee(r: Any) -> tuple[str, str]:
    if r.pos_user_id is not None:
        return f"POS User ID {r.pos_user_id}", f"pos:{r.pos_user_id}"
    if r.email is not None:
        return r.email, f"email:{r.email.casefold()}"
    name = f"{r.first_name} {r.last_name}"
    phone = getattr(r, "phone", None)
    lookup = f"{name} ({phone})" if phone else name
    return lookup, f"name:{lookup.casefold()}"


def _user(r: Any) -> tuple[str, str]:
    if r.user_id is not None:
        return f"user {r.user_id}", f"id:{r.user_id}"
    return r.username, f"username:{r.username.casefold()}"


_NAMES = ("first_name", "last_name", "phone")


def parse_changes(rows: Iterable[CsvRow]) -> tuple[list[LifecycleRow], list[RowError]]:
    """``modify`` rows as :class:`ModifyEmployeeRequest` s (the lookup: POS User ID, else
    e-mail, else names; cells of a later lookup are notes)."""

    def uniques(r: ModifyEmployeeRequest) -> list[tuple[str, str]]:
        out = [("new_email", r.new_email.casefold())] if r.new_email else []
        return out + ([("new_phone", r.new_phone)] if r.new_phone else [])

    return _parse(
        rows,
        ModifyEmployeeRequest,
        (("pos_user_id",), ("email",), _NAMES),
        _employee,
        uniques,
        what="employee",
    )


def parse_rehires(rows: Iterable[CsvRow]) -> tuple[list[LifecycleRow], list[RowError]]:
    """``rehire`` rows as :class:`RehireEmployeeRequest` s (POS User ID, else e-mail)."""

    def uniques(r: RehireEmployeeRequest) -> list[tuple[str, str]]:
        name = r.backoffice_username
        return [("backoffice_username", name.casefold())] if name else []

    return _parse(
        rows,
        RehireEmployeeRequest,
        (("pos_user_id",), ("email",)),
        _employee,
        uniques,
        what="employee",
    )


def parse_users(rows: Iterable[CsvRow]) -> tuple[list[LifecycleRow], list[RowError]]:
    """``users create`` rows as :class:`CreateBackofficeUserRequest` s."""

    def describe(r: CreateBackofficeUserRequest) -> tuple[str, str]:
        return r.username, f"username:{r.username.casefold()}"

    def uniques(r: CreateBackofficeUserRequest) -> list[tuple[str, str]]:
        out = [("email", r.email.casefold())] if r.email else []
        if r.link_to_employee_pos_user_id is not None:
            out.append(("link_to_employee_pos_user_id", str(r.link_to_employee_pos_user_id)))
        if r.link_to_employee_email is not None:
            out.append(("link_to_employee_email", r.link_to_employee_email.casefold()))
        return out

    return _parse(
        rows, CreateBackofficeUserRequest, (("username",),), describe, uniques, what="user"
    )


def parse_user_changes(rows: Iterable[CsvRow]) -> tuple[list[LifecycleRow], list[RowError]]:
    """``users modify`` rows as :class:`ModifyBackofficeUserRequest` s (user id, else
    username)."""

    def uniques(r: ModifyBackofficeUserRequest) -> list[tuple[str, str]]:
        out = [("new_email", r.new_email.casefold())] if r.new_email else []
        return out + ([("new_username", r.new_username.casefold())] if r.new_username else [])

    return _parse(
        rows,
        ModifyBackofficeUserRequest,
        (("user_id",), ("username",)),
        _user,
        uniques,
        what="user",
    )


_USERNAME: TypeAdapter[str] = TypeAdapter(Username)


def parse_user_keys(rows: Iterable[CsvRow]) -> tuple[list[LifecycleRow], list[RowError]]:
    """``users disable`` / ``users reactivate`` rows as :class:`UserKey` s (user id, else
    username)."""
    parsed: list[LifecycleRow] = []
    errors: list[RowError] = []
    rows = list(rows)
    if rows and not {"user_id", "username"} & set(rows[0].cells):
        return [], [RowError(1, "user_id", "the file needs a user_id or username column")]
    first_seen: dict[str, int] = {}
    for csv_row in rows:
        data = _fields(csv_row.cells, errors, csv_row.row)
        _first_key(data, ("user_id",), ("username",))
        key: UserKey | None = None
        if "user_id" in data:
            value = data["user_id"]
            if isinstance(value, int) and value >= 1:
                key = UserKey(user_id=value)
            else:
                errors.append(RowError(csv_row.row, "user_id", "must be a whole number >= 1"))
        elif "username" in data:
            try:
                key = UserKey(username=_USERNAME.validate_python(data["username"]))
            except ValidationError:
                reason = "must start with a letter, then 2-63 letters, digits or '_'"
                errors.append(RowError(csv_row.row, "username", reason))
        else:
            errors.append(RowError(csv_row.row, "user_id", "give a user_id or a username"))
        if key is None or csv_row.overflow or csv_row.reported:
            continue
        lookup, norm_key = _user(key)
        first = first_seen.setdefault(norm_key, csv_row.row)
        if first != csv_row.row:
            errors.append(RowError(csv_row.row, "row", f"same user as row {first}"))
            continue
        parsed.append(LifecycleRow(csv_row.row, key, lookup, norm_key))
    return parsed, errors
