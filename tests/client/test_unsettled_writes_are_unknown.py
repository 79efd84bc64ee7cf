"""A lost answer whose settling read fails is UNKNOWN, never "failed"; a password reset is
settled by proving the new password (never resent blindly) and refuses an inactive user before
sending anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import InputValidationError, OutcomeUnknownError
from sonnys_async.models import BackofficePasswordReset, EmployeeCreated
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, posts


def _lost_then_unreadable(sb: Sandbox, post: str, page: str) -> Callable[[], None]:
    """Arms: the POST to ``post`` is applied but its answer lost, and every GET of ``page`` (the
    settling read) answers 503 through the retries."""

    def arm() -> None:
        sb.faults.drop_next(method="POST", path=post, after_apply=True)
        sb.faults.fail_next(method="GET", path=page, status=503, count=50)

    return arm


async def _hire_with_login(sb: Sandbox, username: str) -> EmployeeCreated:
    async with make_client(sb) as client:
        return await client.create_employee(
            **hire(requires_backoffice=True, backoffice_username=username, start_date=date.today())
        )


# ---------------------------------------------------------------------- settling reads fail


async def test_bulk_user_change_with_an_unreadable_settle_is_unknown(sb: Sandbox) -> None:
    created = await _hire_with_login(sb, "mover")
    uid = created.backoffice_user_id
    assert uid is not None
    arm = _lost_then_unreadable(sb, "/user/update", f"/user/edit/{uid}")
    transport = Hook(sb.transport(), "/user/update", before=arm, once=True)
    async with (
        make_client(sb, transport=transport) as client,
        client.modify_backoffice_users([{"user_id": uid, "new_username": "mover2"}]) as run,
    ):
        outcomes = [o async for o in run]
    assert sb.state.users[uid].username == "mover2"  # applied on the server
    assert [o.status for o in outcomes] == ["unknown"]
    assert isinstance(outcomes[0].error, OutcomeUnknownError)


async def test_bulk_employee_change_with_an_unreadable_settle_is_unknown(sb: Sandbox) -> None:
    created = await _hire_with_login(sb, "renamed")
    arm = _lost_then_unreadable(sb, "/employee/update", f"/employee/edit/{created.employee_id}")
    transport = Hook(sb.transport(), "/employee/update", before=arm, once=True)
    async with (
        make_client(sb, transport=transport) as client,
        client.modify_employees(
            [{"pos_user_id": created.pos_user_id, "new_last_name": "Renamed"}]
        ) as run,
    ):
        outcomes = [o async for o in run]
    assert sb.state.employees[created.employee_id].last_name == "Renamed"
    assert [o.status for o in outcomes] == ["unknown"]
    assert isinstance(outcomes[0].error, OutcomeUnknownError)
    assert outcomes[0].error.partial == {"employee_id": created.employee_id}


async def test_a_user_deactivation_with_an_unreadable_settle_is_unknown(sb: Sandbox) -> None:
    created = await _hire_with_login(sb, "leaving")
    uid = created.backoffice_user_id
    assert uid is not None
    arm = _lost_then_unreadable(sb, "/user/update", f"/user/edit/{uid}")
    transport = Hook(sb.transport(), "/user/update", before=arm, once=True)
    async with make_client(sb, transport=transport) as client:
        with pytest.raises(OutcomeUnknownError, match="reading the state"):
            await client.disable_backoffice_user(user_id=uid)
    assert sb.state.users[uid].is_deleted
    assert posts(sb, "/user/update") == 1


async def test_an_access_form_with_an_unreadable_settle_is_unknown(sb: Sandbox) -> None:
    created = await _hire_with_login(sb, "access")
    uid = created.backoffice_user_id
    assert uid is not None
    arm = _lost_then_unreadable(sb, "/user/permissions/update", f"/user/permissions/{uid}")
    transport = Hook(sb.transport(), "/user/permissions/update", before=arm, once=True)
    before = posts(sb, "/user/permissions/update")
    async with make_client(sb, transport=transport) as client:
        with pytest.raises(OutcomeUnknownError, match="reading the state"):
            await client.modify_backoffice_user(user_id=uid, permission="Manager")
    assert posts(sb, "/user/permissions/update") == before + 1  # not resent


async def test_a_wage_update_with_an_unreadable_settle_is_unknown(sb: Sandbox) -> None:
    created = await _hire_with_login(sb, "wages")
    eid = created.employee_id
    arm = _lost_then_unreadable(
        sb, "/employee/compensation/update", f"/employee/compensation/{eid}"
    )
    transport = Hook(sb.transport(), "/employee/compensation/update", before=arm, once=True)
    async with make_client(sb, transport=transport) as client:
        with pytest.raises(OutcomeUnknownError, match="reading the state"):
            await client.modify_employee(
                pos_user_id=created.pos_user_id, wage_rate=Decimal("22.75")
            )
    assert posts(sb, "/employee/compensation/update") == 1


# ---------------------------------------------------------------------- password resets


async def test_resetting_an_inactive_users_password_with_verify_sends_nothing(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="sleeper")
    )
    uid = created.backoffice_user_id
    assert uid is not None
    await client.disable_backoffice_user(user_id=uid)
    old = sb.state.users[uid].password
    before = posts(sb, "/user/update")
    with pytest.raises(InputValidationError, match="inactive"):
        await client.reset_backoffice_password(user_id=uid)
    assert posts(sb, "/user/update") == before
    assert sb.state.users[uid].password == old
    # Without verify the password is set (nothing to prove it with).
    reset = await client.reset_backoffice_password(user_id=uid, verify=False)
    assert not reset.verified
    assert sb.state.users[uid].password == reset.password


@pytest.mark.parametrize("after_apply", [True, False])
async def test_a_lost_reset_answer_is_settled_by_a_login(
    sb: Sandbox, client: AsyncBackofficeClient, after_apply: bool
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="settled")
    )
    uid = created.backoffice_user_id
    assert uid is not None
    before, logins = posts(sb, "/user/update"), posts(sb, "/login_check")
    sb.faults.drop_next(method="POST", path="/user/update", after_apply=after_apply)
    reset = await client.reset_backoffice_password(user_id=uid)
    assert reset.verified
    assert sb.state.users[uid].password == reset.password
    # Applied: proven by one login, not resent. Not applied: the login is refused, so the
    # same form is sent once more, then proven.
    assert posts(sb, "/user/update") == before + (1 if after_apply else 2)
    assert posts(sb, "/login_check") == logins + (1 if after_apply else 2)


async def test_a_lost_reset_answer_that_cannot_be_proven_is_unknown_and_not_resent(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="unproven")
    )
    uid = created.backoffice_user_id
    assert uid is not None
    before = posts(sb, "/user/update")
    sb.faults.drop_next(method="POST", path="/user/update", after_apply=True)
    sb.faults.fail_next(method="POST", path="/login_check", status=503, count=50)
    with pytest.raises(OutcomeUnknownError) as exc:
        await client.reset_backoffice_password(user_id=uid)
    sb.faults.clear()
    assert posts(sb, "/user/update") == before + 1
    partial = exc.value.partial
    assert isinstance(partial, BackofficePasswordReset)
    assert partial.password == sb.state.users[uid].password
    assert partial.password not in str(exc.value) + repr(partial) + str(partial)


async def test_a_lost_reset_of_an_inactive_user_is_unknown_and_not_resent(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="dormant")
    )
    uid = created.backoffice_user_id
    assert uid is not None
    await client.disable_backoffice_user(user_id=uid)
    before = posts(sb, "/user/update")
    sb.faults.drop_next(method="POST", path="/user/update", after_apply=False)
    with pytest.raises(OutcomeUnknownError, match="inactive") as exc:
        await client.reset_backoffice_password(user_id=uid, verify=False)
    assert posts(sb, "/user/update") == before + 1
    partial = exc.value.partial
    assert isinstance(partial, BackofficePasswordReset)
    assert not partial.verified
    assert partial.password
