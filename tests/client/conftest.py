"""Fixtures: an in-process sandbox per test (both tenant shapes) and a client bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions


@pytest.fixture(params=["hierarchical", "flat"])
def sb(request: pytest.FixtureRequest) -> Sandbox:
    return Sandbox(SandboxOptions(tenant=request.param, employees=30, bo_users=4, seed=3))


def make_client(sb: Sandbox, **kwargs: Any) -> AsyncBackofficeClient:
    """A client of ``sb`` that retries without waiting (``transport=`` may wrap the sandbox)."""
    kwargs.setdefault("transport", sb.transport())
    return AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        retry=RetryPolicy.no_wait(),
        **kwargs,
    )


@pytest.fixture
async def client(sb: Sandbox) -> AsyncIterator[AsyncBackofficeClient]:
    async with make_client(sb) as c:
        yield c


_counter = iter(range(1, 10_000))


def hire(**over: Any) -> dict[str, Any]:
    """Arguments of a valid create_employee call with unique POS id / e-mail / phone."""
    n = next(_counter)
    base: dict[str, Any] = {
        "first_name": "Test",
        "last_name": f"Hire{n}",
        "phone": f"615{7000000 + n:07d}",
        "email": f"hire{n}@example.invalid",
        "pos_user_id": 90000 + n,
        "wage_rate": Decimal("15.50"),
        "start_date": date(2026, 5, 1),
        "available_sites": ["Wash 37135", "fiesta"],  # long name + short code
        "permission": "General User",
    }
    base.update(over)
    return base
