"""Injected faults: 5xx before or after applying, dropped connections, error rate, request log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import anyio
import httpx
import pytest

from .helpers import (
    alerts,
    logged_in,
    make_sandbox,
    post,
)


async def test_fail_next_and_request_log():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        sb.faults.fail_next("GET", "/employee", status=503)
        assert (await c.get("/employee")).status_code == 503
        assert (await c.get("/employee")).status_code == 200
    statuses = [(r.method, r.path, r.status) for r in sb.request_log]
    assert ("GET", "/employee", 503) in statuses
    assert statuses[-1] == ("GET", "/employee", 200)


@pytest.mark.parametrize("after_apply", [True, False])
async def test_fail_next_before_or_after_applying_a_post(after_apply):
    sb = make_sandbox()
    emp = sb.state.add_employee()
    body = [("employeeId", str(emp.id)), ("permissions[22][hasGrantAccess]", "1")]
    async with logged_in(sb) as c:
        sb.faults.fail_next(
            method="POST", path="/employee/permissions/update", status=502, after_apply=after_apply
        )
        r = await post(c, "/employee/permissions/update", body)
        assert r.status_code == 502
        assert "location" not in r.headers
        assert "set-cookie" not in r.headers
        assert (emp.grants == frozenset({22})) is after_apply
        # The fault is one-shot: the same POST now gets the ordinary 302.
        emp.grants = frozenset()
        r = await post(c, "/employee/permissions/update", body)
        assert (r.status_code, r.headers["location"]) == (302, "/employee")
        assert emp.grants == frozenset({22})
    logged = [(r.method, r.path, r.status) for r in sb.request_log if r.method == "POST"]
    assert logged[-2:] == [
        ("POST", "/employee/permissions/update", 502),
        ("POST", "/employee/permissions/update", 302),
    ]


async def test_fail_after_apply_keeps_the_write_and_its_flash():
    # The answer is lost but the server committed: the new record and its success alert exist.
    sb = make_sandbox()
    emp = sb.state.add_employee(sites={1, 2}, start_date=date(2025, 1, 1))
    body = [
        ("employeeId", str(emp.id)),
        ("wage[isHourly]", "1"),
        ("wage[regularRate]", "18.00"),
        ("wage[effectiveDate]", "02/01/2025"),
    ]
    async with logged_in(sb) as c:
        sb.faults.fail_next("POST", "/employee/compensation/update", 503, after_apply=True)
        r = await post(c, "/employee/compensation/update", body)
        assert r.status_code == 503
        assert [w.rate for w in emp.wages] == [Decimal("15.00"), Decimal("18.00")]
        page = (await c.get(f"/employee/compensation/{emp.id}")).text
        assert alerts(page)[0] == "success"


async def test_fail_after_apply_is_deterministic_and_counted():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        sb.faults.fail_next(None, "/employee", status=500, count=2, after_apply=True)
        codes = [(await c.get("/employee")).status_code for _ in range(3)]
    assert codes == [500, 500, 200]


@pytest.mark.parametrize("after_apply", [True, False])
async def test_drop_next_around_a_post(after_apply):
    sb = make_sandbox()
    emp = sb.state.add_employee()
    body = [("employeeId", str(emp.id)), ("permissions[22][hasGrantAccess]", "1")]
    async with logged_in(sb) as c:
        sb.faults.drop_next("POST", "/employee/permissions/update", after_apply=after_apply)
        with pytest.raises(httpx.RemoteProtocolError):
            await post(c, "/employee/permissions/update", body)
        assert (emp.grants == frozenset({22})) is after_apply
        sb.faults.drop_next("GET", None, kind="timeout")
        with pytest.raises(httpx.ReadTimeout):
            await c.get("/")
        assert (await c.get("/")).status_code == 200


async def test_error_rate_is_deterministic_per_seed():
    async def run(seed: int) -> list[int]:
        sb = make_sandbox(error_rate=0.3, seed=seed)
        out = []
        async with sb.client() as c:
            for _ in range(30):
                out.append((await c.get("/login")).status_code)
        return out

    first = await run(3)
    assert first == await run(3)
    assert 503 in first
    assert 200 in first


async def test_fault_and_latency_schedules_are_reproducible_per_seed(monkeypatch):
    delays: list[float] = []
    real_sleep = anyio.sleep

    async def recording_sleep(seconds: float) -> None:
        delays.append(round(seconds, 9))
        await real_sleep(0)

    monkeypatch.setattr(anyio, "sleep", recording_sleep)

    async def run(seed: int) -> tuple[list[int], list[float]]:
        delays.clear()
        sb = make_sandbox(seed=seed, error_rate=0.3, latency_ms=1.0, jitter_ms=5.0)
        statuses = []
        async with sb.client() as c:
            for _ in range(25):
                statuses.append((await c.get("/login")).status_code)
        return statuses, list(delays)

    first, second, third = await run(5), await run(5), await run(6)
    assert first == second
    assert first != third
    assert 503 in first[0]
    assert len(set(first[1])) > 1  # jitter varies per request
    assert all(1.0 / 1000 <= d < 6.0 / 1000 for d in first[1])
