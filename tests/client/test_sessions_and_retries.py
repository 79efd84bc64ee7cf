"""Expired sessions, re-login and GET retries, seen through client operations."""

from __future__ import annotations

import anyio
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, warm


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
    await warm(client)
    sb.faults.fail_next(method="GET", path="/employee", status=503)
    created = await client.create_employee(**hire())
    assert created.employee_id in sb.state.employees
    assert any(r.status == 503 for r in sb.request_log)


async def test_concurrent_expiries_cause_one_login_per_session(sb: Sandbox) -> None:
    async with make_client(sb, sessions=2) as client:
        await warm(client)
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


@pytest.mark.parametrize("path", ["/employee/insert", "/employee/permissions/update"])
async def test_expiry_right_before_a_post_replays_it_once(sb: Sandbox, path: str) -> None:
    transport = Hook(sb.transport(), path, before=sb.expire_sessions, once=True)
    async with AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=transport,
        retry=RetryPolicy.no_wait(),
    ) as client:
        args = hire()
        result = await client.create_employee(**args)
    assert transport.fired == 1
    holders = [e for e in sb.state.employees.values() if e.pos_user_id == args["pos_user_id"]]
    assert [e.id for e in holders] == [result.employee_id]
    assert holders[0].grants == frozenset({22})
    posts = [r for r in sb.request_log if r.method == "POST" and r.path == path]
    assert len(posts) == 2  # the bounced one (nothing applied) and its single replay
    assert posts[0].status == 302
