"""Every client operation end-to-end against the in-process sandbox, asserting server state."""

from __future__ import annotations

from decimal import Decimal

import anyio
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import (
    AmbiguousMatchError,
    DuplicateError,
    InputValidationError,
    NotFoundError,
    TransportError,
)
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client

GENERAL_USER = frozenset({22})


def _posts(sb: Sandbox) -> int:
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path != "/login_check")


async def _warm(client: AsyncBackofficeClient) -> None:
    await client.list_sites()
    await client.list_pos_templates()
    await client.list_backoffice_templates()


def _work_requests(client: AsyncBackofficeClient) -> int:
    return client.transport.stats.total_without_login


# ------------------------------------------------------------------ discovery


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
    before = _work_requests(client)
    await client.list_sites()
    await client.list_departments()
    await client.list_pos_templates()
    await client.list_backoffice_templates()
    assert _work_requests(client) == before
    await client.list_sites(refresh=True)
    assert _work_requests(client) == before + 1


# ------------------------------------------------------------------ create_employee


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
    await _warm(client)
    client.transport.stats.reset()
    await client.create_employee(**hire())
    assert _work_requests(client) <= 4


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
    assert _posts(sb) == 0


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
    assert _posts(sb) == 0


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


# ------------------------------------------------------------------ disable_employee


async def test_disable_by_pos_user_id_in_four_requests(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await _warm(client)
    client.transport.stats.reset()
    result = await client.disable_employee(pos_user_id=created.pos_user_id)
    assert _work_requests(client) <= 4
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


# ------------------------------------------------------------------ backoffice users


async def test_linked_backoffice_user_in_four_requests(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(available_sites=["NOLO", "DKSN"]))
    await _warm(client)
    client.transport.stats.reset()
    user = await client.create_backoffice_user(
        username=f"linked_{created.employee_id}",
        email=created.email,
        permission="general user",
        link_to_employee_pos_user_id=str(created.pos_user_id),
    )
    assert _work_requests(client) <= 4
    stored = sb.state.users[user.user_id]
    assert stored.employee_id == created.employee_id
    assert stored.sites == frozenset({17, 18})  # the employee's sites by default
    general = next(t for t in await client.list_backoffice_templates() if t.name == "General User")
    assert stored.tokens == frozenset(general.tokens)
    assert stored.password == user.password
    assert len(user.password) >= 12


async def test_standalone_backoffice_user_gets_all_sites(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    user = await client.create_backoffice_user(
        username="district_mgr",
        email="dm@example.invalid",
        first_name="District",
        last_name="Manager",
        permission="Administrator",
        password="Longenough1",
    )
    stored = sb.state.users[user.user_id]
    assert stored.employee_id is None
    assert sb.state.site_ids_of(stored.sites) == (await client.get_site_tree()).site_ids
    assert stored.password == "Longenough1"
    disabled = await client.disable_backoffice_user(username="DISTRICT_MGR")
    assert sb.state.users[user.user_id].is_deleted
    assert disabled.user_id == user.user_id


async def test_linking_to_an_inactive_employee_is_refused_before_writing(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await client.disable_employee(pos_user_id=created.pos_user_id)
    users = len(sb.state.users)
    with pytest.raises(InputValidationError):
        await client.create_backoffice_user(
            username="late_link",
            permission="Manager",
            link_to_employee_pos_user_id=created.pos_user_id,
            email=created.email,
        )
    assert len(sb.state.users) == users


# ------------------------------------------------------------------ reads


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


# ------------------------------------------------------------------ modify_employee


async def test_modify_properties_template_and_wage(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id,
        new_last_name="Renamed",
        available_sites=["JKSN"],
        departments=["Management"],
        permission="Manager",
        wage_rate=Decimal("18"),
    )
    stored = sb.state.employees[created.employee_id]
    assert stored.last_name == "Renamed"
    assert stored.sites == frozenset({20})
    assert stored.department_ids == [4]
    manager = next(t for t in await client.list_pos_templates() if t.name == "Manager")
    assert stored.grants == manager.grants
    assert stored.wages[-1].rate == Decimal("18.00") or stored.wages[0].rate == Decimal("18.00")
    assert result.changes_applied == ("properties", "compensation", "permission")
    assert stored.active


async def test_modify_deactivate_and_reactivate(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    created = await client.create_employee(**hire())
    await client.modify_employee(pos_user_id=created.pos_user_id, activate=False)
    assert not sb.state.employees[created.employee_id].active
    result = await client.modify_employee(pos_user_id=created.pos_user_id, activate=True)
    assert sb.state.employees[created.employee_id].active
    assert result.changes_applied == ("activated",)


# ------------------------------------------------------------------ faults


async def test_session_expiry_mid_run(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    created = await client.create_employee(**hire())
    sb.expire_sessions()
    await client.disable_employee(pos_user_id=created.pos_user_id)
    assert not sb.state.employees[created.employee_id].active
    sb.expire_sessions()
    again = await client.create_employee(**hire())
    assert sb.state.employees[again.employee_id].active
    assert client.transport.stats.relogins >= 2


async def test_5xx_on_a_get_is_retried(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    await _warm(client)
    sb.faults.fail_next(method="GET", path="/employee", status=503)
    created = await client.create_employee(**hire())
    assert created.employee_id in sb.state.employees
    assert any(r.status == 503 for r in sb.request_log)


async def test_dropped_insert_after_apply_creates_no_duplicate(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await _warm(client)
    args = hire()
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=True)
    result = await client.create_employee(**args)
    holders = [e for e in sb.state.employees.values() if e.pos_user_id == args["pos_user_id"]]
    assert [e.id for e in holders] == [result.employee_id]
    assert holders[0].grants == GENERAL_USER  # the rest of the workflow ran
    inserts = [r for r in sb.request_log if r.method == "POST" and r.path == "/employee/insert"]
    assert len(inserts) == 1  # settled by reading, never resent


async def test_dropped_insert_before_apply_reports_not_applied(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await _warm(client)
    args = hire()
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=False)
    with pytest.raises(TransportError, match="not applied"):
        await client.create_employee(**args)
    assert sb.state.employee_by_pos_user_id(args["pos_user_id"]) is None
    # ... and trying again works.
    result = await client.create_employee(**args)
    assert sb.state.employees[result.employee_id].pos_user_id == args["pos_user_id"]


async def test_concurrent_expiries_cause_one_login_per_session(sb: Sandbox) -> None:
    async with make_client(sb, sessions=2) as client:
        await _warm(client)
        # Touch both sessions so each is logged in.
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(client.pos_user_id_exists, 1)
        logins_before = sum(1 for r in sb.request_log if r.path == "/login_check")
        sb.expire_sessions()
        async with anyio.create_task_group() as tg:
            for n in range(8):
                tg.start_soon(client.pos_user_id_exists, 100 + n)
        logins_after = sum(1 for r in sb.request_log if r.path == "/login_check")
        assert logins_before == 2
        assert logins_after - logins_before == 2


# ------------------------------------------------------------------ bulk


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
