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
import warnings
import weakref
from collections.abc import AsyncIterable, Awaitable, Callable, Generator, Mapping
from concurrent.futures import CancelledError, Future
from contextlib import AbstractAsyncContextManager
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from .errors import ClientClosedError

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


def _running(portal: BlockingPortal) -> bool:
    return portal._event_loop_thread_id is not None


def _on_loop_thread(portal: BlockingPortal) -> bool:
    return threading.get_ident() == portal._event_loop_thread_id


def _stop(portal: BlockingPortal) -> None:
    # Safety net only: close() has already stopped every stream and waited for every call, so
    # normally nothing is left to cancel. Whatever is (a stream created while closing) ends
    # with ClientClosedError on its caller's side, never a bare CancelledError.
    portal.call(portal.stop, True)


class _Runtime:
    """A started portal, the async object on its loop, and the stack that closes both."""

    __slots__ = ("obj", "portal", "stack")

    def __init__(self, portal: BlockingPortal, obj: Any, stack: contextlib.ExitStack) -> None:
        self.portal = portal
        self.obj = obj
        self.stack = stack


class _State:
    """What closing needs, with no reference back to the owner (so ``weakref.finalize`` can
    close a forgotten client: a reference to the owner would keep it alive forever)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cond = threading.Condition()
        self.runtime: _Runtime | None = None
        self.closed = False
        self.in_flight = 0
        self.iterators: weakref.WeakSet[BlockingIterator[Any]] = weakref.WeakSet()


def _shutdown(state: _State, explicit: bool) -> None:
    """Refuse new calls, stop the streams, wait for calls in flight, close, stop the loop."""
    with state.cond:
        if state.closed:
            return
        state.closed = True
        state.cond.notify_all()
        runtime, state.runtime = state.runtime, None
        iterators = list(state.iterators)
    if runtime is None:
        return
    if not explicit:
        # Like httpx and asyncio: a forgotten client is a bug worth a warning (ResourceWarning
        # is silent by default); the finalizer still frees the thread, sockets and sessions.
        warnings.warn(
            f"unclosed {state.name}: use 'with' or call close()", ResourceWarning, stacklevel=2
        )
    if _on_loop_thread(runtime.portal):
        # Collected on the loop thread itself, which cannot wait for its own loop.
        threading.Thread(
            target=_finish, args=(state, runtime, iterators), name="sonnys-async-close"
        ).start()
    else:
        _finish(state, runtime, iterators)


def _finish(state: _State, runtime: _Runtime, iterators: list[BlockingIterator[Any]]) -> None:
    error: BaseException | None = None
    try:
        for iterator in iterators:
            # Unfinished streams stop before the client they use closes; a thread waiting in
            # next() gets ClientClosedError. Bulk items in flight still finish (shielded).
            try:
                iterator._stop(_CLIENT_CLOSED)
            except Exception as exc:  # a sync on_outcome failed: close the rest, then raise
                error = error or exc
        with state.cond:
            # A write in flight is never cut in half: its caller gets its answer (and the
            # secrets it generated) before the client closes.
            state.cond.wait_for(lambda: state.in_flight == 0)
    finally:
        runtime.stack.close()
    if error is not None:
        raise error


_CLIENT_CLOSED = "the client was closed while this stream was being read"
_STREAM_CLOSED = "the stream was closed (from another thread) while this thread waited on it"


class PortalOwner(Generic[A]):
    """Owns a blocking portal and the async object living on its loop.

    Subclasses pass a factory (called on the portal's loop) and expose wrapped methods. The
    portal starts on ``__enter__`` or on first use and stops on ``close()`` / ``__exit__``; a
    client that is garbage-collected unclosed is closed by a finalizer, with a
    ``ResourceWarning``.
    """

    def __init__(self, factory: Callable[[], A]) -> None:
        self._factory = factory
        self._state = _State(type(self).__name__)
        # No reference to self in the callback's arguments (or it would never run).
        self._finalizer = weakref.finalize(self, _shutdown, self._state, False)

    # -- lifecycle

    def _started(self) -> _Runtime:
        """The running runtime, started if needed; call with ``self._state.cond`` held."""
        state = self._state
        if state.closed:
            raise ClientClosedError(f"{state.name} is closed")
        if state.runtime is None:
            with contextlib.ExitStack() as stack:
                portal, thread = _start_portal()
                stack.callback(thread.join)
                stack.callback(_stop, portal)
                # Built on the loop: its locks and connection pools belong to that loop.
                obj: Any = portal.call(self._factory)
                if isinstance(obj, AbstractAsyncContextManager):
                    # Entered and exited in one dedicated task, as task groups require.
                    obj = stack.enter_context(portal.wrap_async_context_manager(obj))
                elif callable(aclose := getattr(obj, "aclose", None)):
                    stack.callback(portal.call, aclose)
                state.runtime = _Runtime(portal, obj, stack.pop_all())
        return state.runtime

    def _ensure_started(self) -> tuple[BlockingPortal, A]:
        with self._state.cond:
            runtime = self._started()
        return runtime.portal, runtime.obj

    def close(self) -> None:
        """Close the client: refuse new calls, stop unfinished streams, let the calls in flight
        finish (a write is never cut in half), close the async object on its loop, then stop
        the loop. Idempotent; safe from any thread but the loop's."""
        self._finalizer.detach()
        _shutdown(self._state, True)

    def __enter__(self) -> Self:
        self._ensure_started()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calling

    @contextlib.contextmanager
    def _counted(self) -> Generator[_Runtime, None, None]:
        """Hold the runtime as a call in flight (``close()`` waits for it)."""
        state = self._state
        with state.cond:
            runtime = self._started()
            state.in_flight += 1
        try:
            yield runtime
        finally:
            with state.cond:
                state.in_flight -= 1
                if not state.in_flight:
                    state.cond.notify_all()

    def _call(self, func: Callable[..., Awaitable[R]], /, *args: Any, **kwargs: Any) -> R:
        """Run ``func(async_object, *args, **kwargs)`` on the loop and return its result."""
        with self._counted() as runtime:
            try:
                return runtime.portal.call(functools.partial(func, runtime.obj, *args, **kwargs))
            except CancelledError:  # pragma: no cover - close() waits for calls in flight
                raise ClientClosedError(f"{self._state.name} was closed during the call") from None

    def _iterate(
        self, func: Callable[..., AsyncIterable[T]], /, *args: Any, **kwargs: Any
    ) -> BlockingIterator[T]:
        """Iterate ``func(async_object, ...)`` from this thread (see :class:`BlockingIterator`)."""

        def make(obj: A) -> AsyncIterable[T]:
            return func(obj, *args, **kwargs)

        return self._stream(BlockingIterator, make)

    def _stream(self, cls: type[BI], make: Callable[[A], AsyncIterable[Any]], **extra: Any) -> BI:
        """Wrap ``make(async_object)`` in ``cls`` (a :class:`BlockingIterator` subclass)."""
        with self._counted() as runtime:
            iterator = cls(runtime.portal, functools.partial(make, runtime.obj), **extra)
            self._state.iterators.add(iterator)
        return iterator


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
                if not _running(portal):
                    raise ClientClosedError(_CLIENT_CLOSED)
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
                raise ClientClosedError(reason or _STREAM_CLOSED) from None
            self._finalizer.detach()
            try:
                future.result()  # re-raise the producer's error, original type intact
            except CancelledError:
                raise ClientClosedError(_CLIENT_CLOSED) from None
            finally:
                with contextlib.suppress(RuntimeError):
                    portal.call(pump.receive.aclose)
                self._after_end()
            raise StopIteration from None
        except (CancelledError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) and _running(portal):
                raise  # e.g. called from the loop thread: a usage error, not a close
            self._stop(_CLIENT_CLOSED)
            raise ClientClosedError(_CLIENT_CLOSED) from None
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
            self._end_error = reason if reason == _CLIENT_CLOSED else None
            started = self._future is not None
        self._finalizer.detach()
        try:
            if _on_loop_thread(self._portal):
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
    if not _running(portal):
        return
    if _on_loop_thread(portal):
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
