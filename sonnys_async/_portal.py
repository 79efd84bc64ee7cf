"""Run an async object's coroutines from plain threads, through one long-lived blocking portal.

The sync facade (:mod:`sonnys_async.sync`) is a list of one-line wrappers built with
:func:`blocking` and :func:`blocking_iter`; this module holds the machinery so the facade stays
easy to read and to extend.

Design (style guide §8): one event loop per sync client, running in a daemon thread for the
client's whole life (``anyio.from_thread.BlockingPortal``). The async object is created, entered
and closed *on that loop*, because connection pools and locks belong to one loop. Every call from
any thread is handed to the loop with ``portal.call``, so it works from a plain script, from
several threads at once, and from a thread whose own event loop is busy (a Jupyter cell).
The thread is a daemon so that a script which forgets ``close()`` still exits.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["PortalOwner", "blocking", "blocking_iter"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")


def _start_portal() -> tuple[BlockingPortal, threading.Thread]:
    """Start an event loop in a daemon thread and return its portal (and the thread)."""
    handover: queue.Queue[BlockingPortal | BaseException] = queue.Queue(maxsize=1)

    async def serve() -> None:
        async with BlockingPortal() as portal:
            handover.put(portal)
            await portal.sleep_until_stopped()

    def run() -> None:
        try:
            anyio.run(serve)
        except BaseException as exc:  # pragma: no cover - only if the loop cannot start
            if handover.empty():
                handover.put(exc)
            raise

    thread = threading.Thread(target=run, name="sonnys-async-portal", daemon=True)
    thread.start()
    got = handover.get()
    if isinstance(got, BaseException):  # pragma: no cover
        raise got
    return got, thread


def _stop(portal: BlockingPortal) -> None:
    portal.call(portal.stop)


class PortalOwner(Generic[A]):
    """Owns a blocking portal and the async object living on its loop.

    Subclasses pass a factory (called on the portal's loop) and expose wrapped methods. The
    portal starts on ``__enter__`` or on first use and stops on ``close()`` / ``__exit__``.
    """

    def __init__(self, factory: Callable[[], A]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._portal: BlockingPortal | None = None
        self._async_object: A | None = None
        self._stack: contextlib.ExitStack | None = None
        self._closed = False

    # -- lifecycle

    def _ensure_started(self) -> tuple[BlockingPortal, A]:
        portal, obj = self._portal, self._async_object
        if portal is not None and obj is not None:
            return portal, obj
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{type(self).__name__} is closed")
            if self._portal is None or self._async_object is None:
                with contextlib.ExitStack() as stack:
                    portal, thread = _start_portal()
                    stack.callback(thread.join)
                    stack.callback(_stop, portal)
                    # Built on the loop: its locks and connection pools belong to that loop.
                    obj = portal.call(self._factory)
                    if isinstance(obj, AbstractAsyncContextManager):
                        # Entered and exited in one dedicated task, as task groups require.
                        obj = stack.enter_context(portal.wrap_async_context_manager(obj))
                    elif callable(aclose := getattr(obj, "aclose", None)):
                        stack.callback(portal.call, aclose)
                    self._stack = stack.pop_all()
                self._portal, self._async_object = portal, obj
            return self._portal, self._async_object

    def close(self) -> None:
        """Close the async object on its loop, then stop the loop. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            stack, self._stack = self._stack, None
            self._portal = self._async_object = None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Self:
        self._ensure_started()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calling

    def _call(self, func: Callable[..., Awaitable[R]], /, *args: Any, **kwargs: Any) -> R:
        """Run ``func(async_object, *args, **kwargs)`` on the loop and return its result."""
        portal, obj = self._ensure_started()
        return portal.call(functools.partial(func, obj, *args, **kwargs))

    def _iterate(
        self, func: Callable[..., AsyncIterator[T]], /, *args: Any, **kwargs: Any
    ) -> Iterator[T]:
        """Iterate ``func(async_object, ...)`` from this thread.

        The async iterator runs in ONE task on the loop (a task group inside an async generator
        must be exited by the task that entered it) and hands items over a zero-buffer stream,
        so the producer stays at most one item ahead. Stopping early cancels the producer and
        closes the async generator.
        """
        portal, obj = self._ensure_started()
        pump: _Pump[T] = portal.call(_Pump, functools.partial(func, obj, *args, **kwargs))
        future: Future[None] = portal.start_task_soon(pump.run)
        finished = False
        try:
            while True:
                try:
                    item = portal.call(pump.receive.receive)
                except anyio.EndOfStream:
                    finished = True
                    future.result()  # re-raise the producer's error, original type intact
                    return
                yield item
        finally:
            portal.call(pump.receive.aclose if finished else pump.stop)


class _Pump(Generic[T]):
    """Drains an async iterator in a single task into a zero-buffer memory stream."""

    def __init__(self, make: Callable[[], AsyncIterator[T]]) -> None:
        self._make = make
        self.send, self.receive = anyio.create_memory_object_stream[T](0)
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()

    async def run(self) -> None:
        try:
            with self.scope:
                async with self.send:
                    iterator = self._make()
                    try:
                        async for item in iterator:
                            await self.send.send(item)
                    finally:
                        # No extra cancel scope here: a suspended generator's own task group
                        # scope must be the innermost one when it exits.
                        aclose = getattr(iterator, "aclose", None)
                        if aclose is not None:
                            await aclose()
        except anyio.BrokenResourceError:
            pass  # the consumer went away; stop() is cleaning up
        finally:
            self.done.set()

    async def stop(self) -> None:
        self.scope.cancel()
        await self.receive.aclose()
        await self.done.wait()


def blocking(
    method: Callable[Concatenate[A, P], Awaitable[R]],
) -> Callable[Concatenate[PortalOwner[A], P], R]:
    """Turn an async method into a blocking one with the same signature and docstring.

    Args:
        method: The async class's function (``AsyncBackofficeClient.get_employee``).

    Returns:
        A function for the sync class that runs ``method`` through the owner's portal.
    """

    @functools.wraps(method)
    def call(self: PortalOwner[A], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._call(method, *args, **kwargs)

    return call


def blocking_iter(
    method: Callable[Concatenate[A, P], AsyncIterator[T]],
) -> Callable[Concatenate[PortalOwner[A], P], Iterator[T]]:
    """Turn an async-iterator method into one returning a plain iterator.

    The signature and docstring are kept; the return annotation ``AsyncIterator[X]`` becomes
    ``Iterator[X]``.

    Args:
        method: The async class's async-generator function.

    Returns:
        A function for the sync class that iterates ``method`` through the owner's portal.
    """

    @functools.wraps(method)
    def call(self: PortalOwner[A], /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        return self._iterate(method, *args, **kwargs)

    annotations = dict(getattr(method, "__annotations__", {}))
    if "return" in annotations:
        annotations["return"] = _sync_iterator_annotation(annotations["return"])
    call.__annotations__ = annotations
    signature = inspect.signature(method)
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=_sync_iterator_annotation(signature.return_annotation)
    )
    return call


def _sync_iterator_annotation(annotation: object) -> object:
    """``AsyncIterator[X]`` -> ``Iterator[X]`` (strings under postponed evaluation, or objects)."""
    if isinstance(annotation, str):
        for prefix in ("AsyncIterator[", "AsyncGenerator[", "AsyncIterable["):
            if annotation.startswith(prefix):
                inner = annotation[len(prefix) : -1]
                if prefix == "AsyncGenerator[":
                    inner = inner.split(",", 1)[0].strip()
                return f"Iterator[{inner}]"
        return annotation
    args = getattr(annotation, "__args__", None)
    if args:
        return Iterator[args[0]]  # type: ignore[valid-type]
    return annotation
