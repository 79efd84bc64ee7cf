"""The session pool: one login per session, spreading, thrash detection, the per-session gate."""

from __future__ import annotations

import logging

import anyio
import pytest
from transport_fakes import BASE, FakeBackoffice, make_transport

from sonnys_async._transport import Transport
from sonnys_async._transport.gate import SessionGate

# --------------------------------------------------------------------------- session pool


async def test_pool_logs_in_each_session_and_spreads_requests(fake: FakeBackoffice) -> None:
    fake.yields = 2
    async with make_transport(fake, sessions=3) as t:
        await t.login()
        assert t.stats.logins == 3
        async with anyio.create_task_group() as tg:
            for i in range(9):
                tg.start_soon(t.get, f"/employee/edit/{i}")
        assert t.sessions == 3
    assert sorted(fake.page_sessions.count(s) for s in set(fake.page_sessions)) == [3, 3, 3]


async def test_pool_survives_an_ordinary_expiry(fake: FakeBackoffice) -> None:
    async with make_transport(fake, sessions=2) as t:
        for i in range(4):
            await t.get(f"/employee/edit/{i}")
        fake.expire_all()
        for i in range(4):
            await t.get(f"/employee/edit/{i}")
        assert t.sessions == 2
    assert t.stats.logins == 4


async def test_pool_thrash_shrinks_to_one_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="sonnys_async")
    fake = FakeBackoffice(single_session=True)
    async with make_transport(fake, sessions=3) as t:
        for i in range(20):
            assert (await t.get(f"/employee/edit/{i}")).status == 200
        logins_after_shrink = t.stats.logins
        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(t.get, f"/employee/edit/{i}")
        assert t.sessions == 1
        assert t.stats.logins == logins_after_shrink  # stable: no more login loops
    assert logins_after_shrink <= 3 + 4
    assert caplog.text.count("ends older sessions") == 1


def test_pool_needs_a_session() -> None:
    with pytest.raises(ValueError, match="sessions"):
        Transport(base_url=BASE, username="u", password="p", sessions=0)


# --------------------------------------------------------------------------- session gate


async def test_gate_exclusive_waits_for_readers_and_holds_new_ones_back() -> None:
    gate = SessionGate()
    order: list[str] = []
    reader_in = anyio.Event()
    release_reader = anyio.Event()

    async def first_reader() -> None:
        async with gate.shared():
            reader_in.set()
            await release_reader.wait()
            order.append("reader 1 out")

    async def writer() -> None:
        async with gate.exclusive():
            order.append("writer in")

    async def late_reader() -> None:
        async with gate.shared():
            order.append("reader 2 in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(first_reader)
        await reader_in.wait()
        tg.start_soon(writer)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(late_reader)
        await anyio.wait_all_tasks_blocked()
        assert order == []  # the writer waits for reader 1; reader 2 waits for the writer
        release_reader.set()
    assert order == ["reader 1 out", "writer in", "reader 2 in"]


async def test_gate_cancelled_writer_releases_waiting_readers() -> None:
    gate = SessionGate()
    entered: list[str] = []
    hold = anyio.Event()
    writer_scope = anyio.CancelScope()

    async def reader(name: str) -> None:
        async with gate.shared():
            entered.append(name)
            if name == "r1":
                await hold.wait()

    async def writer() -> None:
        with writer_scope:
            async with gate.exclusive():
                entered.append("writer")

    async with anyio.create_task_group() as tg:
        tg.start_soon(reader, "r1")
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(writer)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(reader, "r2")
        await anyio.wait_all_tasks_blocked()
        assert entered == ["r1"]  # r2 waits behind the waiting writer
        writer_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        assert entered == ["r1", "r2"]  # the cancelled writer let r2 in while r1 still reads
        hold.set()
