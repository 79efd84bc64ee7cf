"""The transport end to end against the sandbox: login, expiry, thrash, throttle and faults."""

from __future__ import annotations

import logging

import anyio
import pytest

from sonnys_async._transport import AmbiguousWriteError, RetryPolicy, Transport
from sonnys_async.errors import AuthenticationError
from sonnys_async.sandbox import Sandbox, SandboxOptions


def transport_for(sb: Sandbox, **kwargs: object) -> Transport:
    kwargs.setdefault("password", sb.password)
    return Transport(
        base_url=sb.base_url,
        username=sb.username,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_login_and_a_page() -> None:
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1))
    async with transport_for(sb) as t:
        resp = await t.get("/employee")
    assert resp.status == 200
    assert 'name="_username"' not in resp.text
    assert t.stats.logins == 1


async def test_wrong_password_reports_the_sandbox_alert() -> None:
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1))
    async with transport_for(sb, password="nope-nope") as t:
        with pytest.raises(AuthenticationError, match=r"Invalid credentials\."):
            await t.login()


async def test_a_throttled_login_is_a_refusal_tried_once() -> None:
    # Another client with a wrong password trips the throttle; ours, with the right one, is then
    # refused with the server's throttle message, and does not try again.
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1, login_throttle=(1, 60.0)))
    async with transport_for(sb, password="nope-nope") as intruder:
        with pytest.raises(AuthenticationError, match=r"Invalid credentials\."):
            await intruder.login()
    async with transport_for(sb) as t:
        for _ in range(3):
            with pytest.raises(AuthenticationError, match="Too many failed login attempts"):
                await t.get("/employee")
    login_checks = [r for r in sb.request_log if r.path == "/login_check"]
    assert len(login_checks) == 2  # the intruder's and ours, once


async def test_expired_sessions_relogin_once_per_session() -> None:
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1))
    async with transport_for(sb, sessions=2) as t:
        await t.login()
        sb.expire_sessions()
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(t.get, "/employee")
    assert t.stats.logins == 4  # two initial logins, one re-login per session
    assert t.sessions == 2


async def test_single_session_server_shrinks_the_pool(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="sonnys_async")
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1, single_session_per_user=True))
    async with transport_for(sb, sessions=3) as t:
        for _ in range(12):
            assert (await t.get("/employee")).status == 200
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(t.get, "/employee")
    assert t.sessions == 1
    assert t.stats.logins <= 8
    assert caplog.text.count("ends older sessions") == 1


async def test_get_survives_a_503_and_post_drop_is_ambiguous() -> None:
    sb = Sandbox(SandboxOptions(employees=5, bo_users=1))
    async with transport_for(sb) as t:
        await t.login()
        sb.faults.fail_next(method="GET", path="/employee", status=503, count=1)
        assert (await t.get("/employee")).status == 200
        assert t.stats.retries == 1
        sb.faults.drop_next(method="POST", path="/employee/update", after_apply=False, count=1)
        with pytest.raises(AmbiguousWriteError):
            await t.post_form("/employee/update", [("employee[id]", "1")])


async def test_late_answers_from_an_expired_session_do_not_undo_the_new_login() -> None:
    # With latency jitter, answers to requests sent with the expired cookie arrive after another
    # task logged in again; each carries the server's new *anonymous* cookie. Letting it replace
    # the fresh login's cookie would make later replays bounce and fail.
    sb = Sandbox(SandboxOptions(employees=30, bo_users=4, seed=3, jitter_ms=20.0))
    async with transport_for(sb) as t:
        await t.get("/employee/create")
        failures: list[BaseException] = []
        for _ in range(3):
            sb.expire_sessions()

            async def one() -> None:
                try:
                    await t.get("/employee", [("limit", 1)])
                except AuthenticationError as exc:
                    failures.append(exc)

            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(one)
    assert failures == []
    assert t.stats.logins == 4  # the first login and exactly one per expiry
