"""A plain iterator over an async iterable that lives on a portal's event loop."""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import AsyncIterable, Callable
from concurrent.futures import CancelledError, Future
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, Self, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from ..errors import ClientClosedError
from .loop import on_loop_thread, running

__all__ = ["CLIENT_CLOSED", "STREAM_CLOSED", "BlockingIterator"]

R = TypeVar("R")
T = TypeVar("T")

CLIENT_CLOSED = "the client was closed while this stream was being read"
STREAM_CLOSED = "the stream was closed (from another thread) while this thread waited on it"


class BlockingIterator(Generic[T]):
    """A plain iterator over an async iterable that lives on a portal's event loop.

    The async iteration runs in ONE task on the loop (a task group or cancel scope inside an
    async generator must be exited by the task that entered it) and hands items over a
    zero-buffer stream, so the producer stays at most one item ahead of the caller. Nothing
    starts before the first ``next()``. Stopping early (``close()``, leaving a ``with`` block, or
    dropping the iterator) cancels the producer and closes the async iterator.

    ``close()`` may be called from any thread: a thread waiting in ``next()`` then gets
    :class:`ClientClosedError` (and so does any ``next()`` after the client itself closed); the
    thread that closed the stream sees ``StopIteration`` afterwards, like a closed generator.
    """

    def __init__(self, portal: BlockingPortal, make: Callable[[], AsyncIterable[T]]) -> None:
        self._portal = portal
        # Built on the loop: the async iterable may create loop-bound state.
        self._pump: _Pump[T] = portal.call(_Pump, make)
        self._lock = threading.Lock()
        self._future: Future[None] | None = None
        self._ended = False
        self._end_error: str | None = None  # why next() fails once the stream was stopped
        self._finalizer = weakref.finalize(self, _abandon, portal, self._pump)
        self._finalizer.atexit = False  # at exit the portal's own stop cancels the producer

    @property
    def source(self) -> AsyncIterable[T]:
        """The async iterable being drained (read its state with :meth:`_on_loop`)."""
        return self._pump.source

    def _on_loop(self, func: Callable[[], R]) -> R:
        """Run a plain function on the loop thread (for reading the source's state safely)."""
        return self._portal.call(func)

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        portal, pump = self._portal, self._pump
        with self._lock:
            if self._ended:
                if self._end_error is not None:
                    raise ClientClosedError(self._end_error)
                raise StopIteration
            if self._future is None:
                if not running(portal):
                    raise ClientClosedError(CLIENT_CLOSED)
                self._future = portal.start_task_soon(pump.run)
            future = self._future
        try:
            item = portal.call(pump.receive.receive)
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            with self._lock:
                natural, self._ended = not self._ended, True
                reason = self._end_error
            if not natural:
                self._after_end()
                raise ClientClosedError(reason or STREAM_CLOSED) from None
            self._finalizer.detach()
            try:
                future.result()  # re-raise the producer's error, original type intact
            except CancelledError:
                raise ClientClosedError(CLIENT_CLOSED) from None
            finally:
                with contextlib.suppress(RuntimeError):
                    portal.call(pump.receive.aclose)
                self._after_end()
            raise StopIteration from None
        except (CancelledError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) and running(portal):
                raise  # e.g. called from the loop thread: a usage error, not a close
            self._stop(CLIENT_CLOSED)
            raise ClientClosedError(CLIENT_CLOSED) from None
        try:
            self._after_item()
        except BaseException:
            self._stop(None)
            raise
        return item

    def _stop(self, reason: str | None) -> None:
        """End the stream: cancel the producer and wait for it (any thread but the loop's).

        ``reason`` is what a ``next()`` waiting in another thread (or any later ``next()``, for
        a client close) reports; ``None`` for a plain ``close()`` by the consumer.
        """
        with self._lock:
            if self._ended:
                return
            self._ended = True
            self._end_error = reason if reason == CLIENT_CLOSED else None
            started = self._future is not None
        self._finalizer.detach()
        try:
            if on_loop_thread(self._portal):
                self._pump.scope.cancel()  # on the loop thread: cannot block on it
            else:
                with contextlib.suppress(RuntimeError):  # the portal is already stopped
                    self._portal.call(self._pump.stop if started else self._pump.discard)
        finally:
            self._after_end()

    def close(self) -> None:
        """Stop early: cancel the producer and close the async iterator. Idempotent; safe
        from any thread (a thread waiting in ``next()`` gets :class:`ClientClosedError`)."""
        self._stop(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- hooks for subclasses (called in the consumer's or the closing thread, never the loop's)

    def _after_item(self) -> None:
        """Called after each item is received, before ``next()`` returns it."""

    def _after_end(self) -> None:
        """Called once the producer has finished or been stopped."""


def _abandon(portal: BlockingPortal, pump: _Pump[Any]) -> None:
    """An iterator was dropped unfinished: stop its producer without blocking (GC context)."""
    if not running(portal):
        return
    if on_loop_thread(portal):
        pump.scope.cancel()
    else:
        with contextlib.suppress(RuntimeError):
            portal.start_task_soon(pump.stop)


class _Pump(Generic[T]):
    """Drains an async iterable in a single task into a zero-buffer memory stream."""

    def __init__(self, make: Callable[[], AsyncIterable[T]]) -> None:
        self.source = make()
        self.send, self.receive = anyio.create_memory_object_stream[T](0)
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.stopping = False

    async def run(self) -> None:
        try:
            if self.stopping:
                return  # stopped before it ever ran
            async with self.send:
                if isinstance(self.source, AbstractAsyncContextManager):
                    await self._drain_entered(self.source)
                else:
                    await self._drain(self.source)
        except anyio.BrokenResourceError:
            pass  # the consumer went away; stop() is cleaning up
        finally:
            self.done.set()

    async def _drain_entered(self, source: AbstractAsyncContextManager[Any]) -> None:
        # A source that is a context manager (a bulk run) is entered, the robust form: its
        # task group lives in this task. Stopping cancels only the iteration, so the block is
        # left normally: the run stops as "closed", its items in flight finish, and an error
        # it kept for the end is raised here (original type) for the consumer's next().
        async with source as entered:
            with self.scope:
                async for item in entered:
                    await self.send.send(item)

    async def _drain(self, source: AsyncIterable[T]) -> None:
        with self.scope:
            iterator = aiter(source)
            try:
                async for item in iterator:
                    await self.send.send(item)
            finally:
                # No extra cancel scope here: a suspended generator's own task group scope
                # must be the innermost one when it exits.
                aclose = getattr(iterator, "aclose", None)
                if aclose is not None:
                    await aclose()

    async def stop(self) -> None:
        self.stopping = True
        self.scope.cancel()
        await self.receive.aclose()
        await self.done.wait()

    async def discard(self) -> None:
        """Never started: just close both ends."""
        await self.send.aclose()
        await self.receive.aclose()
