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
import weakref
from collections.abc import AsyncIterable, Awaitable, Callable, Generator, Mapping
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = [
    "SYNC_RETURN_NAMES",
    "BlockingIterator",
    "PortalOwner",
    "blocking",
    "blocking_iter",
    "sync_annotation",
    "sync_returns",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")
BI = TypeVar("BI", bound="BlockingIterator[Any]")


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
    # cancel_remaining: an abandoned iterator's producer must not keep the loop alive.
    portal.call(portal.stop, True)


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
        self._iterators: weakref.WeakSet[BlockingIterator[Any]] = weakref.WeakSet()
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
            iterators = list(self._iterators)
        if stack is None:
            return
        try:
            for iterator in iterators:
                iterator.close()  # unfinished streams stop before the client they use closes
        finally:
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
        self, func: Callable[..., AsyncIterable[T]], /, *args: Any, **kwargs: Any
    ) -> BlockingIterator[T]:
        """Iterate ``func(async_object, ...)`` from this thread (see :class:`BlockingIterator`)."""

        def make(obj: A) -> AsyncIterable[T]:
            return func(obj, *args, **kwargs)

        return self._stream(BlockingIterator, make)

    def _stream(self, cls: type[BI], make: Callable[[A], AsyncIterable[Any]]) -> BI:
        """Wrap ``make(async_object)`` in ``cls`` (a :class:`BlockingIterator` subclass)."""
        portal, obj = self._ensure_started()
        iterator = cls(portal, functools.partial(make, obj))
        self._iterators.add(iterator)
        return iterator


class BlockingIterator(Generic[T]):
    """A plain iterator over an async iterable that lives on a portal's event loop.

    The async iteration runs in ONE task on the loop (a task group or cancel scope inside an
    async generator must be exited by the task that entered it) and hands items over a
    zero-buffer stream, so the producer stays at most one item ahead of the caller. Nothing
    starts before the first ``next()``. Stopping early (``close()``, leaving a ``with`` block, or
    dropping the iterator) cancels the producer and closes the async iterator.
    """

    def __init__(self, portal: BlockingPortal, make: Callable[[], AsyncIterable[T]]) -> None:
        self._portal = portal
        # Built on the loop: the async iterable may create loop-bound state.
        self._pump: _Pump[T] = portal.call(_Pump, make)
        self._steps: Generator[T, None, None] = self._run()

    @property
    def source(self) -> AsyncIterable[T]:
        """The async iterable being drained (read its state with :meth:`_on_loop`)."""
        return self._pump.source

    def _on_loop(self, func: Callable[[], R]) -> R:
        """Run a plain function on the loop thread (for reading the source's state safely)."""
        return self._portal.call(func)

    def _run(self) -> Generator[T, None, None]:
        portal, pump = self._portal, self._pump
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
            if threading.get_ident() == portal._event_loop_thread_id:
                pump.scope.cancel()  # collected on the loop thread: cannot block on it
            else:
                with contextlib.suppress(RuntimeError):  # the portal is already stopped
                    portal.call(pump.receive.aclose if finished else pump.stop)

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        return next(self._steps)

    def close(self) -> None:
        """Stop early: cancel the producer and close the async iterator. Idempotent."""
        self._steps.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Pump(Generic[T]):
    """Drains an async iterable in a single task into a zero-buffer memory stream."""

    def __init__(self, make: Callable[[], AsyncIterable[T]]) -> None:
        self.source = make()
        self.send, self.receive = anyio.create_memory_object_stream[T](0)
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()

    async def run(self) -> None:
        try:
            with self.scope:
                async with self.send:
                    iterator = aiter(self.source)
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
    method: Callable[Concatenate[A, P], AsyncIterable[T]],
) -> Callable[Concatenate[PortalOwner[A], P], BlockingIterator[T]]:
    """Turn a method returning an async iterable into one returning a plain iterator.

    The signature and docstring are kept; the return annotation is translated with
    :data:`SYNC_RETURN_NAMES` (``AsyncIterator[X]`` -> ``Iterator[X]``).

    Args:
        method: The async class's function (an async generator, or a plain method returning an
            async iterable).

    Returns:
        A function for the sync class returning a :class:`BlockingIterator`.
    """

    @functools.wraps(method)
    def call(self: PortalOwner[A], /, *args: P.args, **kwargs: P.kwargs) -> BlockingIterator[T]:
        return self._iterate(method, *args, **kwargs)

    sync_returns(call, method)
    return call


#: How async return annotations read on the sync side (postponed-evaluation strings).
SYNC_RETURN_NAMES: dict[str, str] = {
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterator",
    "AsyncGenerator": "Iterator",
}


def sync_annotation(annotation: object, names: Mapping[str, str] | None = None) -> object:
    """``AsyncIterator[X]`` -> ``Iterator[X]`` for a string annotation (others are returned)."""
    if not isinstance(annotation, str):
        return annotation
    table = SYNC_RETURN_NAMES if names is None else names
    head, bracket, rest = annotation.partition("[")
    if head not in table:
        return annotation
    if head == "AsyncGenerator" and bracket:
        rest = rest.rsplit(",", 1)[0] + "]"  # AsyncGenerator[X, None] -> Iterator[X]
    return f"{table[head]}{bracket}{rest}"


def sync_returns(
    wrapper: Callable[..., Any], method: Callable[..., Any], names: Mapping[str, str] | None = None
) -> None:
    """Give ``wrapper`` the signature of ``method`` with its return annotation made sync."""
    annotations = dict(getattr(method, "__annotations__", {}))
    if "return" in annotations:
        annotations["return"] = sync_annotation(annotations["return"], names)
    wrapper.__annotations__ = annotations
    signature = inspect.signature(method)
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=sync_annotation(signature.return_annotation, names)
    )
