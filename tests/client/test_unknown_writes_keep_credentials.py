"""A write that may have landed keeps the credentials it sent: a generated Backoffice password or
POS PIN travels on the error's ``partial`` (masked in every repr and message) whenever the
server may hold it, so the caller is never left with a login or PIN nobody knows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import BackofficeError, OutcomeUnknownError, WriteNotVerifiedError
from sonnys_async.models import (
    BackofficePasswordReset,
    CreateBackofficeUserRequest,
    CreateEmployeeRequest,
    EmployeeCreated,
    EmployeeRehired,
)
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, posts


def _hidden(secret: object, error: BackofficeError) -> None:
    """``secret`` appears in none of the error's message, repr, or its partial's repr/str."""
    partial = getattr(error, "partial", None)
    shown = str(error) + repr(error) + repr(partial) + str(partial)
    assert str(secret) not in shown


def _arm(sb: Sandbox, *faults: Callable[[Sandbox], None]) -> Callable[[], None]:
    def arm() -> None:
        for fault in faults:
            fault(sb)

    return arm


def _settling_reads_fail(path: str) -> Callable[[Sandbox], None]:
    """Every GET of ``path`` answers 503 (through the retries)."""
    return lambda sb: sb.faults.fail_next(method="GET", path=path, status=503, count=50)


def _answer_lost(path: str, *, after_apply: bool = True) -> Callable[[Sandbox], None]:
    return lambda sb: sb.faults.drop_next(method="POST", path=path, after_apply=after_apply)


async def _user_with_login(client: AsyncBackofficeClient, username: str) -> int:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username=username)
    )
    assert created.backoffice_user_id is not None
    return created.backoffice_user_id


# ---------------------------------------------------------------------- password resets


async def test_unreachable_login_check_after_a_reset_is_unverified_with_the_password(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _user_with_login(client, "forgetful")
    sb.faults.fail_next(method="POST", path="/login_check", status=503, count=50)
    with pytest.raises(WriteNotVerifiedError) as exc:
        await client.reset_backoffice_password(username="forgetful")
    sb.faults.clear()
    partial = exc.value.partial
    assert isinstance(partial, BackofficePasswordReset)
    assert not partial.verified
    assert partial.password == sb.state.users[uid].password  # the one the server now holds
    _hidden(partial.password, exc.value)


async def test_a_reset_answer_lost_twice_is_unknown_with_the_password(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _user_with_login(client, "twice_lost")
    # Lost before it was applied (the login proves it is not), then the resend's answer lost
    # after it was applied.
    sb.faults.drop_next(method="POST", path="/user/update", after_apply=False)
    sb.faults.drop_next(method="POST", path="/user/update", after_apply=True)
    before = posts(sb, "/user/update")
    with pytest.raises(OutcomeUnknownError, match="lost twice") as exc:
        await client.reset_backoffice_password(username="twice_lost")
    assert posts(sb, "/user/update") == before + 2
    partial = exc.value.partial
    assert isinstance(partial, BackofficePasswordReset)
    assert partial.password == sb.state.users[uid].password
    _hidden(partial.password, exc.value)


async def test_a_rehire_whose_login_check_fails_keeps_the_new_password(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="boomerang")
    )
    uid = created.backoffice_user_id
    assert uid is not None
    await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    sb.faults.fail_next(method="POST", path="/login_check", status=503, count=50)
    with pytest.raises(WriteNotVerifiedError) as exc:
        await client.rehire_employee(pos_user_id=created.pos_user_id)
    sb.faults.clear()
    partial = exc.value.partial
    assert isinstance(partial, EmployeeRehired)
    assert partial.backoffice_user_id == uid
    assert partial.backoffice_password == sb.state.users[uid].password
    assert partial.backoffice_password != created.backoffice_password
    _hidden(partial.backoffice_password, exc.value)


# ---------------------------------------------------------------------- inserts


async def test_a_lost_user_insert_is_unknown_with_the_generated_password(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        sb.faults.drop_next(method="POST", path="/user/insert", after_apply=False)
        with pytest.raises(OutcomeUnknownError, match="neither applied") as exc:
            await client.create_backoffice_user(
                username="lost_user",
                email="lost.user@example.invalid",
                first_name="Lost",
                last_name="User",
                permission="General User",
            )
    partial = exc.value.partial
    assert isinstance(partial, CreateBackofficeUserRequest)
    assert partial.username == "lost_user"
    assert partial.password  # generated, kept for when the request lands
    _hidden(partial.password, exc.value)


async def test_an_unsettled_user_insert_keeps_the_password_the_server_holds(sb: Sandbox) -> None:
    arm = _arm(sb, _answer_lost("/user/insert"), _settling_reads_fail("/user"))
    async with make_client(sb, transport=Hook(sb.transport(), "/user/insert", before=arm)) as c:
        with pytest.raises(OutcomeUnknownError, match="reading the state") as exc:
            await c.create_backoffice_user(
                username="applied_user",
                email="applied.user@example.invalid",
                first_name="Applied",
                last_name="User",
                permission="General User",
            )
    sb.faults.clear()
    stored = next(u for u in sb.state.users.values() if u.username == "applied_user")
    partial = exc.value.partial
    assert isinstance(partial, CreateBackofficeUserRequest)
    assert partial.password == stored.password
    _hidden(stored.password, exc.value)


async def test_a_hire_whose_login_insert_is_lost_keeps_the_login_password(sb: Sandbox) -> None:
    arm = _arm(sb, _answer_lost("/user/insert"), _settling_reads_fail("/user"))
    args = hire(requires_backoffice=True, backoffice_username="newbo1")
    async with make_client(sb, transport=Hook(sb.transport(), "/user/insert", before=arm)) as c:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await c.create_employee(**args)
    sb.faults.clear()
    stored = next(u for u in sb.state.users.values() if u.username == "newbo1")
    partial = exc.value.partial
    assert isinstance(partial, EmployeeCreated)
    assert partial.backoffice_username == "newbo1"
    assert partial.backoffice_password == stored.password
    _hidden(stored.password, exc.value)


async def test_a_hire_whose_login_insert_never_landed_still_names_its_password(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    sb.faults.drop_next(method="POST", path="/user/insert", after_apply=False)
    with pytest.raises(WriteNotVerifiedError) as exc:
        await client.create_employee(**hire(requires_backoffice=True, backoffice_username="bo2"))
    partial = exc.value.partial
    assert isinstance(partial, EmployeeCreated)
    # Not on the server yet, but the request may still arrive: the password is kept.
    assert partial.backoffice_password
    _hidden(partial.backoffice_password, exc.value)


async def test_a_hire_refused_for_a_taken_username_carries_no_password(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    taken = next(u for u in sb.state.users.values() if u.username != sb.username)

    def steal() -> None:  # the username is taken between the pre-flight and the insert
        sb.state.users[taken.id].username = "grabbed"

    args = hire(requires_backoffice=True, backoffice_username="grabbed")
    async with make_client(sb, transport=Hook(sb.transport(), "/user/insert", before=steal)) as c:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await c.create_employee(**args)
    partial = exc.value.partial
    assert isinstance(partial, EmployeeCreated)
    assert partial.backoffice_password is None


async def test_a_lost_hire_insert_keeps_the_drawn_pin(sb: Sandbox) -> None:
    args = hire()  # no PIN: one is drawn
    arm = _arm(sb, _answer_lost("/employee/insert"), _settling_reads_fail("/employee"))
    transport = Hook(sb.transport(), "/employee/insert", before=arm)
    async with make_client(sb, transport=transport) as client:
        with pytest.raises(OutcomeUnknownError, match="reading the state") as exc:
            await client.create_employee(**args)
    sb.faults.clear()
    stored = sb.state.employee_by_pos_user_id(args["pos_user_id"])
    assert stored is not None
    partial = exc.value.partial
    assert isinstance(partial, CreateEmployeeRequest)
    assert partial.pos_pin == stored.pos_pin
    _hidden(stored.pos_pin, exc.value)


async def test_a_hire_insert_that_never_landed_keeps_the_pin_it_sent(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    args = hire()
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=False)
    with pytest.raises(OutcomeUnknownError, match="neither applied") as exc:
        await client.create_employee(**args)
    partial = exc.value.partial
    assert isinstance(partial, CreateEmployeeRequest)
    assert partial.pos_pin is not None
    # Sending the kept request again creates the employee with that very PIN.
    created = await client.create_employee_from(partial)
    assert sb.state.employees[created.employee_id].pos_pin == partial.pos_pin
