"""modify_employees, rehire_employees, create_backoffice_users, modify_backoffice_users:
journaled, resumable, and on a re-run changing only what differs (never a second wage record,
never a second password reset)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sonnys_async import BackofficeClient
from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.bulk import Bulk, Outcome
from sonnys_async.errors import DuplicateError, NotFoundError
from sonnys_async.journal import Journal
from sonnys_async.models import EmployeeCreated
from sonnys_async.sandbox import Sandbox

from .conftest import hire
from .helpers import Hook, Killed, die, logs_in, posts


async def _drain(bulk: Bulk[Any, Any]) -> list[Outcome[Any, Any]]:
    async with bulk as run:
        return [o async for o in run]


async def _hires(client: AsyncBackofficeClient, n: int, **over: Any) -> list[EmployeeCreated]:
    return [await client.create_employee(**hire(**over)) for _ in range(n)]


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if '"event"' in line]


class _DieAfter(Hook):
    """The sandbox transport; the process dies before the POST to ``path`` after ``keep``
    such POSTs went through (and before every later one)."""

    def __init__(self, sb: Sandbox, path: str, keep: int) -> None:
        super().__init__(sb.transport(), path, before=self._count)
        self.keep = keep

    def _count(self) -> None:
        if self.fired > self.keep:
            die()


async def _killed(sb: Sandbox, run: Any, hook: Hook) -> None:
    """Run ``run(client)`` on a client whose process dies when ``hook`` says so."""
    dying = AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=hook,
        retry=RetryPolicy.no_wait(),
    )
    with pytest.raises(Killed):
        async with dying:
            await run(dying)


# ---------------------------------------------------------------------- modify_employees


async def test_modify_employees_applies_and_a_rerun_sends_nothing(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    hires = await _hires(client, 4)
    rows = [
        {"pos_user_id": h.pos_user_id, "wage_rate": "17.25", "available_sites": ["NOLO"]}
        for h in hires
    ]
    path = tmp_path / "changes.jsonl"
    with Journal(path) as journal:
        first = await _drain(client.modify_employees(rows, journal=journal))
    assert [o.status for o in first] == ["ok"] * 4
    nolo = next(s.id for s in await client.list_sites() if s.code == "NOLO")
    for h in hires:
        stored = sb.state.employees[h.employee_id]
        assert sb.state.site_ids_of(stored.sites) == {nolo}
        assert [w.rate for w in stored.wages] == [Decimal("15.50"), Decimal("17.25")]
    before = posts(sb)
    with Journal(path) as journal:
        again = await _drain(client.modify_employees(rows, journal=journal))
    assert posts(sb) == before  # read first, nothing differs: nothing sent
    assert all(o.status == "ok" and o.result.changes_applied == () for o in again)
    assert all(any("already 17.25" in w for w in o.result.warnings) for o in again)
    assert all(len(sb.state.employees[h.employee_id].wages) == 2 for h in hires)


async def test_modify_employees_killed_then_resumed_adds_each_wage_once(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    hires = await _hires(client, 6)
    rows = [{"pos_user_id": h.pos_user_id, "wage_rate": "18.00"} for h in hires]
    path = tmp_path / "raises.jsonl"

    async def run(dying: AsyncBackofficeClient) -> None:
        with Journal(path) as journal:
            await _drain(dying.modify_employees(rows, journal=journal, max_at_once=2))

    await _killed(sb, run, _DieAfter(sb, "/employee/compensation/update", keep=3))
    done_before = sum(1 for h in hires if len(sb.state.employees[h.employee_id].wages) == 2)
    assert 0 < done_before < 6
    with Journal(path) as journal:
        outcomes = await _drain(client.modify_employees(rows, journal=journal))
    assert all(o.status == "ok" for o in outcomes)
    assert any(o.resolved for o in outcomes)  # the item that died mid-write, settled
    for h in hires:
        assert [w.rate for w in sb.state.employees[h.employee_id].wages] == [
            Decimal("15.50"),
            Decimal("18.00"),
        ]


async def test_a_changed_lookup_email_is_followed_on_a_rerun(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    done, interrupted = await _hires(client, 2)
    rows = [
        {"email": h.email, "new_email": f"moved{h.employee_id}@example.invalid"}
        for h in (done, interrupted)
    ]
    path = tmp_path / "emails.jsonl"
    with Journal(path) as journal:
        await _drain(client.modify_employees(rows[:1], journal=journal))  # done, journaled
        journal.record_started(rows[1]["email"].casefold(), rows[1])  # killed mid-write...
    await client.modify_employee(**rows[1])  # ...after its update landed
    before = posts(sb)
    with Journal(path) as journal:
        outcomes = await _drain(client.modify_employees(rows, journal=journal))
    assert [(o.status, o.result.changes_applied) for o in outcomes] == [("ok", ())] * 2
    assert outcomes[1].resolved
    assert posts(sb) == before
    # Without a journal nothing says the row ran before: the old e-mail names nobody.
    (alone,) = await _drain(client.modify_employees(rows[1:]))
    assert alone.status == "failed"
    assert isinstance(alone.error, NotFoundError)


# ---------------------------------------------------------------------- rehire_employees


async def _leavers(client: AsyncBackofficeClient, n: int) -> list[EmployeeCreated]:
    out = []
    for i in range(n):
        created = await client.create_employee(
            **hire(requires_backoffice=True, backoffice_username=f"leaver_{i}_{id(out) % 997}")
        )
        await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
        out.append(created)
    return out


async def test_rehire_employees_journal_the_password_and_a_rerun_keeps_it(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    leavers = await _leavers(client, 3)
    rows = [{"pos_user_id": c.pos_user_id, "wage_rate": "16.40"} for c in leavers]
    path = tmp_path / "rehires.jsonl"
    with Journal(path) as journal:
        first = await _drain(client.rehire_employees(rows, journal=journal))
    assert all(o.status == "ok" for o in first)
    started = {e["key"]: e["item"] for e in _events(path) if e["event"] == "started"}
    for o in first:
        assert o.result.backoffice_login == "reactivated"
        assert o.result.backoffice_password == started[o.key]["backoffice_password"]
        assert await logs_in(sb, o.result.backoffice_username, o.result.backoffice_password)
    before = posts(sb)
    with Journal(path) as journal:
        again = await _drain(client.rehire_employees(rows, journal=journal))
    assert posts(sb) == before  # no second reset
    assert [o.status for o in again] == ["skipped"] * 3
    for o in again:
        assert o.recorded["backoffice_password"] == started[o.key]["backoffice_password"]
    for c in leavers:
        assert len(sb.state.employees[c.employee_id].wages) == 2


async def test_an_interrupted_rehire_is_finished_with_the_journaled_password(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    (leaver,) = await _leavers(client, 1)
    rows = [{"pos_user_id": leaver.pos_user_id, "wage_rate": "16.90"}]
    path = tmp_path / "rehire.jsonl"

    async def run(dying: AsyncBackofficeClient) -> None:
        with Journal(path) as journal:
            await _drain(dying.rehire_employees(rows, journal=journal))

    # Dies before the second /user/update (the password reset; the first reactivates).
    await _killed(sb, run, _DieAfter(sb, "/user/update", keep=1))
    (item,) = [e["item"] for e in _events(path) if e["event"] == "started"]
    assert sb.state.employees[leaver.employee_id].active
    with Journal(path) as journal:
        (outcome,) = await _drain(client.rehire_employees(rows, journal=journal))
    assert outcome.status == "ok"
    assert outcome.resolved
    assert outcome.result.backoffice_password == item["backoffice_password"]
    assert await logs_in(sb, outcome.result.backoffice_username, item["backoffice_password"])
    rates = [w.rate for w in sb.state.employees[leaver.employee_id].wages]
    assert rates == [Decimal("15.50"), Decimal("16.90")]
    assert any("already 16.90" in w for w in outcome.result.warnings)


# ---------------------------------------------------------------------- Backoffice users


async def test_create_backoffice_users_once_and_settle_an_interrupted_one(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    (employee,) = await _hires(client, 1)
    rows: list[dict[str, Any]] = [
        {
            "username": "bulk_linked",
            "permission": "General User",
            "link_to_employee_pos_user_id": employee.pos_user_id,
        },
        {
            "username": "bulk_alone",
            "permission": "Manager",
            "first_name": "Al",
            "last_name": "One",
            "email": "al.one@example.invalid",
            "available_sites": ["NOLO"],
        },
    ]
    path = tmp_path / "users.jsonl"

    async def run(dying: AsyncBackofficeClient) -> None:
        with Journal(path) as journal:
            await _drain(dying.create_backoffice_users(rows, journal=journal, max_at_once=1))

    # The first insert lands; the process dies before its access is saved.
    await _killed(sb, run, _DieAfter(sb, "/user/permissions/update", keep=0))
    started = {e["key"]: e["item"] for e in _events(path) if e["event"] == "started"}
    linked = sb.state.user_by_username("bulk_linked")
    assert linked is not None
    assert linked.password == started["bulk_linked"]["password"]
    assert not linked.tokens
    with Journal(path) as journal:
        outcomes = await _drain(client.create_backoffice_users(rows, journal=journal))
    by_key = {o.key: o for o in outcomes}
    assert by_key["bulk_linked"].resolved
    assert by_key["bulk_linked"].result.password == started["bulk_linked"]["password"]
    assert by_key["bulk_alone"].status == "ok"
    general = next(t for t in await client.list_backoffice_templates() if t.name == "General User")
    assert linked.tokens == frozenset(general.tokens)
    assert sb.state.site_ids_of(linked.sites) == sb.state.site_ids_of(
        sb.state.employees[employee.employee_id].sites
    )
    assert await logs_in(sb, "bulk_linked", by_key["bulk_linked"].result.password)
    before = posts(sb)
    with Journal(path) as journal:
        again = await _drain(client.create_backoffice_users(rows, journal=journal))
    assert [o.status for o in again] == ["skipped", "skipped"]
    assert posts(sb) == before


async def test_an_interrupted_create_whose_username_a_stranger_holds_fails(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    row = {
        "username": "contested",
        "permission": "Manager",
        "first_name": "Mine",
        "last_name": "Own",
        "email": "mine@example.invalid",
        "password": "Journaled4Pass",
    }
    path = tmp_path / "users.jsonl"
    with Journal(path) as journal:
        journal.record_started("contested", row)
    await client.create_backoffice_user(
        username="contested",
        permission="Manager",
        first_name="Some",
        last_name="Body",
        email="somebody@example.invalid",
    )
    stranger = sb.state.user_by_username("contested")
    assert stranger is not None
    password = stranger.password
    with Journal(path) as journal:
        (outcome,) = await _drain(client.create_backoffice_users([row], journal=journal))
    assert outcome.status == "failed"
    assert isinstance(outcome.error, DuplicateError)
    assert stranger.password == password


async def test_a_first_create_refused_as_a_duplicate_adopts_nobody(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    """A login that looks like ours (same e-mail and names) but that no attempt of ours made
    is not taken over: the create fails and its password stays."""
    row = {
        "username": "lookalike",
        "permission": "Manager",
        "first_name": "Look",
        "last_name": "Alike",
        "email": "look@example.invalid",
    }
    existing = await client.create_backoffice_user(**row)
    before = posts(sb)
    (outcome,) = await _drain(client.create_backoffice_users([row]))
    assert outcome.status == "failed"
    assert isinstance(outcome.error, DuplicateError)
    assert posts(sb) == before
    stored = sb.state.user_by_username("lookalike")
    assert stored is not None
    assert stored.password == existing.password


async def test_modify_backoffice_users_follow_a_rename_and_change_only_what_differs(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    await _hires(client, 1, requires_backoffice=True, backoffice_username="old_name")
    await _hires(client, 1, requires_backoffice=True, backoffice_username="cut_short")
    rows = [{"username": "old_name", "new_username": "new_name", "permission": "Manager"}]
    path = tmp_path / "user-changes.jsonl"
    with Journal(path) as journal:
        (first,) = await _drain(client.modify_backoffice_users(rows, journal=journal))
    assert first.result.changes_applied == ("username", "permission")
    assert sb.state.user_by_username("new_name") is not None
    before = posts(sb)
    with Journal(path) as journal:
        (again,) = await _drain(client.modify_backoffice_users(rows, journal=journal))
    assert again.status == "ok"
    assert again.result.changes_applied == ()
    assert posts(sb) == before
    # Killed after the rename landed: the re-run finds the user by the new name.
    cut = {"username": "cut_short", "new_username": "finished", "available_sites": ["NOLO"]}
    with Journal(path) as journal:
        journal.record_started("cut_short", cut)
    await client.modify_backoffice_user(username="cut_short", new_username="finished")
    with Journal(path) as journal:
        (settled,) = await _drain(client.modify_backoffice_users([cut], journal=journal))
    assert settled.resolved
    assert settled.result.changes_applied == ("sites",)


def test_the_sync_twins_iterate(sb: Sandbox, tmp_path: Path) -> None:
    with BackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
    ) as client:
        created = client.create_employee(**hire())
        seen: list[str] = []
        with client.modify_employees(
            [{"pos_user_id": created.pos_user_id, "departments": ["Cashier"]}],
            on_outcome=lambda o: seen.append(o.status),
        ) as run:
            outcomes = list(run)
    assert [o.status for o in outcomes] == seen == ["ok"]
    assert outcomes[0].result.changes_applied == ("properties",)
