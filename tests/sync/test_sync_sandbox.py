"""The sync facade against the in-process sandbox: three calling contexts, errors, bulk streams."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.errors import AuthenticationError, InputValidationError, NotFoundError
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.sync import BackofficeClient, BlockingBulk


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(SandboxOptions(employees=20, bo_users=3, seed=5))


def make(sb: Sandbox, **kwargs: Any) -> BackofficeClient:
    kwargs.setdefault("password", sb.password)
    return BackofficeClient(
        sb.base_url,
        username=sb.username,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
        **kwargs,
    )


def hire(n: int) -> dict[str, Any]:
    return {
        "first_name": "Sync",
        "last_name": f"Hire{n}",
        "phone": f"615{8000000 + n:07d}",
        "email": f"sync{n}@example.invalid",
        "pos_user_id": 91000 + n,
        "wage_rate": Decimal("14.25"),
        "start_date": date(2026, 5, 1),
        "available_sites": "all",
        "permission": "General User",
    }


def test_plain_script(sb: Sandbox) -> None:
    with make(sb) as client:
        sites = client.list_sites()
        created = client.create_employee(**hire(1))
        assert not client.is_pos_user_id_available(91001)
        assert client.transport.stats.logins == 1
    assert sites
    stored = sb.state.employees[created.employee_id]
    assert stored.last_name == "Hire1"
    assert stored.pos_user_id == 91001


async def test_same_answers_as_the_async_client(sb: Sandbox) -> None:
    async with AsyncBackofficeClient(
        sb.base_url, username=sb.username, password=sb.password, transport=sb.transport()
    ) as aclient:
        expected = await aclient.list_departments()

    def cell() -> Any:  # a notebook cell: plain code while this thread's loop is running
        asyncio.get_running_loop()
        with make(sb) as client:
            return client.list_departments()

    assert cell() == expected


def test_errors_keep_type_and_message(sb: Sandbox) -> None:
    with make(sb, password="not-the-password") as client:
        with pytest.raises(AuthenticationError, match="Invalid credentials") as info:
            client.list_sites()
        assert "not-the-password" not in str(info.value)
    with make(sb) as client, pytest.raises(NotFoundError):
        client.find_employee(first_name="Nobody", last_name="Atall")


def test_a_missing_tenant_address_is_refused_at_construction() -> None:
    with pytest.raises(InputValidationError, match="subdomain"):
        BackofficeClient(username="u", password="p")  # neither base_url nor subdomain


def test_many_threads_share_one_client(sb: Sandbox) -> None:
    with make(sb, sessions=2) as client:
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(client.is_pos_user_id_available, range(95000, 95012)))
        assert answers == [True] * 12
        assert client.transport.stats.logins == 2  # one per pooled session, not per thread


def test_bulk_stream_is_a_plain_iterator(sb: Sandbox) -> None:
    with make(sb) as client:
        outcomes = client.create_employees([hire(n) for n in (10, 11, 12)], max_at_once=2)
        assert isinstance(outcomes, BlockingBulk)
        assert isinstance(outcomes, Iterator)
        results = list(outcomes)
        summary = outcomes.summary
    assert sorted(o.status for o in results) == ["ok", "ok", "ok"]
    assert summary.ok == 3
    assert {e.pos_user_id for e in sb.state.employees.values()} >= {91010, 91011, 91012}


def test_stopping_a_bulk_stream_early(sb: Sandbox) -> None:
    with make(sb) as client:
        with client.create_employees([hire(n) for n in range(20, 30)], max_at_once=1) as outcomes:
            first = next(outcomes)
        assert first.status == "ok"
        assert client.list_sites()  # the client keeps working after the early stop
    created = [e for e in sb.state.employees.values() if 91020 <= e.pos_user_id < 91030]
    assert 1 <= len(created) < 10  # no new item started after the stop


def test_on_outcome_runs_in_the_consumer_thread_and_may_call_the_client(sb: Sandbox) -> None:
    import threading

    seen: list[tuple[int, bool, bool]] = []
    with make(sb) as client:

        def on_outcome(outcome: Any) -> None:
            pos_user_id = outcome.item.pos_user_id
            # Before the fix this ran on the loop thread, where calling the client raises.
            taken = not client.is_pos_user_id_available(pos_user_id)
            seen.append((pos_user_id, threading.current_thread() is main, taken))

        main = threading.current_thread()
        outcomes = client.create_employees(
            [hire(n) for n in (40, 41, 42)], max_at_once=2, on_outcome=on_outcome
        )
        for outcome in outcomes:
            # on_outcome has already run for the outcome being returned
            assert outcome.item.pos_user_id in {s[0] for s in seen}
    assert sorted(seen) == [(91040, True, True), (91041, True, True), (91042, True, True)]


def test_on_outcome_sees_items_finishing_while_the_run_is_closed(sb: Sandbox) -> None:
    seen: list[Any] = []
    with make(sb, sessions=4) as client:
        outcomes = client.create_employees(
            [hire(n) for n in range(50, 70)], max_at_once=4, on_outcome=seen.append
        )
        with outcomes:
            next(outcomes)
        summary = outcomes.summary
    created = [e for e in sb.state.employees.values() if 91050 <= e.pos_user_id < 91070]
    assert len(seen) == len(created) == summary.ok  # none lost, delivered by close()
    assert summary.stopped == "closed"


def test_on_outcome_error_stops_the_run_and_propagates(sb: Sandbox) -> None:
    def on_outcome(outcome: Any) -> None:
        raise OSError("disk full")

    with make(sb) as client:
        outcomes = client.create_employees(
            [hire(n) for n in range(70, 80)], max_at_once=1, on_outcome=on_outcome
        )
        with pytest.raises(OSError, match="disk full"):
            next(outcomes)
        with pytest.raises(StopIteration):
            next(outcomes)
    created = [e for e in sb.state.employees.values() if 91070 <= e.pos_user_id < 91080]
    assert len(created) < 10


def test_summary_after_the_client_closed(sb: Sandbox) -> None:
    with make(sb) as client:
        done = client.create_employees([hire(n) for n in (80, 81)])
        assert len(list(done)) == 2
        unread = client.create_employees([hire(n) for n in range(82, 90)], max_at_once=1)
        next(unread)
    assert done.summary.ok == 2  # not anyio's "portal not running"
    assert unread.summary.ok >= 1
    assert unread.summary.stopped == "closed"
