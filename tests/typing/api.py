"""Type-checked by ``mypy --strict``, never run: the public API as users type it.

If a signature drifts (a sync twin returning a coroutine, a result model losing a field), mypy
fails here before a user notices.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, assert_type

import sonnys_async
from sonnys_async import (
    AsyncBackofficeClient,
    BackofficeClient,
    BulkSummary,
    Employee,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeSummary,
    Site,
)
from sonnys_async.sandbox import Sandbox

version: str = sonnys_async.__version__


async def async_usage(sandbox: Sandbox) -> None:
    async with AsyncBackofficeClient(
        sandbox.base_url,
        username=sandbox.username,
        password=sandbox.password,
        transport=sandbox.transport(),
    ) as client:
        assert_type(await client.list_sites(), list[Site])
        created = await client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="6155551234",
            email="jane@example.com",
            pos_user_id=50001,
            wage_rate=Decimal("15.50"),
            start_date=date(2026, 5, 1),
            available_sites=["FIESTA"],
            permission="General User",
        )
        assert_type(created, EmployeeCreated)
        assert_type(created.employee_id, int)
        assert_type(await client.disable_employee(pos_user_id=50001), EmployeeDisabled)
        assert_type(await client.get_employee(pos_user_id=50001), Employee)
        assert_type(await client.find_employee(first_name="Jane", last_name="Doe"), EmployeeSummary)
        assert_type(await client.pos_user_id_exists(50001), bool)
        async with client.create_employees([], max_at_once=2) as run:
            async for outcome in run:
                assert_type(outcome.result, EmployeeCreated | None)
        assert_type(run.summary, BulkSummary)


def sync_usage(sandbox: Sandbox) -> None:
    with BackofficeClient(
        sandbox.base_url,
        username=sandbox.username,
        password=sandbox.password,
        transport=sandbox.transport(),
    ) as client:
        assert_type(client.list_sites(), list[Site])
        assert_type(client.disable_employee(pos_user_id=50001), EmployeeDisabled)
        assert_type(client.pos_user_id_exists(50001), bool)
        for outcome in client.create_employees([], max_at_once=2):
            assert_type(outcome.status, Literal["ok", "failed", "unknown", "skipped"])
