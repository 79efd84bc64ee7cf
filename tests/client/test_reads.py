"""Discovery, roster reads and searches, lookups and employee snapshots."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import (
    AmbiguousMatchError,
    NotFoundError,
)
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import GENERAL_USER, work_requests


async def test_discovery_reads_the_tenant(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    tree = await client.get_site_tree()
    assert tree.hierarchical == (sb.options.tenant == "hierarchical")
    sites = await client.list_sites()
    assert {s.id for s in sites} == tree.site_ids
    assert {s.code for s in sites} >= {"NOLO", "FIESTA", "BurbT2"}
    assert [d.name for d in await client.list_departments()] == [
        "Cashier",
        "Greeter",
        "Line",
        "Management",
    ] or {d.name for d in await client.list_departments()} == {
        "Cashier",
        "Greeter",
        "Line",
        "Management",
    }
    pos = {t.name: t for t in await client.list_permissions(scope="pos")}
    assert pos["General User"].grants == GENERAL_USER
    bo = {t.name for t in await client.list_permissions(scope="backoffice")}
    assert {"Administrator", "Manager", "General User"} <= bo
    # Cached: a second round sends nothing.
    before = work_requests(client)
    await client.list_sites()
    await client.list_departments()
    await client.list_pos_templates()
    await client.list_backoffice_templates()
    assert work_requests(client) == before
    await client.list_sites(refresh=True)
    assert work_requests(client) == before + 1


async def test_lookups(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    created = await client.create_employee(**hire(first_name="Lookup", last_name="Target"))
    assert await client.pos_user_id_exists(created.pos_user_id)
    assert not await client.is_pos_user_id_available(created.pos_user_id)
    assert await client.is_pos_user_id_available(99_999_999)
    assert not await client.is_email_available(created.email.upper())
    assert await client.is_email_available("free-address@example.invalid")
    stored = sb.state.employees[created.employee_id]
    assert not await client.is_phone_available(stored.phone)
    assert await client.is_phone_available("(999) 111-2233")
    found = await client.find_employee(first_name="lookup", last_name="target")
    assert found.employee_id == created.employee_id
    rows = await client.search_employees(pos_user_id=created.pos_user_id)
    assert [r.employee_id for r in rows] == [created.employee_id]
    everyone = await client.list_employees(active="all")
    assert {e.employee_id for e in everyone} >= {created.employee_id}


async def test_find_employee_ambiguity_and_phone_tiebreak(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    a = await client.create_employee(**hire(first_name="Same", last_name="Name"))
    b = await client.create_employee(**hire(first_name="Same", last_name="Name"))
    with pytest.raises(AmbiguousMatchError) as exc:
        await client.find_employee(first_name="Same", last_name="Name")
    assert len(exc.value.candidates) == 2
    phone_b = sb.state.employees[b.employee_id].phone
    found = await client.find_employee(first_name="Same", last_name="Name", phone=phone_b)
    assert found.employee_id == b.employee_id
    assert a.employee_id != b.employee_id
    with pytest.raises(NotFoundError):
        await client.find_employee(first_name="Nobody", last_name="Here")


async def test_get_employee(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    created = await client.create_employee(**hire(permission="CSA", wage_rate="12.00"))
    emp = await client.get_employee(pos_user_id=created.pos_user_id)
    assert emp.employee_id == created.employee_id
    assert emp.pos_pin == created.pos_pin
    assert str(created.pos_pin) not in repr(emp)
    assert emp.available_site_ids == frozenset({17, 1})
    assert emp.is_active
    assert emp.current_wage is not None
    assert emp.current_wage.rate == Decimal("12.00")
    assert emp.permission.template_name == "CSA"
    assert not emp.permission.is_custom
    by_email = await client.get_employee_profile(email=created.email)
    assert by_email.employee_id == created.employee_id


async def test_list_employees_follows_every_page(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sonnys_async._services.roster as reads_module

    monkeypatch.setattr(reads_module, "ROSTER_LIMIT", 7)
    async with make_client(sb) as client:
        everyone = await client.list_employees(active="all")
    listed = {e.employee_id for e in everyone}
    stored_with_sites = {e.id for e in sb.state.employees.values() if sb.state.site_ids_of(e.sites)}
    assert listed == stored_with_sites
    assert len(everyone) == len(listed)  # no page read twice
    assert len(listed) > 7


async def test_backoffice_username_availability(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    taken = next(iter(sb.state.users.values())).username
    assert not await client.is_backoffice_username_available(taken)
    assert not await client.is_backoffice_username_available(taken.upper())
    assert await client.is_backoffice_username_available("nobody_has_this_name")
