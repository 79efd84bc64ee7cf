"""The owner of a sync client's portal and of the async object living on its loop: start on
first use, calls counted in flight, and a close that never cuts a write in half."""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
import weakref
from collections.abc import AsyncIterable, Awaitable, Callable, Generator
from concurrent.futures import CancelledError
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, Self, TypeVar

from anyio.from_thread import BlockingPortal

from ..errors import ClientClosedError
from .iterator import CLIENT_CLOSED, BlockingIterator
from .loop import on_loop_thread, start_portal, stop_portal

__all__ = ["PortalOwner"]

R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")
BI = TypeVar("BI", bound="BlockingIterator[Any]")


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
    if on_loop_thread(runtime.portal):
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
                iterator._stop(CLIENT_CLOSED)
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
                portal, thread = start_portal()
                stack.callback(thread.join)
                stack.callback(stop_portal, portal)
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
