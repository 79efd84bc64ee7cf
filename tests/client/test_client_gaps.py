"""Lost answers of the permissions, access and compensation POSTs, and bulk creates resumed
after a run died mid-hire: each settled from server state (``sb.state``), never duplicated."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.errors import TransportError, WriteNotVerifiedError
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client


def _posts(sb: Sandbox, path: str) -> int:
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path == path)


@pytest.mark.parametrize("after_apply", [True, False])
async def test_lost_permissions_answer_is_settled(sb: Sandbox, after_apply: bool) -> None:
    async with make_client(sb) as client:
        template = next(t for t in await client.list_pos_templates() if t.name == "Shift Leader")
        sb.faults.drop_next(
            method="POST", path="/employee/permissions/update", after_apply=after_apply
        )
        created = await client.create_employee(**hire(permission="Shift Leader"))
    stored = sb.state.employees[created.employee_id]
    assert (stored.grants, stored.overrides) == (template.grants, template.overrides)
    assert created.verified
    assert created.permission_applied == "Shift Leader"
    # Applied: settled by reading, no resend. Not applied: the full matrix is sent once more.
    assert _posts(sb, "/employee/permissions/update") == (1 if after_apply else 2)


@pytest.mark.parametrize("after_apply", [True, False])
async def test_lost_access_answer_is_settled(sb: Sandbox, after_apply: bool) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire())
        manager = next(t for t in await client.list_backoffice_templates() if t.name == "Manager")
        sb.faults.drop_next(method="POST", path="/user/permissions/update", after_apply=after_apply)
        user = await client.create_backoffice_user(
            username=f"acc{created.employee_id}",
            permission="Manager",
            link_to_employee_pos_user_id=created.pos_user_id,
        )
    stored = sb.state.users[user.user_id]
    assert stored.employee_id == created.employee_id
    assert stored.template_id == manager.id
    assert stored.tokens
    assert stored.tokens <= set(manager.tokens)
    assert stored.sites == sb.state.employees[created.employee_id].sites
    assert user.verified
    assert _posts(sb, "/user/permissions/update") == (1 if after_apply else 2)


async def test_lost_compensation_answer_applied_is_reported_applied(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire(start_date=date.today()))
        sb.faults.drop_next(method="POST", path="/employee/compensation/update", after_apply=True)
        result = await client.modify_employee(
            pos_user_id=created.pos_user_id, wage_rate=Decimal("21.25")
        )
    assert result.changes_applied == ("compensation",)
    assert result.wage_rate == Decimal("21.25")
    current = [w for w in sb.state.employees[created.employee_id].wages if w.end_date is None]
    assert [w.rate for w in current] == [Decimal("21.25")]
    assert _posts(sb, "/employee/compensation/update") == 1  # a wage record is never resent


async def test_lost_compensation_answer_not_applied_says_retry(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire(start_date=date.today()))
        before = list(sb.state.employees[created.employee_id].wages)
        sb.faults.drop_next(method="POST", path="/employee/compensation/update", after_apply=False)
        with pytest.raises(TransportError, match="safe to try again"):
            await client.modify_employee(
                pos_user_id=created.pos_user_id, wage_rate=Decimal("21.25")
            )
    assert sb.state.employees[created.employee_id].wages == before
    assert _posts(sb, "/employee/compensation/update") == 1


# ---------------------------------------------------------------------------- bulk resume


class Killed(BaseException):
    """Stands for the process dying (not an error the bulk run may catch)."""


class DieBefore(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox until the first POST to ``path``, then 'dies'."""

    def __init__(self, sb: Sandbox, path: str) -> None:
        self.inner = sb.transport()
        self.path = path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == self.path:
            raise Killed
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _started_items(path: Path) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [entry for entry in lines if entry.get("event") == "started"]


async def _killed_after_insert(sb: Sandbox, row: dict[str, object], path: Path) -> dict:
    """A bulk create that dies right after its insert; returns the journaled item."""
    dying = AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=DieBefore(sb, "/employee/permissions/update"),
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
    assert outcome.status == "failed"
    assert isinstance(outcome.error, WriteNotVerifiedError)
    assert outcome.error.what == "backoffice_user"
    assert "Backoffice user is missing" in str(outcome.error)
    assert str(other.user_id) in str(outcome.error)
    (employee,) = [e for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]]
    assert employee.grants  # the POS template part was finished
    assert not any(u.employee_id == employee.id for u in sb.state.users.values())


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


@pytest.mark.parametrize(
    ("method", "model"),
    [
        ("create_employee", "CreateEmployeeRequest"),
        ("disable_employee", "DisableEmployeeRequest"),
        ("modify_employee", "ModifyEmployeeRequest"),
        ("create_backoffice_user", "CreateBackofficeUserRequest"),
    ],
)
def test_public_writes_take_exactly_their_request_fields(method: str, model: str) -> None:
    # The public methods forward their arguments to the request model by name (locals()).
    import inspect

    from sonnys_async import models

    params = list(inspect.signature(getattr(AsyncBackofficeClient, method)).parameters)[1:]
    assert sorted(params) == sorted(getattr(models, model).model_fields)
