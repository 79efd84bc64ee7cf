"""The seed documents' user scripts (reference-library calls) work unchanged but for the import.

Async: the same calls with ``await``. Sync: ``BackofficeClient`` with the same keywords.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.sync import BackofficeClient

from .conftest import make_client


async def _find_free_pos_id(client: AsyncBackofficeClient, preferred: int | None = None) -> int:
    if preferred is not None and await client.is_pos_user_id_available(preferred):
        return preferred
    for _ in range(100):
        candidate = random.randint(10000, 99999)
        if await client.is_pos_user_id_available(candidate):
            return candidate
    raise RuntimeError("could not find a free POS User ID after 100 attempts")


async def test_seed_onboard_new_hire_async() -> None:
    sb = Sandbox(SandboxOptions(employees=20, bo_users=3, seed=11))
    async with make_client(sb) as client:
        pos_user_id = await _find_free_pos_id(client, preferred=50001)
        result = await client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="6155551234",
            email="jane.doe@example.com",
            pos_user_id=pos_user_id,
            wage_rate=Decimal("15.50"),
            start_date=datetime(2026, 5, 1),
            available_sites=["Wash 37135"],
            permission="General User",
            emergency_contact_name="John Doe",
            emergency_contact_phone="6155559999",
            requires_backoffice=True,
            backoffice_username="janedoe",
        )
        lines = [
            f"Employee created: {result.first_name} {result.last_name}",
            f" Employee ID: {result.employee_id}",
            f" POS User ID: {result.pos_user_id}",
            f" POS PIN: {result.pos_pin}",
            f" Wage site: {result.wage_site}",
            f" Role: {result.permission_applied}",
            f" Backoffice user ID: {result.backoffice_user_id}",
            f" Backoffice username: {result.backoffice_username}",
            f" Backoffice password: {result.backoffice_password}",
            *[f" WARNING: {w}" for w in result.warnings],
        ]
    assert "Wage site: Wash 37135" in "\n".join(lines)
    assert result.warnings == ()  # no "deferred to Milestone 2" note: the template is applied
    user = sb.state.users[result.backoffice_user_id or 0]
    assert user.username == "janedoe"
    assert user.template_id is not None
    stored = sb.state.employees[result.employee_id]
    assert stored.pos_user_id == 50001
    assert stored.emergency_contact_name == "John Doe"


def test_seed_quickstart_and_backoffice_users_sync() -> None:
    sb = Sandbox(SandboxOptions(employees=20, bo_users=3, seed=12))
    with BackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
    ) as client:
        assert client.is_pos_user_id_available(12345)
        assert client.is_email_available("jane.doe@example.com")
        result = client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="6155551234",
            email="jane.doe@example.com",
            pos_user_id=12345,
            wage_rate=Decimal("15.50"),
            start_date=datetime(2026, 5, 1),
            available_sites=["Wash 37135"],
            permission="General User",
        )
        assert not client.is_pos_user_id_available(12345)
        assert not client.is_email_available("jane.doe@example.com")
        linked = client.create_backoffice_user(
            username="janedoe",
            email="jane.doe@example.com",
            permission="Manager",
            link_to_employee_pos_user_id="12345",
        )
        standalone = client.create_backoffice_user(
            username="districtmgr",
            email="dm@example.com",
            first_name="District",
            last_name="Manager",
            permission="Administrator",
        )
        client.disable_employee(pos_user_id=12345)
    assert sb.state.users[linked.user_id].employee_id == result.employee_id
    assert sb.state.users[standalone.user_id].employee_id is None
    assert not sb.state.employees[result.employee_id].active
