"""The blocking-portal machinery behind the sync facade, exercised with a small fake client."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.lowlevel
import pytest

from sonnys_async._portal import PortalOwner, blocking, blocking_iter
from sonnys_async.errors import NotFoundError

INSTANCES: list[FakeAsync] = []


class FakeAsync:
    """Stands in for AsyncBackofficeClient: a context manager with loop-bound state."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset
        self.lock = anyio.Lock()  # loop-bound state, like httpx pools and our locks
        self.created_on = threading.get_ident()
        self.entered = False
        self.closed = False
        self.stream_closed = False
        INSTANCES.append(self)

    async def __aenter__(self) -> FakeAsync:
        self.entered = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.closed = True

    async def add(self, a: int, b: int = 1, *, times: int = 1) -> int:
        """Add two numbers (and the client's offset).

        Args:
            a: First.
            b: Second.
            times: Multiplier.
        """
        async with self.lock:
            await anyio.lowlevel.checkpoint()
            return (a + b) * times + self.offset

    async def where(self) -> int:
        """The id of the thread running the coroutine."""
        return threading.get_ident()

    async def fail(self, what: str) -> None:
        """Always raises."""
        raise NotFoundError(f"no employee matches {what}")

    async def count(self, n: int, *, fail_at: int | None = None) -> AsyncIterator[int]:
        """Yield 0..n-1 from inside a cancel scope (like a bulk stream)."""
        try:
            # A cancel scope must be exited by the task that entered it: this only works
            # because the facade drives the whole iteration from one task.
            with anyio.CancelScope():
                for i in range(n):
                    if i == fail_at:
                        raise NotFoundError(f"row {i} failed")
                    await anyio.lowlevel.checkpoint()
                    yield i
        finally:
            self.stream_closed = True


class FakeSync(PortalOwner[FakeAsync]):
    def __init__(self, offset: int = 0) -> None:
        super().__init__(lambda: FakeAsync(offset))

    add = blocking(FakeAsync.add)
    where = blocking(FakeAsync.where)
    fail = blocking(FakeAsync.fail)
    count = blocking_iter(FakeAsync.count)


def test_plain_script_use_and_lifecycle() -> None:
    INSTANCES.clear()
    client = FakeSync(offset=10)
    assert INSTANCES == []  # lazy: nothing started before first use
    assert client.add(2, b=3, times=2) == 20
    inner = INSTANCES[0]
    assert inner.entered
    assert inner.created_on != threading.get_ident()  # built on the portal's loop thread
    assert client.where() == inner.created_on
    client.close()
    assert inner.closed
    client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        client.add(1)


def test_context_manager_starts_and_stops_the_loop() -> None:
    INSTANCES.clear()
    before = threading.active_count()
    with FakeSync() as client:
        assert len(INSTANCES) == 1
        assert threading.active_count() == before + 1
        assert client.add(1) == 2
    assert INSTANCES[0].closed
    assert threading.active_count() == before


def test_close_without_use_starts_nothing() -> None:
    INSTANCES.clear()
    FakeSync().close()
    assert INSTANCES == []


def test_exceptions_keep_type_and_message() -> None:
    with FakeSync() as client, pytest.raises(NotFoundError, match="no employee matches Ann"):
        client.fail("Ann")


async def test_works_from_a_thread_whose_loop_is_running() -> None:
    # A Jupyter cell: plain code called while this thread's asyncio loop is running.
    asyncio.get_running_loop()

    def cell() -> int:
        with FakeSync() as client:
            return client.add(40, 2)

    assert cell() == 42


def test_many_threads_share_one_loop() -> None:
    with FakeSync() as client:
        loop_thread = client.where()
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: client.add(i, 0), range(64)))
            threads = set(pool.map(lambda _: client.where(), range(16)))
    assert results == list(range(64))
    assert threads == {loop_thread}


def test_async_iterator_becomes_a_plain_iterator() -> None:
    INSTANCES.clear()
    with FakeSync() as client:
        items = client.count(5)
        assert isinstance(items, Iterator)
        assert list(items) == [0, 1, 2, 3, 4]
        assert INSTANCES[0].stream_closed


def test_stopping_early_closes_the_async_generator() -> None:
    INSTANCES.clear()
    with FakeSync() as client:
        items = client.count(1000)
        assert next(items) == 0
        assert next(items) == 1
        items.close()  # e.g. `break` out of a for loop, then the generator is collected
        assert INSTANCES[0].stream_closed
        assert client.add(1) == 2  # the loop is still healthy


def test_error_inside_a_stream_arrives_after_earlier_items() -> None:
    with FakeSync() as client:
        items = client.count(10, fail_at=3)
        seen = [next(items), next(items), next(items)]
        with pytest.raises(NotFoundError, match="row 3 failed"):
            next(items)
    assert seen == [0, 1, 2]


def test_wrappers_keep_signature_and_docstring() -> None:
    assert inspect.signature(FakeSync.add) == inspect.signature(FakeAsync.add)
    assert FakeSync.add.__doc__ == FakeAsync.add.__doc__
    assert FakeSync.count.__doc__ == FakeAsync.count.__doc__
    sync_sig = inspect.signature(FakeSync.count)
    async_sig = inspect.signature(FakeAsync.count)
    assert sync_sig.parameters == async_sig.parameters
    assert sync_sig.return_annotation == "Iterator[int]"
    assert async_sig.return_annotation == "AsyncIterator[int]"
