"""Matching roster rows to employees, and what differs between a row and its employee.

Pure functions over a :class:`~.sync_snapshot.Snapshot`: no request is made here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core import payloads as P
from ..core import sites
from ..core.text import digits, norm
from ..domain import ALL
from ..errors import NotFoundError
from ..models import FieldChange, MatchKey, RosterEntry
from .sync_snapshot import Snapshot

__all__ = [
    "Candidates",
    "check_login_template",
    "check_names",
    "compare",
    "match_row",
    "raw_candidates",
]

#: Employee ids a row could be, by the first key that found any.
Candidates = tuple[MatchKey | None, frozenset[int]]


def _by_pos_user_id(snap: Snapshot, value: int | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    return frozenset(i for i, r in snap.rows.items() if r.pos_user_id == value)


def _by_adp(snap: Snapshot, value: str | None) -> frozenset[int]:
    if not value:
        return frozenset()
    return frozenset(i for i, e in snap.edits.items() if e.adp_employee_id == value)


def _by_email(snap: Snapshot, value: str | None) -> frozenset[int]:
    key = norm(value)
    if not key:
        return frozenset()
    found = {i for i, e in snap.edits.items() if norm(e.email) == key}
    return frozenset(found | snap.other_emails.get(key, set()))


def _by_name_phone(snap: Snapshot, first: str, last: str, phone: str) -> frozenset[int]:
    want = (norm(first), norm(last), digits(phone)[-10:])
    return frozenset(
        i
        for i, r in snap.rows.items()
        if (norm(r.first_name), norm(r.last_name), digits(r.phone)[-10:]) == want
    )


def match_row(snap: Snapshot, entry: RosterEntry, order: Sequence[MatchKey]) -> Candidates:
    """The employees ``entry`` names, by the first key (in ``order``) that finds any."""
    for key in order:
        if key == "pos_user_id":
            found = _by_pos_user_id(snap, entry.pos_user_id)
        elif key == "adp_employee_id":
            found = _by_adp(snap, entry.adp_employee_id)
        elif key == "email":
            found = _by_email(snap, entry.email)
        else:
            found = _by_name_phone(snap, entry.first_name, entry.last_name, entry.phone)
        if found:
            return key, found
    return None, frozenset()


def raw_candidates(snap: Snapshot, raw: Mapping[str, Any]) -> frozenset[int]:
    """Who an invalid row might be (any key that still reads): such employees are protected
    from being disabled as "absent from the roster" while their row is a conflict."""
    found: set[int] = set()
    pos = digits(str(raw.get("pos_user_id") or ""))
    if pos:
        found |= _by_pos_user_id(snap, int(pos))
    found |= _by_adp(snap, str(raw.get("adp_employee_id") or "").strip() or None)
    found |= _by_email(snap, str(raw.get("email") or ""))
    first, last = str(raw.get("first_name") or ""), str(raw.get("last_name") or "")
    if first.strip() and last.strip():
        found |= {
            i
            for i, r in snap.rows.items()
            if (norm(r.first_name), norm(r.last_name)) == (norm(first), norm(last))
        }
    return frozenset(found)


def _names(selection: object, snap: Snapshot) -> Any:
    if selection == ALL:
        return "all"
    assert isinstance(selection, frozenset)
    return sorted(P.selection_names(snap.tree, selection))


def compare(snap: Snapshot, entry: RosterEntry, employee_id: int) -> tuple[FieldChange, ...]:
    """The fields where ``entry`` differs from what the tenant holds (given fields only).

    Raises:
        NotFoundError: The row names a site, department or template the tenant lacks.
    """
    edit = snap.edits[employee_id]
    row = snap.rows[employee_id]
    changes: list[FieldChange] = []

    def differs(name: str, old: Any, new: Any) -> None:
        changes.append(FieldChange(field=name, old=old, new=new))

    if norm(entry.first_name) != norm(edit.first_name):
        differs("new_first_name", edit.first_name, entry.first_name)
    if norm(entry.last_name) != norm(edit.last_name):
        differs("new_last_name", edit.last_name, entry.last_name)
    if entry.phone != digits(edit.phone)[-10:]:
        differs("new_phone", digits(edit.phone), entry.phone)
    if entry.email is not None and norm(entry.email) != norm(edit.email):
        differs("new_email", edit.email or None, entry.email)
    if entry.adp_employee_id and entry.adp_employee_id != edit.adp_employee_id:
        differs("adp_employee_id", edit.adp_employee_id, entry.adp_employee_id)
    if entry.emergency_contact_name is not None and (
        entry.emergency_contact_name != edit.emergency_contact_name
    ):
        differs("emergency_contact_name", edit.emergency_contact_name, entry.emergency_contact_name)
    if (
        entry.emergency_contact_phone is not None
        and entry.emergency_contact_phone != digits(edit.emergency_contact_phone)[-10:]
    ):
        differs(
            "emergency_contact_phone",
            digits(edit.emergency_contact_phone),
            entry.emergency_contact_phone,
        )
    if entry.departments is not None:
        want = P.resolve_departments(snap.departments, entry.departments)
        if {d.id for d in want} != set(edit.department_ids):
            differs("departments", sorted(edit.departments), sorted(d.name for d in want))
    if entry.available_sites is not None:
        selection = sites.resolve(snap.tree, entry.available_sites)
        if not sites.same_selection(snap.tree, selection, edit.available_sites):
            differs("available_sites", _names(edit.available_sites, snap), _names(selection, snap))
    if entry.permission is not None:
        template = P.resolve_pos_template(snap.pos_templates, entry.permission)
        if norm(row.access) != norm(template.name):
            differs("permission", row.access or None, template.name)
    if entry.wage_rate is not None and snap.wages.get(employee_id) != entry.wage_rate:
        current = snap.wages.get(employee_id)
        differs("wage_rate", str(current) if current is not None else None, str(entry.wage_rate))
    return tuple(changes)


def check_names(snap: Snapshot, entry: RosterEntry) -> str | None:
    """Why ``entry``'s sites, departments or template cannot be resolved (``None``: they can)."""
    try:
        if entry.available_sites is not None:
            sites.resolve(snap.tree, entry.available_sites)
        if entry.departments is not None:
            P.resolve_departments(snap.departments, entry.departments)
        if entry.permission is not None:
            P.resolve_pos_template(snap.pos_templates, entry.permission)
    except NotFoundError as exc:
        return str(exc)
    return None


def check_login_template(snap: Snapshot, entry: RosterEntry) -> str | None:
    """Why a new hire's Backoffice template (named, or the POS template's name) is not on the
    tenant (``None``: it is)."""
    name = entry.backoffice_permission or entry.permission
    if name is None:
        return "a Backoffice login needs a template (backoffice_permission)"
    try:
        P.resolve_bo_template(snap.bo_templates, name)
    except NotFoundError as exc:
        return str(exc)
    return None
