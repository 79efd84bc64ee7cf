"""Closing the sync facade: calls in flight, forgotten clients, streams read by other threads."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
import pytest
from test_portal import INSTANCES, FakeAsync, FakeSync

from sonnys_async._portal import blocking, blocking_iter
from sonnys_async.errors import ClientClosedError


class Gated(FakeAsync):
    """A fake whose write and stream wait on a gate opened by the test (no sleeps)."""

    def __init__(self) -> None:
        super().__init__()
        self.running = threading.Event()  # the coroutine is running on the loop
        self.gate = threading.Event()  # the test lets it finish

    async def write(self) -> str:
        """A write that is in flight until the gate opens."""
        self.running.set()
        await anyio.to_thread.run_sync(self.gate.wait)
        return "pin-1234"

    async def stream(self) -> AsyncIterator[int]:
        """Waits on the gate before its first item."""
        self.running.set()
        await anyio.to_thread.run_sync(self.gate.wait)
        yield 1


class GatedSync(FakeSync):
    def __init__(self) -> None:
        super(FakeSync, self).__init__(Gated)

    write = blocking(Gated.write)
    stream = blocking_iter(Gated.stream)


def run_in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, box


def wait_closed(client: FakeSync) -> None:
    state = client._state
    with state.cond:
        assert state.cond.wait_for(lambda: state.closed, timeout=10)


def test_close_lets_a_call_in_flight_finish_and_refuses_new_ones() -> None:
    client = GatedSync()
    client.add(1)
    inner = INSTANCES[-1]
    assert isinstance(inner, Gated)
    writer, written = run_in_thread(client.write)
    assert inner.running.wait(10)
    closer, closed = run_in_thread(client.close)
    wait_closed(client)
    with pytest.raises(ClientClosedError, match="closed"):
        client.add(1)  # new calls are refused at once...
    assert closer.is_alive()  # ...while close() waits for the write
    assert not inner.closed
    inner.gate.set()
    writer.join(10)
    closer.join(10)
    assert written == {"result": "pin-1234"}  # not a bare CancelledError: the PIN is not lost
    assert closed == {"result": None}
    assert inner.closed


def portal_thread(client: FakeSync) -> threading.Thread:
    ident = client.where()
    return next(t for t in threading.enumerate() if t.ident == ident)


def test_forgotten_client_is_closed_by_gc_with_a_resource_warning() -> None:
    client = FakeSync()
    assert client.add(1) == 2
    inner = INSTANCES[-1]
    thread = portal_thread(client)
    ref = weakref.ref(client)
    with pytest.warns(ResourceWarning, match="unclosed FakeSync"):
        del client  # the last reference: the finalizer closes it
    gc.collect()
    assert ref() is None
    assert inner.closed
    thread.join(10)
    assert not thread.is_alive()


def test_closed_or_unused_clients_do_not_warn() -> None:
    closed = FakeSync()
    closed.add(1)
    closed.close()
    unused = FakeSync()
    del closed, unused
    gc.collect()  # filterwarnings=error would turn a ResourceWarning into a failure


def test_client_close_while_another_thread_waits_on_a_stream() -> None:
    client = GatedSync()
    items = client.stream()
    consumer, consumed = run_in_thread(lambda: list(items))
    inner = INSTANCES[-1]
    assert isinstance(inner, Gated)
    assert inner.running.wait(10)  # the consumer is inside next(), waiting for the first item
    closer, closed = run_in_thread(client.close)
    wait_closed(client)
    inner.gate.set()  # let the producer's worker thread return so it can be cancelled
    closer.join(10)
    consumer.join(10)
    assert closed == {"result": None}
    assert isinstance(consumed.get("error"), ClientClosedError), consumed
    assert inner.closed
    with pytest.raises(ClientClosedError, match="client was closed"):
        next(items)


def test_iterator_close_from_another_thread_is_safe() -> None:
    with GatedSync() as client:
        items = client.stream()
        consumer, consumed = run_in_thread(lambda: next(items))
        inner = INSTANCES[-1]
        assert isinstance(inner, Gated)
        assert inner.running.wait(10)  # the consumer is inside next()
        closer, closed = run_in_thread(items.close)
        # close() cancels the producer; its worker thread (not cancellable) returns once opened
        inner.gate.set()
        closer.join(10)
        consumer.join(10)
        assert closed == {"result": None}  # not "ValueError: generator already executing"
        assert isinstance(consumed.get("error"), ClientClosedError), consumed
        assert inner.stream_closed is False or inner.stream_closed  # source closed or never ran
        assert client.add(1) == 2  # the loop is healthy
        with pytest.raises(StopIteration):
            next(items)  # after close(), like a closed generator
