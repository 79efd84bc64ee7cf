"""create_employees / disable_employees: bounded streams, journaled secrets, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.errors import (
    DuplicateError,
    WriteNotVerifiedError,
)
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, Killed, die, warm


def _started_items(path: Path) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [entry for entry in lines if entry.get("event") == "started"]


async def _killed_after_insert(sb: Sandbox, row: dict[str, object], path: Path) -> dict:
    """A bulk create that dies right after its insert; returns the journaled item."""
    dying = AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=Hook(sb.transport(), "/employee/permissions/update", before=die),
        retry=RetryPolicy.no_wait(),
    )

    async def run() -> None:
        with Journal(path) as journal:
            async with dying, dying.create_employees([row], journal=journal) as run:
                async for _ in run:
                    pass

    with pytest.raises(Killed):
        await run()
    started = _started_items(path)
    assert len(started) == 1
    return started[0]["item"]


async def test_bulk_create_and_disable(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    rows = [hire() for _ in range(5)]
    rows.append(dict(hire(), phone="1"))  # invalid: fails alone
    outcomes = []
    async with client.create_employees(rows, max_at_once=3) as run:
        async for outcome in run:
            outcomes.append(outcome)
    assert run.summary.ok == 5
    assert run.summary.failed == 1
    ids = [o.result.pos_user_id for o in outcomes if o.status == "ok"]
    for pos_id in ids:
        assert sb.state.employee_by_pos_user_id(pos_id) is not None
    async with client.disable_employees(ids, max_at_once=2) as run2:
        async for _ in run2:
            pass
    assert run2.summary.ok == 5
    assert all(not sb.state.employee_by_pos_user_id(i).active for i in ids)


async def test_bulk_journal_holds_generated_secrets_and_resume_finishes_the_hire(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "hires.jsonl"
    row = hire(
        permission="Shift Leader",
        requires_backoffice=True,
        backoffice_username="resumed_user",
        backoffice_permission="Manager",
    )
    item = await _killed_after_insert(sb, row, path)
    # The secrets were drawn before the item was journaled...
    assert isinstance(item["pos_pin"], int)
    assert isinstance(item["backoffice_password"], str)
    assert len(item["backoffice_password"]) >= 12
    (employee,) = [e for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]]
    assert employee.pos_pin == item["pos_pin"]
    assert employee.grants == frozenset()  # died before the template
    assert not any(u.employee_id == employee.id for u in sb.state.users.values())

    # ...so the re-run (same row, still without secrets) finishes the hire with them.
    async with make_client(sb) as client:
        with Journal(path) as journal:
            async with client.create_employees([row], journal=journal) as run:
                outcomes = [o async for o in run]
        shift = next(t for t in await client.list_pos_templates() if t.name == "Shift Leader")
    (outcome,) = outcomes
    assert outcome.status == "ok"
    assert outcome.resolved
    result = outcome.result
    assert result is not None
    assert result.employee_id == employee.id
    assert result.pos_pin == item["pos_pin"]
    assert result.backoffice_password == item["backoffice_password"]
    assert any("interrupted" in w for w in result.warnings)
    assert [e.id for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]] == [
        employee.id
    ]
    assert sb.state.employees[employee.id].grants == shift.grants
    (user,) = [u for u in sb.state.users.values() if u.employee_id == employee.id]
    assert user.username == "resumed_user"
    assert user.password == item["backoffice_password"]
    assert user.template_id is not None
    assert result.backoffice_user_id == user.id


async def test_bulk_resume_reports_what_it_cannot_finish(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "hires.jsonl"
    row = hire(requires_backoffice=True, backoffice_username="taken_name")
    await _killed_after_insert(sb, row, path)
    async with make_client(sb) as client:
        # Meanwhile someone else took the username with a standalone user.
        other = await client.create_backoffice_user(
            username="taken_name",
            permission="Manager",
            first_name="Some",
            last_name="Body",
            email="somebody@example.invalid",
        )
        with Journal(path) as journal:
            async with client.create_employees([row], journal=journal) as run:
                outcomes = [o async for o in run]
    (outcome,) = outcomes
    assert outcome.status == "unknown"  # partly applied: a re-run settles it before anything
    assert isinstance(outcome.error, WriteNotVerifiedError)
    assert outcome.error.what == "backoffice_user"
    assert "Backoffice user is missing" in str(outcome.error)
    assert str(other.user_id) in str(outcome.error)
    (employee,) = [e for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]]
    assert employee.grants  # the POS template part was finished
    assert not any(u.employee_id == employee.id for u in sb.state.users.values())


async def test_resume_does_not_take_a_namesake_with_another_pin(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "hires.jsonl"
    row = hire()
    item = await _killed_after_insert(sb, row, path)
    (employee,) = [e for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]]
    employee.pos_pin = 11111 if item["pos_pin"] != 11111 else 22222  # not the journaled PIN
    async with make_client(sb) as client:
        with Journal(path) as journal:
            async with client.create_employees([row], journal=journal) as run:
                (outcome,) = [o async for o in run]
    assert outcome.status == "failed"
    assert isinstance(outcome.error, DuplicateError)
    assert "another PIN" in str(outcome.error)
    assert not employee.grants  # nothing was finished on someone else's record


async def test_bulk_items_carry_their_secrets(sb: Sandbox) -> None:
    async with (
        make_client(sb) as client,
        client.create_employees([hire(), {"first_name": "x"}]) as run,
    ):
        outcomes = [o async for o in run]
    ok = [o for o in outcomes if o.status == "ok"]
    bad = [o for o in outcomes if o.status == "failed"]
    assert len(ok) == 1
    assert len(bad) == 1  # a bad row still fails alone
    assert ok[0].item.pos_pin == ok[0].result.pos_pin
    assert sb.state.employees[ok[0].result.employee_id].pos_pin == ok[0].result.pos_pin


async def test_a_bulk_hire_costs_three_requests_when_the_caches_are_warm(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await warm(client)
    client.transport.stats.reset()
    async with client.create_employees([hire() for _ in range(10)], max_at_once=4) as run:
        outcomes = [o async for o in run]
    assert [o.status for o in outcomes] == ["ok"] * 10
    # insert, permission matrix, read-back: the POS User ID, e-mail and phone are pre-flighted
    # from the index read once per batch (here already warm), not searched per hire.
    assert client.transport.stats.total_without_login == 30
