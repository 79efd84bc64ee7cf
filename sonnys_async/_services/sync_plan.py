"""plan_roster_sync: what it takes to make the tenant match the HR roster, person by person."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, get_args

from ..core import sites
from ..errors import FieldIssue, InputValidationError
from ..models import (
    CreateEmployeeRequest,
    FieldChange,
    MatchKey,
    ModifyEmployeeRequest,
    RehireEmployeeRequest,
    RosterEntry,
    SyncItem,
    SyncPlan,
    SyncScope,
)
from .sync_match import check_login_template, check_names, compare, match_row, raw_candidates
from .sync_snapshot import Snapshot, SnapshotReader, fingerprint

__all__ = ["RosterSync"]

_DEFAULT_MATCH: tuple[MatchKey, ...] = ("pos_user_id", "adp_employee_id", "email", "name_phone")
#: Fields of an update that ``rehire_employee`` applies; the others go through a modify after it.
_REHIRE_FIELDS = {"available_sites", "departments", "permission", "wage_rate"}
#: Sites with fewer active employees in scope do not trip "a whole site disabled".
_SITE_MIN = 2


@dataclass(slots=True)
class _Row:
    index: int
    entry: RosterEntry | None
    issues: tuple[FieldIssue, ...]
    raw: Mapping[str, Any]
    employee_id: int | None = None
    conflict: str | None = None


def _raw(item: RosterEntry | Mapping[str, Any]) -> Mapping[str, Any]:
    return item.model_dump() if isinstance(item, RosterEntry) else item


class RosterSync:
    """Plans roster syncs (reads only).

    Args:
        reader: Reads the tenant once per plan.
        tenant: The tenant's base URL (recorded in the plan).
        bot_user: The bot account (recorded in the plan).
    """

    def __init__(self, reader: SnapshotReader, tenant: str, bot_user: str) -> None:
        self._reader = reader
        self._tenant = tenant
        self._bot_user = bot_user

    async def plan_roster_sync(
        self,
        rows: Iterable[RosterEntry | Mapping[str, Any]],
        *,
        scope: SyncScope | None = None,
        match: Sequence[MatchKey] | None = None,
        disable_threshold: float = 0.10,
        disable_backoffice_users: bool = True,
        max_at_once: int = 4,
        row_numbers: Sequence[int] | None = None,
    ) -> SyncPlan:
        """What the tenant needs to match the HR roster: per person create, update (each field
        old -> new), disable, rehire, unchanged, or conflict (never guessed).

        Reads the tenant once (the roster; the edit pages of the employees in ``scope``; the
        compensation pages of matched employees whose row names a wage) and writes nothing.
        Rows are matched to employees by ``match`` keys in order (POS User ID, ADP id, e-mail,
        then first + last name with phone); the first key that finds anyone decides, and a key
        that finds several is a conflict. An active employee in scope that no row names, or
        whose row says ``terminated``, is disabled; an inactive one whose row is active is
        rehired. Employees outside ``scope`` are never touched: a row naming one is a conflict.
        Invalid rows and rows sharing a key are conflicts, and the employees they might be are
        never disabled as "absent".

        A plan that disables more than ``disable_threshold`` of the active employees in scope,
        or every active employee of a site (of two or more), records why in ``mass_disable``;
        ``apply_plan`` refuses it unless told to allow it.

        Args:
            rows: The roster: :class:`~sonnys_async.models.RosterEntry` s or mappings of its
                fields (an invalid mapping becomes a conflict naming its fields).
            scope: The employees the sync manages (default: all).
            match: Match keys in order (default: POS User ID, ADP id, e-mail, name + phone).
            disable_threshold: Share of the active employees in scope a plan may disable.
            disable_backoffice_users: Disables also deactivate the linked Backoffice logins.
            max_at_once: Pages read concurrently.
            row_numbers: What to call each row in the plan (e.g. spreadsheet row numbers);
                default: its position in ``rows``, from 0.

        Returns:
            The plan (``SyncItem.row`` as ``row_numbers`` says).

        Raises:
            InputValidationError: Bad ``match`` keys or threshold (before any request).
            NotFoundError: The scope names a site the tenant lacks.
        """
        order = tuple(match) if match is not None else _DEFAULT_MATCH
        known = set(get_args(MatchKey))
        if not order or any(k not in known for k in order) or len(set(order)) != len(order):
            raise InputValidationError(
                [FieldIssue("match", f"a sequence of distinct keys from {sorted(known)}")]
            )
        if not 0 <= disable_threshold <= 1:
            raise InputValidationError([FieldIssue("disable_threshold", "must be 0 to 1")])
        scope = scope or SyncScope()
        parsed: list[_Row] = []
        items_in = list(rows)
        numbers = list(row_numbers) if row_numbers is not None else list(range(len(items_in)))
        if len(numbers) != len(items_in) or len(set(numbers)) != len(numbers):
            raise InputValidationError([FieldIssue("row_numbers", "one distinct number per row")])
        for index, item in zip(numbers, items_in, strict=True):
            try:
                entry = item if isinstance(item, RosterEntry) else RosterEntry.model_validate(item)
                parsed.append(_Row(index, entry, (), _raw(item)))
            except InputValidationError as exc:
                parsed.append(_Row(index, None, exc.issues, _raw(item)))
        logins = any(r.entry is not None and r.entry.requires_backoffice for r in parsed)
        snap = await self._reader.read(scope, max_at_once=max_at_once, logins=logins)
        protected = _match_all(snap, parsed, order)
        wanted = {
            r.employee_id
            for r in parsed
            if r.entry is not None and r.entry.wage_rate is not None and r.employee_id in snap.edits
        }
        await self._reader.read_wages(snap, [i for i in wanted if i is not None], max_at_once)
        items = [_item(snap, r, disable_backoffice_users) for r in parsed]
        claimed = {r.employee_id for r in parsed if r.employee_id is not None}
        for employee_id in sorted(snap.in_scope - claimed - protected):
            edit = snap.edits[employee_id]
            if edit.active:
                items.append(
                    _disable(
                        edit.employee_id,
                        edit,
                        None,
                        "absent from the roster",
                        disable_backoffice_users,
                    )
                )
        active_in_scope = sum(1 for i in snap.in_scope if snap.edits[i].active)
        plan = SyncPlan(
            tenant=self._tenant,
            bot_user=self._bot_user,
            created_at=datetime.now(UTC),
            scope=scope,
            match=order,
            disable_threshold=disable_threshold,
            disable_backoffice_users=disable_backoffice_users,
            active_in_scope=active_in_scope,
            mass_disable=_mass_disable(snap, items, disable_threshold, active_in_scope),
            items=tuple(items),
        )
        return plan.sealed()


def _match_all(snap: Snapshot, parsed: list[_Row], order: Sequence[MatchKey]) -> set[int]:
    """Match every valid row; mark conflicts; return the employees conflicts protect."""
    protected: set[int] = set()
    by_employee: dict[int, list[_Row]] = defaultdict(list)
    keys: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for r in parsed:
        if r.entry is None:
            r.conflict = "invalid row: " + "; ".join(str(i) for i in r.issues)
            protected |= raw_candidates(snap, r.raw)
            continue
        e = r.entry
        for name, value in (
            ("pos_user_id", e.pos_user_id),
            ("adp_employee_id", e.adp_employee_id),
            ("email", (e.email or "").casefold()),
        ):
            if value not in (None, ""):
                keys[(name, str(value))].append(r)
        key, found = match_row(snap, e, order)
        if len(found) > 1:
            r.conflict = f"{key} matches several employees ({', '.join(map(str, sorted(found)))})"
            protected |= found
        elif found:
            (r.employee_id,) = found
            by_employee[r.employee_id].append(r)
    for (name, value), same in keys.items():
        if len(same) > 1:
            rows = ", ".join(str(r.index) for r in same)
            for r in same:
                r.conflict = r.conflict or f"{name} {value} appears in rows {rows}"
    for employee_id, same in by_employee.items():
        if len(same) > 1:
            rows = ", ".join(str(r.index) for r in same)
            for r in same:
                r.conflict = r.conflict or f"rows {rows} all match employee {employee_id}"
    for r in parsed:
        if r.conflict is not None and r.employee_id is not None:
            protected.add(r.employee_id)
    return protected


def _item(snap: Snapshot, r: _Row, disable_users: bool) -> SyncItem:
    entry, employee_id = r.entry, r.employee_id
    name = f"{entry.first_name} {entry.last_name}" if entry is not None else ""
    base: dict[str, Any] = {"key": f"row {r.index}", "row": r.index, "name": name}
    if r.conflict is not None or entry is None:
        return SyncItem(**base, action="conflict", employee_id=employee_id, reason=r.conflict)
    if employee_id is None:
        if entry.status == "terminated":
            return SyncItem(**base, action="unchanged", reason="terminated; not on the tenant")
        return _create(base, snap, entry)
    row = snap.rows[employee_id]
    base.update(employee_id=employee_id, pos_user_id=row.pos_user_id)
    if employee_id not in snap.in_scope:
        return SyncItem(**base, action="conflict", reason="the employee is outside the scope")
    edit = snap.edits[employee_id]
    if entry.status == "terminated":
        if not edit.active:
            return SyncItem(**base, action="unchanged", reason="terminated; already inactive")
        return _disable(employee_id, edit, r.index, "terminated on the roster", disable_users)
    problem = check_names(snap, entry)
    if problem is not None:
        return SyncItem(**base, action="conflict", reason=problem)
    changes = compare(snap, entry, employee_id)
    seen = fingerprint(edit)
    if not edit.active:
        return _rehire(base, entry, edit.pos_user_id, changes, seen, employee_id)
    if not changes:
        return SyncItem(**base, action="unchanged", seen=seen)
    request = _modify_request(employee_id, entry, changes)
    return SyncItem(**base, action="update", changes=changes, request=request, seen=seen)


def _create(base: dict[str, Any], snap: Snapshot, entry: RosterEntry) -> SyncItem:
    missing = [
        f
        for f in (
            "email",
            "pos_user_id",
            "wage_rate",
            "start_date",
            "available_sites",
            "permission",
        )
        if getattr(entry, f) is None
    ]
    if missing:
        reason = f"a new hire needs {', '.join(missing)}"
        return SyncItem(**base, action="conflict", reason=reason)
    problem = check_names(snap, entry)
    if problem is None and entry.requires_backoffice:
        problem = check_login_template(snap, entry)
    if problem is not None:
        return SyncItem(**base, action="conflict", reason=problem)
    fields = entry.model_dump(exclude={"status"}, exclude_none=True)
    try:
        request = CreateEmployeeRequest.model_validate(fields)
    except InputValidationError as exc:
        return SyncItem(**base, action="conflict", reason=str(exc))
    return SyncItem(
        **base,
        action="create",
        pos_user_id=entry.pos_user_id,
        request=request.model_dump(mode="json", exclude_none=True, exclude={"verify"}),
    )


def _disable(
    employee_id: int, edit: Any, row: int | None, reason: str, disable_users: bool
) -> SyncItem:
    return SyncItem(
        key=f"row {row}" if row is not None else f"employee {employee_id}",
        action="disable",
        row=row,
        employee_id=employee_id,
        pos_user_id=edit.pos_user_id,
        name=f"{edit.first_name} {edit.last_name}",
        reason=reason,
        request={"employee_id": employee_id, "disable_backoffice_user": disable_users},
        seen=fingerprint(edit),
    )


def _values(entry: RosterEntry, changes: Iterable[FieldChange]) -> dict[str, Any]:
    """The request values of ``changes``, taken from ``entry`` (JSON-friendly)."""
    field_of = {"new_first_name": "first_name", "new_last_name": "last_name"}
    field_of.update(new_phone="phone", new_email="email")
    out: dict[str, Any] = {}
    for change in changes:
        value = getattr(entry, field_of.get(change.field, change.field))
        out[change.field] = list(value) if isinstance(value, tuple) else value
        if change.field == "wage_rate" and entry.overtime_wage_rate is not None:
            out["overtime_wage_rate"] = entry.overtime_wage_rate
    return out


def _modify_request(
    employee_id: int, entry: RosterEntry, changes: Iterable[FieldChange]
) -> dict[str, Any]:
    request = ModifyEmployeeRequest(employee_id=employee_id, **_values(entry, changes))
    return request.model_dump(mode="json", exclude_none=True, exclude={"verify"})


def _rehire(
    base: dict[str, Any],
    entry: RosterEntry,
    pos_user_id: int | None,
    changes: tuple[FieldChange, ...],
    seen: str,
    employee_id: int,
) -> SyncItem:
    if pos_user_id is None:
        return SyncItem(**base, action="conflict", reason="an inactive employee without a POS ID")
    rehire_fields = _values(entry, (c for c in changes if c.field in _REHIRE_FIELDS))
    login: dict[str, Any] = {}
    if entry.requires_backoffice:
        login = {"backoffice_username": entry.backoffice_username}
        if entry.backoffice_permission:
            login["backoffice_permission"] = entry.backoffice_permission
    rehire = RehireEmployeeRequest(pos_user_id=pos_user_id, **rehire_fields, **login)
    others = [c for c in changes if c.field not in _REHIRE_FIELDS]
    request: dict[str, Any] = {
        "rehire": rehire.model_dump(mode="json", exclude_none=True, exclude={"verify"})
    }
    if others:
        request["modify"] = _modify_request(employee_id, entry, others)
    return SyncItem(**base, action="rehire", changes=changes, request=request, seen=seen)


def _mass_disable(
    snap: Snapshot, items: Sequence[SyncItem], threshold: float, active_in_scope: int
) -> str | None:
    disabled = {i.employee_id for i in items if i.action == "disable"}
    if not disabled:
        return None
    if active_in_scope and len(disabled) / active_in_scope > threshold:
        share = len(disabled) / active_in_scope
        return (
            f"disables {len(disabled)} of {active_in_scope} active employees in scope "
            f"({share:.0%}, more than {threshold:.0%})"
        )
    per_site: Counter[int] = Counter()
    gone: Counter[int] = Counter()
    for employee_id in snap.in_scope:
        edit = snap.edits[employee_id]
        if not edit.active:
            continue
        for site_id in sites.selection_ids(snap.tree, edit.available_sites):
            per_site[site_id] += 1
            gone[site_id] += employee_id in disabled
    emptied = [s for s, n in per_site.items() if n >= _SITE_MIN and gone[s] == n]
    if emptied:
        names = ", ".join(snap.tree.site(s).name for s in sorted(emptied))
        return f"disables every active employee of {names}"
    return None
