"""Login, logout and sessions: cookie, expiry, one session per user, throttling, session lock."""

from __future__ import annotations

import anyio
import pytest

from sonnys_async.sandbox import FakeClock

from .helpers import (
    alerts,
    logged_in,
    login,
    make_sandbox,
    post,
)


async def test_unauthenticated_requests_redirect_to_login_and_cookie_is_issued():
    sb = make_sandbox()
    async with sb.client() as c:
        r = await c.get("/employee")
        assert r.status_code == 302
        assert r.headers["location"] == "/login"
        for header, value in (
            ("server", "Sonnys Controls"),
            ("cache-control", "max-age=0, must-revalidate, no-cache, no-store, private"),
            ("pragma", "no-cache"),
            ("strict-transport-security", "max-age=15768000"),
            ("x-content-type-options", "nosniff"),
            ("vary", "User-Agent"),
            ("content-type", "text/html; charset=UTF-8"),
        ):
            assert r.headers[header] == value
        assert r.headers["expires"] == r.headers["date"]
        assert "PHPSESSID" in c.cookies
        page = (await c.get("/login")).text
        assert 'name="_username"' in page
        assert 'name="_password"' in page
        r = await post(c, "/employee/insert", [("employee[firstName]", "x")])
        assert r.headers["location"] == "/login"
    assert not any(e.first_name == "x" for e in sb.state.employees.values())


async def test_login_success_failure_and_logout():
    sb = make_sandbox()
    async with sb.client() as c:
        await c.get("/login")
        sid = c.cookies["PHPSESSID"]
        r = await post(c, "/login_check", [("_username", sb.username), ("_password", "wrong")])
        assert r.headers["location"] == "/login"
        page = (await c.get("/login")).text
        assert alerts(page) == ("danger", ["Invalid credentials."])
        r = await post(c, "/login_check", [("_username", sb.username), ("_password", sb.password)])
        assert r.headers["location"] == "/"
        assert c.cookies["PHPSESSID"] == sid  # same cookie carries the session (§3.2)
        home = (await c.get("/")).text
        assert 'name="_username"' not in home
        assert "/logout" in home
        assert (await c.get("/logout")).headers["location"] == "/login"
        assert (await c.get("/employee")).headers["location"] == "/login"


async def test_login_throttle():
    sb = make_sandbox(login_throttle=(3, 60.0), clock=FakeClock())
    async with sb.client() as c:
        for _ in range(3):
            await post(c, "/login_check", [("_username", sb.username), ("_password", "bad")])
        r = await post(c, "/login_check", [("_username", sb.username), ("_password", sb.password)])
        assert r.headers["location"] == "/login"
        assert alerts((await c.get("/login")).text)[1] == [
            "Too many failed login attempts, please try again in 1 minute."
        ]
        sb.options.clock.advance(61)  # type: ignore[union-attr]
        r = await post(c, "/login_check", [("_username", sb.username), ("_password", sb.password)])
        assert r.headers["location"] == "/"


async def test_attempts_refused_while_throttled_keep_the_username_throttled():
    sb = make_sandbox(login_throttle=(3, 60.0), clock=FakeClock())
    clock = sb.options.clock
    bad = [("_username", sb.username), ("_password", "bad")]
    right = [("_username", sb.username), ("_password", sb.password)]
    async with sb.client() as c:
        for _ in range(3):
            await post(c, "/login_check", bad)
        for _ in range(3):  # one refused attempt every 20 s: never 3 in the last minute missing
            clock.advance(20)  # type: ignore[union-attr]
            await post(c, "/login_check", bad)
        clock.advance(1)  # type: ignore[union-attr]  # the three first failures are a minute old
        assert (await post(c, "/login_check", right)).headers["location"] == "/login"
        clock.advance(61)  # type: ignore[union-attr]
        assert (await post(c, "/login_check", right)).headers["location"] == "/"


async def test_idle_session_expiry_uses_injected_clock():
    clock = FakeClock()
    sb = make_sandbox(session_idle_timeout=300, clock=clock)
    async with logged_in(sb) as c:
        assert (await c.get("/employee")).status_code == 200
        clock.advance(299)
        assert (await c.get("/employee")).status_code == 200
        clock.advance(301)
        r = await c.get("/employee")
        assert r.headers["location"] == "/login"
        r = await post(c, "/employee/permissions/update", [("employeeId", "2")])
        assert r.headers["location"] == "/login"


async def test_session_max_requests_and_expire_sessions():
    sb = make_sandbox(session_max_requests=2)
    async with logged_in(sb) as c:
        assert (await c.get("/")).status_code == 200
        assert (await c.get("/")).status_code == 200
        assert (await c.get("/")).headers["location"] == "/login"
    sb2 = make_sandbox()
    async with logged_in(sb2) as c:
        sb2.expire_sessions()
        assert (await c.get("/")).headers["location"] == "/login"


async def test_single_session_per_user():
    sb = make_sandbox(single_session_per_user=True)
    first = await login(sb)
    second = await login(sb)
    try:
        assert (await second.get("/")).status_code == 200
        assert (await first.get("/")).headers["location"] == "/login"
    finally:
        await first.aclose()
        await second.aclose()


@pytest.mark.parametrize(("serialize", "expected_peak"), [(True, 1), (False, 5)])
async def test_requests_of_one_session_are_serialized(serialize, expected_peak):
    sb = make_sandbox(processing_ms=2, serialize_sessions=serialize)
    inside = 0
    peak = 0
    original = sb._handle

    async def counting(*args):
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        try:
            return await original(*args)
        finally:
            inside -= 1

    sb._handle = counting  # type: ignore[method-assign]
    statuses = []
    async with logged_in(sb) as c:

        async def one() -> None:
            statuses.append((await c.get("/")).status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(one)
    assert statuses == [200] * 5
    assert peak == expected_peak
