"""create_employee: plan, pre-flight, insert, template, read-back; refusals and partial results."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import (
    DuplicateError,
    FormRejectedError,
    InputValidationError,
    NotFoundError,
    WriteNotVerifiedError,
)
from sonnys_async.models import EmployeeCreated
from sonnys_async.sandbox import Sandbox, SandboxOptions

from .conftest import hire, make_client
from .helpers import Hook, posts, warm, work_requests


def _no_grants(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not k.endswith("[hasGrantAccess]")]


async def test_create_employee_end_to_end(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    args = hire(
        permission="shift LEADER",
        departments=["line", 1],
        adp_employee_id="ADP-7",
        emergency_contact_name="Kin",
        emergency_contact_phone="615 555 0000",
        wage_rate=14.75,
    )
    result = await client.create_employee(**args)
    stored = sb.state.employees[result.employee_id]
    assert stored.first_name == args["first_name"]
    assert stored.last_name == args["last_name"]
    assert stored.pos_user_id == args["pos_user_id"]
    assert stored.pos_pin == result.pos_pin
    assert 10000 <= result.pos_pin <= 99999
    assert stored.email == args["email"]
    assert stored.sites == frozenset({17, 1})
    assert set(stored.department_ids) == {2, 1}
    assert stored.active
    shift = next(t for t in await client.list_pos_templates() if t.name == "Shift Leader")
    assert stored.grants == shift.grants
    assert stored.overrides == shift.overrides
    assert stored.adp_employee_id == "ADP-7"
    assert stored.emergency_contact_phone.endswith("6155550000")
    (wage,) = stored.wages
    assert wage.rate == Decimal("14.75")
    assert wage.overtime_rate == Decimal("22.13")
    assert wage.site_id == 17
    assert result.permission_applied == "Shift Leader"
    assert result.wage_site == "Wash 37135"
    assert result.verified
    assert str(result.pos_pin) not in repr(result)


async def test_create_employee_all_sites_and_default_department(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    result = await client.create_employee(**hire(available_sites="all", pos_pin=24680))
    stored = sb.state.employees[result.employee_id]
    assert sb.state.site_ids_of(stored.sites) == (await client.get_site_tree()).site_ids
    assert stored.department_ids == [3]  # Greeter, the documented default
    assert stored.pos_pin == 24680
    assert result.departments == ("Greeter",)


async def test_create_employee_costs_four_requests_warm(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await warm(client)
    client.transport.stats.reset()
    await client.create_employee(**hire())
    assert work_requests(client) <= 4


async def test_unknown_template_raises_before_any_write(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    count = len(sb.state.employees)
    with pytest.raises(NotFoundError, match="General User"):
        await client.create_employee(**hire(permission="Administrator"))
    with pytest.raises(NotFoundError):
        await client.create_employee(**hire(available_sites=["Nowhere"]))
    with pytest.raises(NotFoundError, match="Greeter"):
        await client.create_employee(**hire(departments=["Detailing"]))
    with pytest.raises(NotFoundError):
        await client.create_employee(
            **hire(requires_backoffice=True, backoffice_username="ok_user", permission="Cashier")
        )
    assert len(sb.state.employees) == count
    assert posts(sb) == 0


async def test_invalid_input_sends_nothing(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    with pytest.raises(InputValidationError) as exc:
        await client.create_employee(**hire(phone="12345", pos_pin=True))
    assert {i.field for i in exc.value.issues} == {"phone", "pos_pin"}
    assert sb.request_log == []


async def test_duplicate_pos_user_id_is_caught_by_preflight(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    existing = next(iter(sb.state.employees.values()))
    count = len(sb.state.employees)
    with pytest.raises(DuplicateError) as exc:
        await client.create_employee(**hire(pos_user_id=existing.pos_user_id))
    assert exc.value.field == "pos_user_id"
    assert len(sb.state.employees) == count
    assert posts(sb) == 0


async def test_duplicate_email_is_reported_from_the_server(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    existing = next(e for e in sb.state.employees.values() if e.email)
    count = len(sb.state.employees)
    with pytest.raises(DuplicateError) as exc:
        await client.create_employee(**hire(email=existing.email.upper()))
    assert exc.value.field == "email"
    assert len(sb.state.employees) == count


async def test_create_employee_with_linked_backoffice_user(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    result = await client.create_employee(
        **hire(
            requires_backoffice=True,
            backoffice_username=f"hire_{len(sb.state.users)}",
            backoffice_permission="Manager",
        )
    )
    assert result.backoffice_user_id is not None
    user = sb.state.users[result.backoffice_user_id]
    assert user.employee_id == result.employee_id
    assert user.password == result.backoffice_password
    assert user.sites == frozenset({17, 1})
    manager = next(t for t in await client.list_backoffice_templates() if t.name == "Manager")
    assert user.tokens == frozenset(manager.tokens)
    assert result.backoffice_password is not None
    assert result.backoffice_password not in repr(result) + str(result)


async def test_taken_username_is_refused_before_the_employee_exists(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    taken = next(iter(sb.state.users.values())).username
    count = len(sb.state.employees)
    with pytest.raises(DuplicateError):
        await client.create_employee(**hire(requires_backoffice=True, backoffice_username=taken))
    assert len(sb.state.employees) == count


async def test_first_employee_of_an_empty_tenant() -> None:
    from sonnys_async.sandbox import SandboxOptions

    sb = Sandbox(SandboxOptions(employees=0, bo_users=0))
    async with make_client(sb) as client:
        with pytest.raises(NotFoundError):
            await client.create_employee(**hire(permission="No Such Template"))
        assert sb.state.employees == {}
        result = await client.create_employee(**hire(permission="Shift Leader"))
        shift = next(t for t in await client.list_pos_templates() if t.name == "Shift Leader")
    assert sb.state.employees[result.employee_id].grants == shift.grants
    assert result.verified


async def test_unverifiable_template_raises_with_partial(sb: Sandbox) -> None:
    async with make_client(
        sb, transport=Hook(sb.transport(), "/employee/permissions/update", rewrite=_no_grants)
    ) as client:
        args = hire()
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.create_employee(**args)
    partial = exc.value.partial
    assert isinstance(partial, EmployeeCreated)
    assert not partial.verified
    stored = sb.state.employees[partial.employee_id]
    assert stored.pos_user_id == args["pos_user_id"]
    assert stored.pos_pin == partial.pos_pin
    assert str(partial.pos_pin) not in str(exc.value)


async def test_verify_false_trusts_redirects(sb: Sandbox) -> None:
    async with make_client(
        sb, transport=Hook(sb.transport(), "/employee/permissions/update", rewrite=_no_grants)
    ) as client:
        await warm(client)
        client.transport.stats.reset()
        result = await client.create_employee(**hire(verify=False))
        assert client.transport.stats.total_without_login == 3
    assert not result.verified
    assert sb.state.employees[result.employee_id].grants == frozenset()


async def test_server_validation_messages_surface(sb: Sandbox) -> None:
    def blank_date(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, "" if k == "employee[startDate]" else v) for k, v in pairs]

    count = len(sb.state.employees)
    async with make_client(
        sb, transport=Hook(sb.transport(), "/employee/insert", rewrite=blank_date)
    ) as client:
        with pytest.raises(FormRejectedError) as exc:
            await client.create_employee(**hire())
    assert "Start Date must be a valid date." in exc.value.messages
    assert len(sb.state.employees) == count


async def test_duplicate_phone_from_the_server(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    existing = next(e for e in sb.state.employees.values() if e.phone)
    with pytest.raises(DuplicateError) as exc:
        await client.create_employee(**hire(phone=existing.phone))
    assert exc.value.field == "phone"


async def test_concurrent_reads_cannot_steal_a_bounced_forms_messages(sb: Sandbox) -> None:
    # Symfony shows a flash message on the session's NEXT page, whoever asks (§2.4). With one
    # session shared by many concurrent reads, the bounce page must still be read by its POST.
    taken = next(e for e in sb.state.employees.values() if e.phone).phone
    async with make_client(sb, sessions=1) as client:
        await client.list_sites()  # warm the discovery cache

        async def reads() -> None:
            for _ in range(5):
                await client.pos_user_id_exists(4242)

        async def create() -> None:
            with pytest.raises(DuplicateError, match="phone") as caught:
                await client.create_employee(**hire(phone=taken))
            assert caught.value.field == "phone"

        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(reads)
            tg.start_soon(create)


async def test_a_taken_email_or_phone_is_refused_before_any_write() -> None:
    # The server here accepts duplicates: only the client's pre-flight stands in the way.
    sb = Sandbox(SandboxOptions(employees=20, bo_users=3, unique_email=False, unique_phone=False))
    standalone = next(u for u in sb.state.users.values() if u.employee_id is None)
    holder = next(e for e in sb.state.employees.values() if e.phone)
    async with make_client(sb) as client:
        with pytest.raises(DuplicateError) as by_email:
            await client.create_employee(**hire(email=standalone.email.upper()))
        with pytest.raises(DuplicateError) as by_phone:
            await client.create_employee(**hire(phone=holder.phone))
    assert by_email.value.field == "email"
    assert by_phone.value.field == "phone"
    assert posts(sb) == 0


async def test_the_clients_own_hires_are_known_to_its_pre_flight() -> None:
    sb = Sandbox(SandboxOptions(employees=20, bo_users=3, unique_email=False, unique_phone=False))
    first = hire()
    async with make_client(sb) as client:
        await client.create_employee(**first)
        client.transport.stats.reset()
        with pytest.raises(DuplicateError) as exc:
            await client.create_employee(**hire(phone=first["phone"]))
        assert work_requests(client) == 0  # answered from the index, no list read again
    assert exc.value.field == "phone"
