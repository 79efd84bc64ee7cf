"""disable_employee: the whole edit form without isActive, and the linked Backoffice users."""

from __future__ import annotations

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import (
    NotFoundError,
    WriteNotVerifiedError,
)
from sonnys_async.models import EmployeeDisabled
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import fail_reads_after, warm, work_requests


async def test_disable_by_pos_user_id_in_four_requests(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await warm(client)
    client.transport.stats.reset()
    result = await client.disable_employee(pos_user_id=created.pos_user_id)
    assert work_requests(client) <= 4
    stored = sb.state.employees[created.employee_id]
    assert not stored.active
    assert stored.sites == frozenset({17, 1})  # nothing else changed
    assert stored.pos_user_id == created.pos_user_id
    assert result.employee_id == created.employee_id
    assert result.pos_user_id == created.pos_user_id
    assert not result.was_already_inactive
    again = await client.disable_employee(pos_user_id=created.pos_user_id)
    assert again.was_already_inactive


async def test_disable_by_name_and_by_email(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    a = await client.create_employee(**hire(first_name="Unique", last_name="Person"))
    await client.disable_employee(first_name="unique ", last_name="PERSON")
    assert not sb.state.employees[a.employee_id].active
    b = await client.create_employee(**hire())
    await client.disable_employee(email=b.email.upper())
    assert not sb.state.employees[b.employee_id].active


async def test_disable_also_deactivates_the_linked_backoffice_user(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username=f"off_{len(sb.state.users)}")
    )
    result = await client.disable_employee(
        pos_user_id=created.pos_user_id, disable_backoffice_user=True
    )
    assert created.backoffice_user_id is not None
    assert sb.state.users[created.backoffice_user_id].is_deleted
    assert result.backoffice_user_ids_disabled == (created.backoffice_user_id,)


async def test_disable_unknown_employee(client: AsyncBackofficeClient) -> None:
    with pytest.raises(NotFoundError):
        await client.disable_employee(pos_user_id=987654)


async def test_disable_reports_the_disabled_employee_when_the_user_step_fails(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="leaver_bo")
    )
    assert created.backoffice_user_id is not None
    sb.faults.fail_next(method="GET", path="/user", status=500, count=50)
    with pytest.raises(WriteNotVerifiedError) as exc:
        await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    sb.faults.clear()
    err = exc.value
    assert err.what == "backoffice_user"
    assert isinstance(err.partial, EmployeeDisabled)
    assert err.partial.employee_id == created.employee_id
    assert not err.partial.verified
    assert "was disabled" in str(err)
    assert not sb.state.employees[created.employee_id].active
    assert not sb.state.users[created.backoffice_user_id].is_deleted


@pytest.mark.parametrize("with_user", [False, True])
async def test_a_disable_whose_read_back_fails_is_reported_applied_not_verified(
    sb: Sandbox, with_user: bool
) -> None:
    async with make_client(sb) as client:
        login = {"requires_backoffice": True, "backoffice_username": "leaver"} if with_user else {}
        created = await client.create_employee(**hire(**login))
    hook = fail_reads_after(sb, "/employee/update", f"/employee/edit/{created.employee_id}")
    async with make_client(sb, transport=hook) as client:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.disable_employee(
                pos_user_id=created.pos_user_id, disable_backoffice_user=with_user
            )
    assert exc.value.what == "read_back"
    partial = exc.value.partial
    assert isinstance(partial, EmployeeDisabled)
    assert partial.employee_id == created.employee_id
    assert not partial.verified
    assert not partial.was_already_inactive
    assert not sb.state.employees[created.employee_id].active  # it was applied
    if with_user:
        assert created.backoffice_user_id is not None
        assert partial.backoffice_user_ids_disabled == (created.backoffice_user_id,)
        assert sb.state.users[created.backoffice_user_id].is_deleted
