"""Compare what the server holds (the admin view) with what the runs reported.

Every finding is keyed by the row it is about, so a row is counted once per kind however many
checkpoints see it; the first message is kept as its evidence.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .workload import Hire, Leaver

__all__ = [
    "Findings",
    "Snapshot",
    "check_collateral",
    "check_duplicates",
    "check_offboard",
    "check_onboard",
    "read_results",
]

#: Statuses that claim the work is done.
ONBOARD_DONE = frozenset({"created", "done earlier"})
OFFBOARD_DONE = frozenset({"disabled", "already inactive", "done earlier"})
#: Statuses that claim nothing was applied.
NOT_APPLIED = frozenset({"failed", "invalid"})
#: Statuses that say "may have been applied": allowed, counted.
OPEN = frozenset({"unknown", "unverified"})

PasswordCheck = Callable[[dict[str, str]], dict[str, bool | None]]


@dataclass(slots=True)
class Findings:
    """What one scenario found, by kind: ``{row key: first evidence}``."""

    duplicates: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    misreported: dict[str, str] = field(default_factory=dict)
    credentials_missing: dict[str, str] = field(default_factory=dict)
    credentials_wrong: dict[str, str] = field(default_factory=dict)
    unknown_seen: dict[str, str] = field(default_factory=dict)
    unknown_final: dict[str, str] = field(default_factory=dict)
    incomplete: dict[str, str] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    budget: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, key: str, evidence: str) -> None:
        """Record ``key`` under ``kind`` (first evidence wins)."""
        getattr(self, kind).setdefault(key, evidence)


class Snapshot:
    """The admin view's state, indexed."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.raw = state
        self.employees: list[dict[str, Any]] = state["employees"]
        self.users: list[dict[str, Any]] = state["users"]
        self.by_pos = {e["pos_user_id"]: e for e in self.employees}
        self.by_username = {u["username"].lower(): u for u in self.users}
        self.users_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for u in self.users:
            if u["employee_id"] is not None:
                self.users_of[u["employee_id"]].append(u)


def read_results(path: Path) -> dict[int, list[dict[str, str]]]:
    """A results file's rows grouped by input row number, in file order."""
    grouped: dict[int, list[dict[str, str]]] = defaultdict(list)
    if not path.exists():
        return grouped
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
            number = cells.get("row", "").lstrip("'")
            if number.isascii() and number.isdigit():
                grouped[int(number)].append(cells)
    return grouped


def _cell(row: dict[str, str], name: str) -> str:
    value = row.get(name, "")
    # A neutralised cell ('=...) is shown to spreadsheets as text; ours never start so.
    return value[1:] if value[:2] in {"'=", "'+", "'-", "'@"} else value


def _describe(row: dict[str, str] | None) -> str:
    if row is None:
        return "no row"
    error = _cell(row, "error")
    return f"{row.get('status')!r}" + (f" ({error[:160]})" if error else "")


def check_onboard(
    found: Findings,
    hires: Iterable[Hire],
    results: dict[int, list[dict[str, str]]],
    snap: Snapshot,
    check_passwords: PasswordCheck,
    *,
    where: str,
    final: bool,
    credentials: bool = True,
) -> None:
    """Onboarding results against the server, after a run that was not killed (or at the end:
    ``final`` adds the rows absent from the results, unfinished rows and the stored state of
    every row reported done). ``credentials=False`` skips the credential checks (after a run
    that stopped before going through every row, a hire a killed run created may have its PIN
    only in the journal, legitimately, until a run reaches it)."""
    asked: dict[str, tuple[str, str]] = {}
    for h in hires:
        key = f"onboard row {h.row} (POS {h.pos_user_id})"
        rows = results.get(h.row, [])
        last = rows[-1] if rows else None
        status = last.get("status", "") if last else ""
        emp = snap.by_pos.get(h.pos_user_id)
        if status in NOT_APPLIED and emp is not None:
            found.add(
                "misreported",
                key,
                f"{where}: reported {_describe(last)}, but the server holds employee {emp['id']}",
            )
        if status in ONBOARD_DONE and emp is None:
            found.add(
                "missing", key, f"{where}: reported {status!r}, but the server has no such hire"
            )
        if status in OPEN:
            found.add("unknown_seen", key, f"{where}: {_describe(last)}")
        if emp is not None and credentials:
            pins = [_cell(r, "pos_pin") for r in rows if _cell(r, "pos_pin")]
            if not pins:
                found.add(
                    "credentials_missing",
                    key,
                    f"{where}: the server holds employee {emp['id']}, no results row has its PIN "
                    f"(rows: {[r.get('status') for r in rows]})",
                )
            elif pins[-1] != str(emp["pos_pin"]):
                found.add(
                    "credentials_wrong", key, f"{where}: the results' PIN is not the server's"
                )
        user = (
            snap.by_username.get(h.backoffice_username.lower()) if h.backoffice_username else None
        )
        if user is not None and credentials:
            passwords = [_cell(r, "backoffice_password") for r in rows]
            passwords = [p for p in passwords if p]
            if not passwords:
                found.add(
                    "credentials_missing",
                    key + " login",
                    f"{where}: the server holds Backoffice user {user['id']}, no results row has "
                    f"its password (rows: {[r.get('status') for r in rows]})",
                )
            else:
                asked[user["username"]] = (key + " login", passwords[-1])
        if final:
            _final_onboard(found, h, key, last, emp, user, snap)
    if asked:
        answers = check_passwords({name: pw for name, (_, pw) in asked.items()})
        for name, (key, _) in asked.items():
            if answers.get(name) is not True:
                found.add(
                    "credentials_wrong",
                    key,
                    f"{where}: the results' password is not Backoffice user {name}'s",
                )


def _final_onboard(
    found: Findings,
    h: Hire,
    key: str,
    last: dict[str, str] | None,
    emp: dict[str, Any] | None,
    user: dict[str, Any] | None,
    snap: Snapshot,
) -> None:
    status = last.get("status", "") if last else ""
    if last is None and emp is not None:
        found.add("missing", key, f"end: the server holds employee {emp['id']}, the results no row")
    if status in OPEN:
        found.add("unknown_final", key, f"end: {_describe(last)}")
    if status not in ONBOARD_DONE:
        found.add("incomplete", key, f"end: {_describe(last)}")
        return
    if emp is None:
        return
    wrong = []
    if not emp["active"]:
        wrong.append("inactive")
    if not emp["grants"]:
        wrong.append("no POS permissions")
    if h.backoffice_username:
        if user is None:
            wrong.append("no Backoffice user")
        else:
            if user["employee_id"] != emp["id"]:
                wrong.append(f"Backoffice user linked to {user['employee_id']}")
            if user["is_deleted"]:
                wrong.append("Backoffice user deleted")
            if not user["tokens"]:
                wrong.append("Backoffice user without permissions")
    if wrong:
        found.add("misreported", key, f"end: reported {status!r}, server: {', '.join(wrong)}")


def check_offboard(
    found: Findings,
    command: str,
    leavers: Iterable[Leaver],
    results: dict[int, list[dict[str, str]]],
    snap: Snapshot,
    before: Snapshot,
    *,
    disables_logins: bool,
    where: str,
    final: bool,
) -> None:
    """Offboarding results against the server (``before``: the state before this run, so a
    row is called misreported as "nothing applied" only for a change this run made, until the
    end, when the last word counts)."""
    for lv in leavers:
        key = f"{command} row {lv.row} (POS {lv.hire.pos_user_id}, by {lv.lookup})"
        rows = results.get(lv.row, [])
        last = rows[-1] if rows else None
        status = last.get("status", "") if last else ""
        emp = snap.by_pos.get(lv.hire.pos_user_id)
        if emp is None:
            found.add("incomplete", key, f"{where}: the hire to offboard was never created")
            continue
        was = before.by_pos.get(lv.hire.pos_user_id)
        inactive = not emp["active"]
        changed_now = was is None or was["active"]
        logins = snap.users_of.get(emp["id"], [])
        logins_ended = [u["id"] for u in logins if u["is_deleted"]]
        applied = inactive or (disables_logins and bool(logins_ended))
        if status in NOT_APPLIED and applied and (final or changed_now):
            found.add(
                "misreported",
                key,
                f"{where}: reported {_describe(last)}, but the server shows employee "
                f"{emp['id']} {'inactive' if inactive else 'active'}, logins ended "
                f"{logins_ended}",
            )
        if status in OFFBOARD_DONE:
            wrong = [] if inactive else ["employee active"]
            if disables_logins:
                wrong += [
                    f"Backoffice user {u['id']} active" for u in logins if not u["is_deleted"]
                ]
            if wrong:
                found.add("misreported", key, f"{where}: reported {status!r}, server: {wrong}")
        if status in OPEN:
            found.add("unknown_seen", key, f"{where}: {_describe(last)}")
        if final:
            if last is None and inactive:
                found.add("missing", key, "end: the employee is inactive, the results no row")
            if status in OPEN:
                found.add("unknown_final", key, f"end: {_describe(last)}")
            if status not in OFFBOARD_DONE:
                found.add("incomplete", key, f"end: {_describe(last)}")


def check_collateral(
    found: Findings, hires: Iterable[Hire], leavers: Iterable[Leaver], snap: Snapshot
) -> None:
    """Changes no row reported: non-leavers disabled, logins ended without the option."""
    leaving = {lv.hire.pos_user_id: lv for lv in leavers}
    for h in hires:
        emp = snap.by_pos.get(h.pos_user_id)
        if emp is None:
            continue
        lv = leaving.get(h.pos_user_id)
        if lv is None and not emp["active"]:
            found.add("missing", f"hire POS {h.pos_user_id}", "disabled, but not a leaver")
        for u in snap.users_of.get(emp["id"], []):
            if u["is_deleted"] and lv is None:
                found.add("missing", f"login {u['username']}", "deleted, but not a leaver's")


def check_duplicates(found: Findings, hires: Iterable[Hire], snap: Snapshot) -> None:
    """Records created twice: employees by name, e-mail or phone; users per employee or name."""
    ours = list(hires)
    names = {(h.first_name.lower(), h.last_name.lower()) for h in ours}
    emails = {h.email.lower() for h in ours}
    phones = {"".join(c for c in h.phone if c.isdigit()) for h in ours}
    by_name = Counter(
        (e["first_name"].lower(), e["last_name"].lower())
        for e in snap.employees
        if (e["first_name"].lower(), e["last_name"].lower()) in names
    )
    by_email = Counter(e["email"].lower() for e in snap.employees if e["email"].lower() in emails)
    by_phone = Counter(
        d for e in snap.employees if (d := "".join(c for c in e["phone"] if c.isdigit())) in phones
    )
    users_by_name = Counter(
        (u["first_name"].lower(), u["last_name"].lower())
        for u in snap.users
        if (u["first_name"].lower(), u["last_name"].lower()) in names
    )
    for label, counts in (
        ("employees named", by_name),
        ("employees with e-mail", by_email),
        ("employees with phone", by_phone),
        ("Backoffice users named", users_by_name),
    ):
        for value, n in counts.items():
            if n > 1:
                found.add("duplicates", f"{label} {value}", f"{n} records")
    our_ids = {e["id"] for h in ours if (e := snap.by_pos.get(h.pos_user_id)) is not None}
    for emp_id in our_ids:
        live = [u for u in snap.users_of.get(emp_id, []) if not u["is_deleted"]]
        if len(live) > 1:
            found.add("duplicates", f"logins of employee {emp_id}", f"{len(live)} live users")
