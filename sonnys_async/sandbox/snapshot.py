"""A sandbox tenant saved to a file and read back: what ``--sandbox-state FILE`` keeps between
commands (``Sandbox.save`` / ``Sandbox.load``).

The file is JSON: the options that shape the tenant (shape, roster size, seed, bot login,
``today``), every stored employee and Backoffice user, and the next ids to allocate. Sessions,
flashes, counters, the request log and pending faults are not kept: each command starts with
no live session, as after a server restart. The records include POS PINs and passwords (the
sandbox's own), so the file is written with mode 0600, atomically (a killed command leaves the
previous file whole).
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sonnys_async.domain import ALL, SiteSelection
from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, StoredWage, TenantState

__all__ = [
    "FORMAT",
    "TENANT_FIELDS",
    "options_of",
    "read_snapshot",
    "require_regular",
    "restore",
    "write_snapshot",
]

#: The file's format marker (a different one is refused, never guessed at).
FORMAT = "sonnys-sandbox-state/1"
#: The options that shape the stored tenant: a saved tenant keeps them.
TENANT_FIELDS = ("tenant", "employees", "bo_users", "seed", "username", "password", "today")


def require_regular(path: str | os.PathLike[str]) -> None:
    """Refuse a state file that exists and is not a regular file.

    A device, FIFO, socket, directory or symbolic link would be replaced by the saved tenant
    (``/dev/null`` destroyed when run as root) or would block the read.

    Raises:
        ValueError: ``path`` exists and is not a regular file (a symbolic link is refused
            whatever it points to).
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is {_kind(mode)}, not a regular file: name a sandbox state file")


def _kind(mode: int) -> str:
    for test, what in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return "a special file"


def _sites(selection: SiteSelection) -> object:
    return ALL if selection == ALL else sorted(selection)


def _selection(value: object) -> SiteSelection:
    if value == ALL:
        return ALL
    assert isinstance(value, list)
    return frozenset(int(v) for v in value)


def _wage(w: StoredWage) -> dict[str, Any]:
    return {
        "effective_date": w.effective_date.isoformat(),
        "end_date": w.end_date.isoformat() if w.end_date else None,
        "is_hourly": w.is_hourly,
        "rate": str(w.rate),
        "overtime_eligible": w.overtime_eligible,
        "overtime_rate": None if w.overtime_rate is None else str(w.overtime_rate),
        "site_id": w.site_id,
    }


def _employee(e: StoredEmployee) -> dict[str, Any]:
    return {
        "id": e.id,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "phone": e.phone,
        "email": e.email,
        "department_ids": list(e.department_ids),
        "start_date": e.start_date.isoformat(),
        "active": e.active,
        "sites": _sites(e.sites),
        "pos_credential_id": e.pos_credential_id,
        "pos_user_id": e.pos_user_id,
        "pos_pin": e.pos_pin,
        "emergency_contact_name": e.emergency_contact_name,
        "emergency_contact_phone": e.emergency_contact_phone,
        "adp_employee_id": e.adp_employee_id,
        "grants": sorted(e.grants),
        "overrides": sorted(e.overrides),
        "wages": [_wage(w) for w in e.wages],
        "template_id": e.template_id,
        "active_since": e.active_since.isoformat(),
    }


def _user(u: StoredUser) -> dict[str, Any]:
    return {
        "id": u.id,
        "employee_id": u.employee_id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "username": u.username,
        "password": u.password,
        "is_deleted": u.is_deleted,
        "sites": _sites(u.sites),
        "template_id": u.template_id,
        "tokens": sorted(u.tokens),
    }


def _stored_wage(d: dict[str, Any]) -> StoredWage:
    return StoredWage(
        effective_date=date.fromisoformat(d["effective_date"]),
        end_date=date.fromisoformat(d["end_date"]) if d["end_date"] else None,
        is_hourly=bool(d["is_hourly"]),
        rate=Decimal(d["rate"]),
        overtime_eligible=bool(d["overtime_eligible"]),
        overtime_rate=None if d["overtime_rate"] is None else Decimal(d["overtime_rate"]),
        site_id=d["site_id"],
    )


def _stored_employee(d: dict[str, Any]) -> StoredEmployee:
    return StoredEmployee(
        **{
            **d,
            "start_date": date.fromisoformat(d["start_date"]),
            "sites": _selection(d["sites"]),
            "grants": frozenset(d["grants"]),
            "overrides": frozenset(d["overrides"]),
            "wages": [_stored_wage(w) for w in d["wages"]],
            "active_since": datetime.fromisoformat(d["active_since"]),
        }
    )


def _stored_user(d: dict[str, Any]) -> StoredUser:
    return StoredUser(**{**d, "sites": _selection(d["sites"]), "tokens": frozenset(d["tokens"])})


def snapshot(state: TenantState) -> dict[str, Any]:
    """The tenant's records and the options that shape it, as JSON-ready data."""
    options = state.options
    return {
        "format": FORMAT,
        "options": {
            name: (value.isoformat() if isinstance(value, date) else value)
            for name in TENANT_FIELDS
            for value in [getattr(options, name)]
        },
        "bot_id": state.bot.id,
        "next_ids": state.next_ids(),
        "employees": [_employee(e) for e in state.employees.values()],
        "users": [_user(u) for u in state.users.values()],
    }


def write_snapshot(state: TenantState, path: str | os.PathLike[str]) -> None:
    """Write the tenant to ``path`` (mode 0600, replaced atomically).

    Raises:
        ValueError: ``path`` exists and is not a regular file (it is left alone).
    """
    target = Path(path)
    require_regular(target)
    text = json.dumps(snapshot(state), indent=1, sort_keys=True) + "\n"
    # mkstemp creates the file with mode 0600; replacing keeps that mode.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_snapshot(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a file :func:`write_snapshot` wrote.

    Raises:
        ValueError: Not a sandbox state file (or of another format version), or not a
            regular file.
    """
    require_regular(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a sandbox state file ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a sandbox state file of format {FORMAT}")
    return data


def options_of(data: dict[str, Any], options: SandboxOptions | None = None) -> SandboxOptions:
    """``options`` (default: the defaults) with the saved tenant's shaping options."""
    saved: dict[str, Any] = dict(data["options"])
    if saved.get("today") is not None:
        saved["today"] = date.fromisoformat(saved["today"])
    return dataclasses.replace(options or SandboxOptions(), **saved)


def restore(state: TenantState, data: dict[str, Any]) -> None:
    """Replace ``state``'s records with the saved ones (in place).

    Raises:
        ValueError: The saved records are malformed.
    """
    try:
        employees = [_stored_employee(e) for e in data["employees"]]
        users = [_stored_user(u) for u in data["users"]]
        bot_id = int(data["bot_id"])
        next_ids = {k: int(v) for k, v in data["next_ids"].items()}
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise ValueError(f"the sandbox state file is damaged ({type(exc).__name__})") from None
    state.employees.clear()
    state.employees.update((e.id, e) for e in employees)
    state.users.clear()
    state.users.update((u.id, u) for u in users)
    if bot_id not in state.users:
        raise ValueError("the sandbox state file has no bot user")
    state.bot = state.users[bot_id]
    state.set_next_ids(next_ids)
