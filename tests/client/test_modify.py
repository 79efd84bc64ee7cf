"""modify_employee: properties, wage records, template and (de)activation, each verified."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import (
    FormRejectedError,
    InputValidationError,
    WriteNotVerifiedError,
)
from sonnys_async.sandbox import Sandbox
from sonnys_async.sandbox.state import StoredWage

from .conftest import hire, make_client
from .helpers import Hook, Pairs, fail_reads_after


def _no_overtime(pairs: Pairs) -> Pairs:
    return [(k, v) for k, v in pairs if k not in ("wage[isOvertimeEligible]", "wage[overtimeRate]")]


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


async def test_wage_date_is_clamped_with_a_warning(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(start_date=date.today()))
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id,
        wage_rate=Decimal("20"),
        wage_effective_date=date.today() - timedelta(days=30),
    )
    assert result.wage_effective_date == date.today() + timedelta(days=1)
    assert result.warnings
    stored = sb.state.employees[created.employee_id]
    current = [w for w in stored.wages if w.end_date is None]
    assert [w.rate for w in current] == [Decimal("20.00")]


async def test_overtime_alone_adds_a_wage_record(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(start_date=date.today(), wage_rate=10))
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id, overtime_wage_rate=Decimal("16")
    )
    assert result.changes_applied == ("compensation",)
    current = [w for w in sb.state.employees[created.employee_id].wages if w.end_date is None]
    assert current[0].rate == Decimal("10.00")
    assert current[0].overtime_rate == Decimal("16.00")


async def test_wage_record_without_its_overtime_does_not_verify(sb: Sandbox) -> None:
    async with make_client(sb) as setup:
        created = await setup.create_employee(**hire())
    hook = Hook(sb.transport(), "/employee/compensation/update", rewrite=_no_overtime)
    async with make_client(sb, transport=hook) as client:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.modify_employee(pos_user_id=created.pos_user_id, wage_rate="19.00")
    assert exc.value.what == "compensation"
    current = next(w for w in sb.state.employees[created.employee_id].wages if w.end_date is None)
    assert current.rate == Decimal("19.00")
    assert not current.overtime_eligible  # the server stored what it got; the client noticed


async def test_wage_redirect_to_another_employee_is_not_success(sb: Sandbox) -> None:
    async with make_client(sb) as setup:
        mine = await setup.create_employee(**hire())
        other = await setup.create_employee(**hire())
    mine_before = list(sb.state.employees[mine.employee_id].wages)

    def misdirect(pairs: Pairs) -> Pairs:
        return [(k, str(other.employee_id) if k == "employeeId" else v) for k, v in pairs]

    hook = Hook(sb.transport(), "/employee/compensation/update", rewrite=misdirect)
    async with make_client(sb, transport=hook) as client:
        with pytest.raises(FormRejectedError):
            await client.modify_employee(
                pos_user_id=mine.pos_user_id, wage_rate="19.00", verify=False
            )
    assert sb.state.employees[mine.employee_id].wages == mine_before
    assert any(w.rate == Decimal("19.00") for w in sb.state.employees[other.employee_id].wages)


async def test_silently_dropped_wage_record_raises(sb: Sandbox) -> None:
    # A later record appears between the client's read and its write: the server (default:
    # silent drop, §9.3/§16.5) answers success and stores nothing.
    async with make_client(sb) as setup:
        created = await setup.create_employee(**hire())
    emp = sb.state.employees[created.employee_id]

    def later_record() -> None:
        latest = max(w.effective_date for w in emp.wages)
        for w in emp.wages:
            if w.end_date is None:
                w.end_date = latest + timedelta(days=3650)
        emp.wages.append(
            StoredWage(
                latest + timedelta(days=3650), None, True, Decimal("30.00"), False, None, None
            )
        )

    hook = Hook(sb.transport(), "/employee/compensation/update", before=later_record)
    async with make_client(sb, transport=hook) as client:
        with pytest.raises(WriteNotVerifiedError):
            await client.modify_employee(pos_user_id=created.pos_user_id, wage_rate="19.00")
    assert not any(w.rate == Decimal("19.00") for w in emp.wages)


async def test_wage_change_of_a_salaried_employee_is_refused_before_any_write(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    emp = sb.state.employees[created.employee_id]
    current = next(w for w in emp.wages if w.end_date is None)
    current.is_hourly = False
    wages_before = [dataclasses.replace(w) for w in emp.wages]
    with pytest.raises(InputValidationError, match="salaried"):
        await client.modify_employee(
            pos_user_id=created.pos_user_id, new_first_name="Renamed", wage_rate="25.00"
        )
    assert emp.wages == wages_before
    assert not next(w for w in emp.wages if w.end_date is None).is_hourly
    assert emp.first_name == "Test"  # the properties were not written either


async def test_a_wage_whose_read_back_fails_is_reported_applied_not_verified(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire(start_date=date.today()))
    path = f"/employee/compensation/{created.employee_id}"
    hook = fail_reads_after(sb, "/employee/compensation/update", path)
    async with make_client(sb, transport=hook) as client:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.modify_employee(pos_user_id=created.pos_user_id, wage_rate="19.75")
    assert exc.value.what == "compensation"
    assert "accepted by the server" in str(exc.value)
    rates = [w.rate for w in sb.state.employees[created.employee_id].wages]
    assert rates.count(Decimal("19.75")) == 1
