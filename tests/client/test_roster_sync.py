"""Roster sync: plan from the HR roster, review, apply exactly, plan again to nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import InputValidationError, StaleRecordError
from sonnys_async.journal import Journal
from sonnys_async.models import SyncPlan, SyncScope
from sonnys_async.sandbox import Sandbox, SandboxOptions

from .conftest import make_client
from .helpers import Hook, Killed, die, posts


def _tenant() -> Sandbox:
    return Sandbox(SandboxOptions(employees=60, bo_users=4, seed=5))


def _roster(sb: Sandbox) -> list[dict[str, Any]]:
    """The HR roster as the tenant stands: every active employee, identity fields only."""
    rows = []
    for e in sorted(sb.state.employees.values(), key=lambda e: e.id):
        if e.active:
            row = {"first_name": e.first_name, "last_name": e.last_name, "phone": e.phone}
            row.update(pos_user_id=e.pos_user_id, email=e.email or None)
            rows.append(row)
    return rows


def _new_hire(n: int) -> dict[str, Any]:
    return {
        "first_name": "Sync",
        "last_name": f"Hire{n}",
        "phone": f"615888{n:04d}",
        "email": f"sync.hire{n}@example.invalid",
        "pos_user_id": 77000 + n,
        "wage_rate": "14.00",
        "start_date": date(2026, 12, 7),
        "available_sites": ["NOLO"],
        "permission": "Cashier",
    }


def _scenario(sb: Sandbox) -> tuple[list[dict[str, Any]], dict[str, set[int]]]:
    """5 new hires, 5 changed, 3 leavers removed, 2 inactive employees back."""
    rows = _roster(sb)
    changed, leavers = rows[:5], rows[5:8]
    for row in changed:
        row.update(wage_rate="19.25", available_sites=["FIESTA", "NOLO"], permission="Manager")
    kept = [r for r in rows if r not in leavers]
    inactive = [e for e in sb.state.employees.values() if not e.active and e.phone]
    while len(inactive) < 2:  # make two leavers of earlier years
        e = next(
            e
            for e in sb.state.employees.values()
            if e.active and e.pos_user_id not in {r["pos_user_id"] for r in changed + leavers}
        )
        e.active = False
        inactive.append(e)
        kept = [r for r in kept if r["pos_user_id"] != e.pos_user_id]
    back = inactive[:2]
    kept += [
        {
            "first_name": e.first_name,
            "last_name": e.last_name,
            "phone": e.phone,
            "pos_user_id": e.pos_user_id,
        }
        for e in back
    ]
    kept += [_new_hire(n) for n in range(5)]
    expected = {
        "create": {77000 + n for n in range(5)},
        "update": {r["pos_user_id"] for r in changed},
        "disable": {r["pos_user_id"] for r in leavers},
        "rehire": {e.pos_user_id for e in back},
    }
    return kept, expected


def _by_action(plan: SyncPlan) -> dict[str, set[int | None]]:
    found: dict[str, set[int | None]] = {}
    for item in plan.actionable:
        found.setdefault(item.action, set()).add(item.pos_user_id)
    return found


async def _apply(client: AsyncBackofficeClient, plan: SyncPlan, **kw: Any) -> list[Any]:
    async with client.apply_plan(plan, **kw) as run:
        return [o async for o in run]


async def test_a_plan_lists_exactly_the_changes_and_applying_it_leaves_nothing_to_do() -> None:
    sb = _tenant()
    rows, expected = _scenario(sb)
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
        assert _by_action(plan) == expected
        assert plan.mass_disable is None
        assert posts(sb) == 0  # planning only reads
        update = next(i for i in plan.items if i.action == "update")
        assert {c.field for c in update.changes} == {"wage_rate", "available_sites", "permission"}
        outcomes = await _apply(client, plan)
    assert Counter(o.status for o in outcomes) == {"ok": 15}
    async with make_client(sb) as fresh:  # read back with a fresh client
        again = await fresh.plan_roster_sync(rows)
    assert again.actionable == ()
    for pos_user_id in expected["update"]:
        stored = sb.state.employee_by_pos_user_id(pos_user_id)
        assert stored is not None
        assert stored.wages[-1].rate == Decimal("19.25")
    for pos_user_id in expected["disable"]:
        assert not sb.state.employee_by_pos_user_id(pos_user_id).active  # type: ignore[union-attr]
    for pos_user_id in expected["rehire"] | expected["create"]:
        assert sb.state.employee_by_pos_user_id(pos_user_id).active  # type: ignore[union-attr]


async def test_the_plan_file_round_trips_and_refuses_an_edited_copy(tmp_path: Path) -> None:
    sb = _tenant()
    rows, _ = _scenario(sb)
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
    text = plan.to_json()
    assert SyncPlan.from_json(text) == plan
    tampered = text.replace('"disable"', '"unchanged"', 1)
    with pytest.raises(InputValidationError, match="digest"):
        SyncPlan.from_json(tampered)


async def test_a_roster_missing_half_the_staff_is_refused_unless_allowed() -> None:
    sb = _tenant()
    rows = _roster(sb)
    half = rows[: len(rows) // 2]
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(half)
        assert plan.mass_disable is not None
        with pytest.raises(InputValidationError, match="allow it explicitly"):
            await _apply(client, plan)
        assert posts(sb) == 0


async def test_a_record_changed_after_planning_is_stale_and_untouched() -> None:
    sb = _tenant()
    rows, expected = _scenario(sb)
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
        target = next(iter(expected["update"]))
        stored = sb.state.employee_by_pos_user_id(target)
        assert stored is not None
        stored.first_name = "Renamed"  # someone edits the record in Backoffice meanwhile
        wages_before = list(stored.wages)
        outcomes = await _apply(client, plan)
    stale = [o for o in outcomes if o.item.pos_user_id == target]
    assert [o.status for o in stale] == ["failed"]
    assert isinstance(stale[0].error, StaleRecordError)
    assert stored.wages == wages_before
    assert Counter(o.status for o in outcomes) == {"ok": 14, "failed": 1}


async def test_a_killed_apply_run_again_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    sb = _tenant()
    rows, expected = _scenario(sb)
    path = tmp_path / "sync.jsonl"
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
    inserts = [0]

    def die_on_third_insert() -> None:
        inserts[0] += 1
        if inserts[0] == 3:
            die()

    dying = make_client(
        sb,
        transport=Hook(sb.transport(), "/employee/permissions/update", before=die_on_third_insert),
    )

    async def killed_run() -> None:
        async with dying:
            with Journal(path) as journal:
                await _apply(dying, plan, journal=journal, max_at_once=1)

    with pytest.raises(Killed):
        await killed_run()
    async with make_client(sb) as client:
        with Journal(path) as journal:
            outcomes = await _apply(client, plan, journal=journal)
        again = await client.plan_roster_sync(rows)
    assert all(o.status in ("ok", "skipped") for o in outcomes)
    assert again.actionable == ()
    for pos_user_id in expected["create"]:
        holders = [e for e in sb.state.employees.values() if e.pos_user_id == pos_user_id]
        assert len(holders) == 1
        assert holders[0].grants  # the template the killed run did not get to is applied


async def test_invalid_and_duplicate_rows_are_conflicts_and_protect_their_employees() -> None:
    sb = _tenant()
    rows = _roster(sb)
    first, second = rows[0], rows[1]
    rows[0] = dict(first, phone="12")  # invalid: its employee must not be "absent"
    rows.append(dict(_new_hire(1), pos_user_id=second["pos_user_id"]))  # a second row, same ID
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
    conflicts = {i.row: i.reason or "" for i in plan.conflicts}
    assert "phone" in conflicts[0]
    assert "appears in rows" in conflicts[1]
    assert plan.actionable == ()  # nobody disabled, nothing created


async def test_employees_outside_the_scope_are_never_touched() -> None:
    sb = _tenant()
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(
            [], scope=SyncScope(sites=["FIESTA"]), disable_threshold=1.0
        )
        fiesta = next(s.id for s in await client.list_sites() if s.code == "FIESTA")
    disabled = {i.employee_id for i in plan.items if i.action == "disable"}
    assert disabled
    for employee_id in disabled:
        assert fiesta in sb.state.site_ids_of(sb.state.employees[employee_id].sites)
