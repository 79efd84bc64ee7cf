"""Roster sync rehires: a rehire that landed is never reported as "failed", never sent twice,
and its Backoffice login's new password is journaled before any request and always reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.bulk import Outcome
from sonnys_async.errors import WriteNotVerifiedError
from sonnys_async.journal import Journal
from sonnys_async.models import EmployeeRehired, SyncItem, SyncPlan
from sonnys_async.sandbox import Sandbox, SandboxOptions

from .conftest import hire, make_client
from .helpers import Hook, Killed, Pairs, die

#: The e-mail of another employee (a leaver): the server refuses it for the returner.
TAKEN = "kept.by.a.leaver@example.invalid"


class _Returner:
    """A leaver with a deactivated Backoffice login, coming back on the roster."""

    def __init__(self, sb: Sandbox, employee_id: int, user_id: int, old_password: str) -> None:
        self.sb, self.employee_id, self.user_id = sb, employee_id, user_id
        self.old_password = old_password

    @property
    def password(self) -> str:
        """The login's password on the server."""
        return self.sb.state.users[self.user_id].password

    @property
    def active(self) -> bool:
        return self.sb.state.employees[self.employee_id].active


async def _returner(sb: Sandbox) -> _Returner:
    async with make_client(sb) as client:
        made = await client.create_employee(
            **hire(available_sites=["NOLO"], requires_backoffice=True, backoffice_username="back")
        )
        await client.disable_employee(pos_user_id=made.pos_user_id, disable_backoffice_user=True)
        # A leaver who keeps an e-mail (off the roster: it may not name an e-mail twice).
        other = await client.create_employee(**hire(email=TAKEN, available_sites=["NOLO"]))
        await client.disable_employee(pos_user_id=other.pos_user_id)
    assert made.backoffice_user_id is not None
    user = sb.state.users[made.backoffice_user_id]
    assert user.is_deleted
    return _Returner(sb, made.employee_id, made.backoffice_user_id, user.password)


def _rows(sb: Sandbox, returner: _Returner, email: str) -> list[dict[str, Any]]:
    """The roster as the tenant stands, with the returner active again under ``email``."""
    rows = []
    for e in sorted(sb.state.employees.values(), key=lambda e: e.id):
        if e.active or e.id == returner.employee_id:
            row: dict[str, Any] = {"first_name": e.first_name, "last_name": e.last_name}
            row.update(phone=e.phone, pos_user_id=e.pos_user_id, email=e.email or None)
            if e.id == returner.employee_id:
                row.update(email=email, status="active")
            rows.append(row)
    return rows


async def _plan(sb: Sandbox, rows: list[dict[str, Any]]) -> SyncPlan:
    async with make_client(sb) as client:
        plan = await client.plan_roster_sync(rows)
    assert [i.action for i in plan.actionable] == ["rehire"]
    assert [c.field for c in plan.actionable[0].changes] == ["new_email"]
    return plan


class _Resets:
    """The sandbox transport, counting the POSTs that set a Backoffice password."""

    def __init__(self, sb: Sandbox, *, die_on_employee_update: int | None = None) -> None:
        self.count = 0
        updates = [0]

        def count(pairs: Pairs) -> Pairs:
            self.count += any(k == "user[password]" and v for k, v in pairs)
            return pairs

        def maybe_die() -> None:
            updates[0] += 1
            if updates[0] == die_on_employee_update:
                die()

        inner = Hook(sb.transport(), "/user/update", rewrite=count)
        self.transport = Hook(inner, "/employee/update", before=maybe_die)


async def _apply(
    client: AsyncBackofficeClient, plan: SyncPlan, journal: Journal | None
) -> list[Outcome[SyncItem, Any]]:
    async with client.apply_plan(plan, journal=journal) as run:
        return [o async for o in run]


async def _killed_run(sb: Sandbox, dying: _Resets, plan: SyncPlan, path: Path) -> None:
    async with make_client(sb, transport=dying.transport) as client:
        with Journal(path) as journal:
            await _apply(client, plan, journal)


def _journaled_password(path: Path, plan: SyncPlan) -> str:
    """The rehire's Backoffice password in the journal's ``started`` entry."""
    with Journal(path) as journal:
        state = journal.state(f"{plan.digest[:16]}:{plan.actionable[0].key}")
    assert state is not None
    assert state.status == "ambiguous"
    assert isinstance(state.item, dict)
    password = state.item["request"]["rehire"]["backoffice_password"]
    assert isinstance(password, str)
    return password


def _holds(ok: bool, what: str) -> None:
    """Assert ``ok`` without showing the values compared (passwords stay out of the output)."""
    if not ok:
        pytest.fail(f"expected: {what}", pytrace=False)


def _drawn_password(item: SyncItem) -> str:
    password = item.request["rehire"]["backoffice_password"]
    assert isinstance(password, str)
    assert password
    return password


async def test_a_rehire_whose_other_changes_are_refused_is_unknown_with_its_new_password(
    tmp_path: Path,
) -> None:
    sb = Sandbox(SandboxOptions(employees=40, bo_users=4, seed=5))
    returner = await _returner(sb)
    plan = await _plan(sb, _rows(sb, returner, TAKEN))
    resets = _Resets(sb)
    path = tmp_path / "sync.jsonl"
    async with make_client(sb, transport=resets.transport) as client:
        with Journal(path) as journal:
            (outcome,) = await _apply(client, plan, journal)
            state = journal.state(outcome.key)
    # Applied on the server: the employee and the login are back, with a new password...
    assert returner.active
    assert not sb.state.users[returner.user_id].is_deleted
    _holds(returner.password != returner.old_password, "the login has a new password")
    assert resets.count == 1  # ...set once: the refusal did not run the rehire again
    # ...so the outcome is unknown (never "failed"), and carries that password.
    assert outcome.status == "unknown"
    assert isinstance(outcome.error, WriteNotVerifiedError)
    partial = outcome.error.partial
    assert isinstance(partial, EmployeeRehired)
    _holds(partial.backoffice_password == returner.password, "partial has the password")
    assert not partial.verified
    assert "email" in str(outcome.error).casefold()
    _holds(returner.password not in str(outcome.error), "the message has no password")
    # The password was drawn before the item was journaled: the journal holds it too.
    assert state is not None
    assert state.status == "ambiguous"
    _holds(_drawn_password(outcome.item) == returner.password, "the item has the password")


async def test_a_rerun_with_the_journal_retries_the_refused_changes_never_the_rehire(
    tmp_path: Path,
) -> None:
    sb = Sandbox(SandboxOptions(employees=40, bo_users=4, seed=5))
    returner = await _returner(sb)
    plan = await _plan(sb, _rows(sb, returner, TAKEN))
    path = tmp_path / "sync.jsonl"
    async with make_client(sb) as client:
        with Journal(path) as journal:
            (first,) = await _apply(client, plan, journal)
    assert first.status == "unknown"
    password = returner.password
    resets = _Resets(sb)

    async def rerun() -> Outcome[SyncItem, Any]:
        async with make_client(sb, transport=resets.transport) as client:
            with Journal(path) as journal:
                (outcome,) = await _apply(client, plan, journal)
        return outcome

    again = await rerun()  # the e-mail is still taken: unknown again, with the password
    assert again.status == "unknown"
    assert isinstance(again.error, WriteNotVerifiedError)
    assert isinstance(again.error.partial, EmployeeRehired)
    _holds(again.error.partial.backoffice_password == password, "partial has the password")
    _holds(_drawn_password(again.item) == password, "the journaled one, not a new draw")
    holder = next(e for e in sb.state.employees.values() if e.email == TAKEN)
    holder.email = "moved.on@example.invalid"  # someone frees the e-mail
    done = await rerun()
    assert done.status == "ok"
    assert done.resolved
    assert isinstance(done.result, EmployeeRehired)
    _holds(done.result.backoffice_password == password, "the result has the password")
    assert sb.state.employees[returner.employee_id].email == TAKEN
    assert resets.count == 0  # neither rerun reset the password again
    _holds(returner.password == password, "the password is unchanged")


async def test_a_rehire_killed_after_the_password_reset_is_finished_with_that_password(
    tmp_path: Path,
) -> None:
    sb = Sandbox(SandboxOptions(employees=40, bo_users=4, seed=5))
    returner = await _returner(sb)
    plan = await _plan(sb, _rows(sb, returner, "returner.new@example.invalid"))
    path = tmp_path / "sync.jsonl"
    # The rehire's own employee update goes through; the process dies before the second one
    # (the row's new e-mail), after the login's password was reset.
    dying = _Resets(sb, die_on_employee_update=2)
    with pytest.raises(Killed):
        await _killed_run(sb, dying, plan, path)
    assert dying.count == 1
    assert returner.active
    password = returner.password
    _holds(_journaled_password(path, plan) == password, "the journal has the password set")
    async with make_client(sb) as client:
        with Journal(path) as journal:
            (outcome,) = await _apply(client, plan, journal)
    assert outcome.status == "ok"
    assert outcome.resolved
    assert isinstance(outcome.result, EmployeeRehired)
    _holds(outcome.result.backoffice_password == password, "the result has the password")
    _holds(returner.password == password, "the login keeps the journaled password")
    assert sb.state.employees[returner.employee_id].email == "returner.new@example.invalid"


async def test_a_rehire_killed_before_anything_landed_is_sent_again_with_its_password(
    tmp_path: Path,
) -> None:
    sb = Sandbox(SandboxOptions(employees=40, bo_users=4, seed=5))
    returner = await _returner(sb)
    plan = await _plan(sb, _rows(sb, returner, "returner.new@example.invalid"))
    path = tmp_path / "sync.jsonl"
    dying = _Resets(sb, die_on_employee_update=1)
    with pytest.raises(Killed):
        await _killed_run(sb, dying, plan, path)
    assert not returner.active
    _holds(returner.password == returner.old_password, "the password is unchanged")
    journaled = _journaled_password(path, plan)
    resets = _Resets(sb)
    async with make_client(sb, transport=resets.transport) as client:
        with Journal(path) as journal:
            (outcome,) = await _apply(client, plan, journal)
    assert outcome.status == "ok"
    assert isinstance(outcome.result, EmployeeRehired)
    _holds(outcome.result.backoffice_password == journaled, "the journaled password is used")
    _holds(journaled == returner.password, "the journaled password is set")
    assert resets.count == 1
    assert sb.state.employees[returner.employee_id].email == "returner.new@example.invalid"
