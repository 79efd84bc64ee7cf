"""Type-checked by ``mypy --strict``, never run: a reference-library script on
``sonnys_async.compat``, and the testing helpers, as users type them."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from typing import assert_type

from sonnys_async import AsyncBackofficeClient, BackofficeClient
from sonnys_async.compat import (
    BackofficeServerError,
    BackofficeUserCreated,
    DuplicateError,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeModified,
    Permission,
    SonnysBackofficeClient,
    SonnysBackofficeError,
    ValidationError,
)
from sonnys_async.sandbox import Sandbox
from sonnys_async.testing import route_to, sandbox_env, serve_sandbox


def reference_script() -> None:
    with SonnysBackofficeClient(
        subdomain=os.environ["SONNYS_SUBDOMAIN"],
        username=os.environ["SONNYS_BOT_USERNAME"],
        password=os.environ["SONNYS_BOT_PASSWORD"],
        timeout=10.0,
    ) as client:
        assert_type(client.is_pos_user_id_available(50001), bool)
        try:
            created = client.create_employee(
                first_name="Jane",
                last_name="Doe",
                phone="6155551234",
                email="jane.doe@example.com",
                pos_user_id=50001,
                wage_rate=Decimal("15.50"),
                start_date=datetime(2026, 5, 1),
                available_sites=["Wash 37135"],
                permission="General User",
                requires_backoffice=True,
                backoffice_username="janedoe",
            )
        except (DuplicateError, ValidationError, BackofficeServerError, SonnysBackofficeError):
            raise
        assert_type(created, EmployeeCreated)
        assert_type(client.list_permissions(scope="pos"), list[Permission])
        assert_type(client.modify_employee(pos_user_id=50001, first_name="Janet"), EmployeeModified)
        assert_type(client.disable_employee(pos_user_id=50001), EmployeeDisabled)
        user = client.create_backoffice_user(
            username="districtmgr",
            email="dm@example.com",
            first_name="District",
            last_name="Manager",
            permission="Administrator",
        )
        assert_type(user, BackofficeUserCreated)
        assert_type(user.warnings, tuple[str, ...])
        assert_type(client.client, BackofficeClient)


async def routed(sandbox: Sandbox) -> None:
    with route_to(sandbox), route_to(sandbox.transport):
        async with AsyncBackofficeClient.from_env() as client:
            await client.list_sites()
    assert_type(sandbox_env(sandbox), dict[str, str])
    with serve_sandbox(sandbox) as url:
        assert_type(url, str)
