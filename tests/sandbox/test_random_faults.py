"""Rate-driven faults of SandboxOptions: drops before/after applying, delayed POSTs, spikes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import anyio
import anyio.lowlevel
import httpx
import pytest
import uvicorn

from sonnys_async.sandbox import Sandbox

from .helpers import FORM_CT, insert_body, logged_in, make_sandbox, post


def _pos_ids(sb: Sandbox) -> set[int]:
    return {e.pos_user_id for e in sb.state.employees.values()}


@contextmanager
def served(sb: Sandbox) -> Iterator[str]:
    """The sandbox served by uvicorn in a thread on a free 127.0.0.1 port; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        sb.app, host="127.0.0.1", port=port, log_level="critical", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(500):  # poll readiness with a bound; no blind sleep
        if server.started:
            break
        ready.wait(0.01)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _sync_login(c: httpx.Client, sb: Sandbox) -> None:
    c.get("/login")
    r = c.post(
        "/login_check",
        content=urlencode({"_username": sb.username, "_password": sb.password}),
        headers=FORM_CT,
    )
    assert r.headers["location"] == "/"


@pytest.mark.parametrize("after_apply", [False, True])
async def test_drop_rates_drop_every_post_before_or_after_applying(after_apply):
    sb = make_sandbox(**{"drop_rate_after" if after_apply else "drop_rate_before": 1.0})
    async with sb.client() as c:
        assert (await c.get("/login")).status_code == 200  # GETs are never dropped by the rates
        with pytest.raises(httpx.RemoteProtocolError):
            await post(c, "/login_check", [("_username", sb.username), ("_password", sb.password)])
        # Dropped after applying, the login stands; dropped before, it never happened.
        r = await c.get("/employee")
        assert (r.status_code == 200) is after_apply
    assert sb.counters.faults["drop_after" if after_apply else "drop_before"] == 1
    logged = [r.status for r in sb.request_log if r.path == "/login_check"]
    assert logged == ([302] if after_apply else [0])


@pytest.mark.parametrize("after_apply", [False, True])
async def test_a_dropped_insert_is_applied_only_after_apply(after_apply):
    sb = make_sandbox(**{"drop_rate_after" if after_apply else "drop_rate_before": 1.0})
    async with sb.client() as c:
        await c.get("/login")
        # One fault per request: a queued after-apply 503 logs in and is not also dropped.
        sb.faults.fail_next("POST", "/login_check", status=503, after_apply=True)
        r = await post(c, "/login_check", [("_username", sb.username), ("_password", sb.password)])
        assert r.status_code == 503
        with pytest.raises(httpx.RemoteProtocolError):
            await post(c, "/employee/insert", insert_body("770001"))
    assert (770001 in _pos_ids(sb)) is after_apply


async def test_drop_rates_are_deterministic_per_seed():
    async def run(seed: int) -> list[bool]:
        sb = make_sandbox(seed=seed, drop_rate_before=0.2, drop_rate_after=0.2)
        dropped = []
        async with sb.client() as c:
            for _ in range(40):
                try:
                    await post(c, "/login_check", [("_username", "x"), ("_password", "y")])
                    dropped.append(False)
                except httpx.RemoteProtocolError:
                    dropped.append(True)
        return dropped

    first = await run(11)
    assert first == await run(11)
    assert first != await run(12)
    assert 4 <= sum(first) <= 30


def test_served_drops_are_dropped_connections_not_500s():
    sb = make_sandbox(drop_rate_after=1.0)
    with served(sb) as base, httpx.Client(base_url=base) as c:
        c.get("/login")
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(
                "/login_check",
                content=urlencode({"_username": sb.username, "_password": sb.password}),
                headers=FORM_CT,
            )
        # The drop came after applying: the session is logged in.
        assert c.get("/employee").status_code == 200
    assert sb.counters.faults["drop_after"] == 1


def test_a_delayed_post_lands_after_the_client_gave_up_and_after_its_read():
    sb = make_sandbox(post_delay_rate=1.0, post_delay_ms=600, admin=True)
    with served(sb) as base, httpx.Client(base_url=base, timeout=5) as c:
        _sync_login(c, sb)  # the login POST is held 600 ms too, within this timeout
        with pytest.raises(httpx.ReadTimeout):
            c.post(
                "/employee/insert",
                content=urlencode(insert_body("770002")),
                headers=FORM_CT,
                timeout=0.15,
            )
        # The client's read, made while the POST is still in the network, misses it.
        listing = c.get("/employee", params={"posUserId": "770002"})
        assert listing.status_code == 200
        assert 770002 not in _pos_ids(sb)
        counters = c.get("/_sandbox/counters").json()["counters"]
        assert counters["delayed_pending"] == 1
        # Then it lands (polled with a bound, no fixed sleep).
        for _ in range(500):
            counters = c.get("/_sandbox/counters").json()["counters"]
            if counters["delayed_pending"] == 0:
                break
            threading.Event().wait(0.01)
        assert counters["delayed_pending"] == 0
        assert counters["faults"]["post_delay"] == 2
    assert 770002 in _pos_ids(sb)


async def test_a_delayed_post_is_held_before_the_session_lock_in_process():
    sb = make_sandbox(post_delay_rate=1.0, post_delay_ms=300)
    async with logged_in(sb) as c, anyio.create_task_group() as tg:
        tg.start_soon(post, c, "/employee/insert", insert_body("770003"))
        while sb.counters.delayed_pending == 0:
            await anyio.lowlevel.checkpoint()
        # Held before the server received it: nothing applied, the session lock is free.
        assert 770003 not in _pos_ids(sb)
        assert (await c.get("/employee")).status_code == 200
        assert sb.counters.delayed_pending == 1
    assert 770003 in _pos_ids(sb)
    assert sb.counters.faults["post_delay"] == 2  # the login, then the insert


async def test_latency_spikes_hit_a_seeded_share_of_requests(monkeypatch):
    slept: list[float] = []
    real_sleep = anyio.sleep

    async def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(anyio, "sleep", recording_sleep)

    async def run(seed: int) -> list[int]:
        sb = make_sandbox(seed=seed, spike_rate=0.3, spike_ms=1500)
        spiked = []
        async with sb.client() as c:
            for _ in range(40):
                before = len(slept)
                await c.get("/login")
                spiked.append(len(slept) - before)
        assert sb.counters.faults["spike"] == sum(spiked)
        return spiked

    first = await run(4)
    assert first == await run(4)
    assert 3 <= sum(first) <= 25
    assert set(slept) == {1.5}


async def test_rates_at_zero_leave_error_rate_and_jitter_sequences_unchanged():
    async def statuses(**extra: float) -> list[int]:
        sb = make_sandbox(seed=9, error_rate=0.3, **extra)
        async with sb.client() as c:
            return [(await c.get("/login")).status_code for _ in range(30)]

    assert await statuses() == await statuses(spike_rate=0.5, spike_ms=0.0)


async def test_delayed_posts_are_a_seeded_share_of_posts_only(monkeypatch):
    held: list[float] = []
    real_sleep = anyio.sleep

    async def recording_sleep(seconds: float) -> None:
        held.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(anyio, "sleep", recording_sleep)

    async def run(seed: int) -> list[bool]:
        sb = make_sandbox(seed=seed, post_delay_rate=0.3, post_delay_ms=31_000)
        delayed = []
        async with sb.client() as c:
            for _ in range(30):
                before = len(held)
                await c.get("/login")  # never held
                await post(c, "/login_check", [("_username", "x"), ("_password", "y")])
                delayed.append(len(held) > before)
        assert sb.counters.faults["post_delay"] == sum(delayed)
        assert sb.counters.delayed_pending == 0
        return delayed

    first = await run(8)
    assert first == await run(8)
    assert first != await run(9)
    assert 2 <= sum(first) <= 20
    assert set(held) == {31.0}


async def test_post_delay_limit_caps_the_delayed_posts(monkeypatch):
    async def no_sleep(seconds: float) -> None:
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(anyio, "sleep", no_sleep)
    sb = make_sandbox(post_delay_rate=1.0, post_delay_ms=31_000, post_delay_limit=2)
    async with sb.client() as c:
        for _ in range(5):
            await post(c, "/login_check", [("_username", "x"), ("_password", "y")])
    assert sb.counters.faults["post_delay"] == 2
