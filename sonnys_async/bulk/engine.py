"""The bulk run itself: :class:`Bulk` (bounded, lazy, cancellable) and :func:`run_each`.

A run pulls an item only when a slot is free, asks the journal what an earlier run did with
its key, skips it or starts its attempt (:mod:`._attempt`), paces starts (with the
transport's rate limiter, ``_transport/ratelimit.py``), and streams each
:class:`~sonnys_async.bulk.outcomes.Outcome` to the caller as it completes. It stops starting
items after a refused login or when the Backoffice stops answering; when its items ran out it
settles, once, each item that ended ``unknown``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Generic, Self, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._transport.ratelimit import RateLimiter
from ..errors import BackofficeError
from ..journal import Journal, KeyState
from ._attempt import Attempts
from ._items import aiter_items
from .outcomes import (
    BulkSummary,
    Outcome,
    StopReason,
    Tally,
    is_refused_login,
    is_unreachable,
)

__all__ = ["Bulk", "run_each"]

T = TypeVar("T")
R = TypeVar("R")


class Bulk(Generic[T, R]):
    """A bulk operation, ready to run; see :func:`run_each`.

    Enter it with ``async with`` and iterate it with ``async for`` to receive each
    :class:`Outcome` as it completes. The run's tasks live in the ``async with`` block; they
    never raise into it (an error of the item source, the journal, ``on_outcome`` or a
    programming error in the operation stops the run and is raised plainly, once the items in
    flight have finished, by the iteration or by leaving the block). Leaving the block early
    (``break``, an error) stops the run: no new item starts, the items in flight finish.

    Iterating without ``async with`` is refused: the run's tasks need a block that bounds
    their lifetime (a task group held open by a bare ``async for`` would span the caller's loop
    body and be exited from another task by the async-generator finaliser).
    :attr:`summary` is live during the run and final after it.
    """

    def __init__(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Iterable[T] | AsyncIterable[T],
        *,
        key: Callable[[T], Hashable] | None,
        max_at_once: int,
        max_per_second: float | None,
        fail_fast: bool,
        journal: Journal | None,
        resolve: Callable[[T], Awaitable[R | None]] | None,
        on_outcome: Callable[[Outcome[T, R]], None] | None,
        catch: tuple[type[BaseException], ...],
        shield: bool,
        skip_done: bool = True,
        resolve_on: Callable[[BaseException], bool] | None = None,
        unreachable_after: int | None = 5,
    ) -> None:
        if max_at_once < 1:
            raise ValueError("max_at_once must be at least 1")
        if unreachable_after is not None and unreachable_after < 1:
            raise ValueError("unreachable_after must be at least 1 (or None)")
        if max_per_second is not None and not max_per_second > 0:
            raise ValueError("max_per_second must be positive")
        if journal is not None and key is None:
            raise ValueError("a journal needs key= (a stable key per item)")
        self._items = items
        self._key = key
        self._max_at_once = max_at_once
        self._meter = RateLimiter(max_per_second) if max_per_second else None
        self._fail_fast = fail_fast
        self._journal = journal
        self._attempts: Attempts[T, R] = Attempts(
            fn,
            journal=journal,
            resolve=resolve,
            resolve_on=resolve_on,
            catch=catch,
            record=self._record,
            fail=self._fail,
        )
        self._unreachable_after = unreachable_after
        #: Items failed in a row because the Backoffice did not answer (the breaker's count).
        self._unanswered = 0
        #: Items that ended unknown in this run, settled once when the items run out.
        self._unknown: dict[int, tuple[str, T]] = {}
        self._settling = False
        self._on_outcome = on_outcome
        self._shield = shield
        self._skip_done = skip_done
        self._tally = Tally()
        self._stopped: StopReason | None = None
        self._error: BaseException | None = None
        self._error_raised = False
        self._started = False
        self._finished = False
        self._stack: AsyncExitStack | None = None
        self._receive: MemoryObjectReceiveStream[Outcome[T, R]] | None = None
        self._feed_scope: anyio.CancelScope | None = None
        self._in_flight = 0
        #: Highest number of items in flight at once (for tests and benchmarks).
        self.peak_in_flight = 0

    # -- public surface ------------------------------------------------------------------------

    @property
    def summary(self) -> BulkSummary:
        """Counts and failures so far (final once the run has ended)."""
        return self._tally.snapshot(self._stopped)

    @property
    def in_flight(self) -> int:
        """Items currently being processed."""
        return self._in_flight

    async def __aenter__(self) -> Self:
        if self._started:
            raise RuntimeError("a bulk run can only be started once")
        self._started = True
        send, receive = anyio.create_memory_object_stream[Outcome[T, R]](0)
        self._receive = receive
        async with AsyncExitStack() as stack:
            tg = await stack.enter_async_context(anyio.create_task_group())
            tg.start_soon(self._drive, send)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._shutdown(exc)
        if exc is None:
            self._raise_error()

    async def aclose(self) -> None:
        """Stop the run: no new item starts; items in flight finish; the task group exits."""
        await self._shutdown(None)

    def __aiter__(self) -> AsyncIterator[Outcome[T, R]]:
        if not self._started:
            raise TypeError(
                "iterate a bulk run inside `async with`: "
                "`async with run_each(...) as run: async for outcome in run: ...`"
            )
        return self

    async def __anext__(self) -> Outcome[T, R]:
        if self._receive is None:
            raise TypeError("iterate a bulk run inside `async with`")
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._raise_error()
            raise StopAsyncIteration from None

    # -- machinery -----------------------------------------------------------------------------

    def _raise_error(self) -> None:
        if self._error is not None and not self._error_raised:
            self._error_raised = True
            raise self._error

    async def _shutdown(self, exc: BaseException | None) -> None:
        stack, self._stack = self._stack, None
        if stack is None:
            return
        if not self._finished:
            cancelled = isinstance(exc, anyio.get_cancelled_exc_class())
            self._stop("cancelled" if cancelled else "closed")
        if self._receive is not None:
            # Nobody will read further outcomes: let in-flight items finish without blocking
            # on delivery (their fate is in the journal, the summary and on_outcome).
            self._receive.close()
        # The caller's own exception is not handed to the task group (which would wrap it in
        # an ExceptionGroup); it propagates unchanged once the items in flight are done. The
        # group's tasks never raise anything but cancellation (errors are stored in _fail).
        await stack.__aexit__(None, None, None)

    def _stop(self, reason: StopReason) -> None:
        if self._stopped is None:
            self._stopped = reason
        if self._feed_scope is not None:
            self._feed_scope.cancel()

    def _fail(self, exc: BaseException) -> None:
        # The run cannot go on (a programming error, the item source or the journal broke):
        # stop feeding, let the others finish, raise the first such error plainly at the end.
        # Stored rather than raised: raising in the task group would cancel the caller's code
        # inside ``async with`` and arrive wrapped in ExceptionGroups.
        if self._error is None:
            self._error = exc
        self._stop("error")

    def _key_of(self, index: int, item: T) -> str:
        return str(index) if self._key is None else str(self._key(item))

    async def _drive(self, send: MemoryObjectSendStream[Outcome[T, R]]) -> None:
        slots = anyio.Semaphore(self._max_at_once)
        async with send:
            try:
                async with anyio.create_task_group() as tg:
                    with anyio.CancelScope() as self._feed_scope:
                        if self._stopped is not None:
                            self._feed_scope.cancel()
                        try:
                            await self._feed(aiter_items(self._items), slots, tg, send)
                        except anyio.get_cancelled_exc_class():
                            raise
                        except BaseException as exc:  # the item source (or key=) broke
                            self._fail(exc)
                # Every item started has its outcome. If the items ran out (no stop), settle
                # the unknown ones once more: a late answer may have landed meanwhile.
                if self._stopped is None and self._unknown:
                    await self._settle_all(slots, send)
            except anyio.get_cancelled_exc_class():
                if self._stopped is None:
                    self._stopped = "cancelled"
                raise
            finally:
                # Set before `send` closes, so a consumer that sees the end sees it final.
                self._finished = True

    async def _feed(
        self,
        items: AsyncIterator[T],
        slots: anyio.Semaphore,
        tg: TaskGroup,
        send: MemoryObjectSendStream[Outcome[T, R]],
    ) -> None:
        index = 0
        while True:
            # Backpressure: wait for a free slot *before* pulling the next item.
            await slots.acquire()
            try:
                item = await items.__anext__()
            except StopAsyncIteration:
                slots.release()
                return
            except BaseException:
                slots.release()
                raise
            try:
                key = self._key_of(index, item)
                prior = self._journal.state(key) if self._journal is not None else None
            except BaseException:
                slots.release()
                raise
            if prior is not None and prior.status == "done" and self._skip_done:
                slots.release()
                outcome: Outcome[T, R] = Outcome(index, key, item, "skipped", recorded=prior.result)
                self._record(outcome)
                await self._send(send, outcome)
            else:
                if self._meter is not None:
                    try:
                        await self._meter.wait()
                    except BaseException:
                        slots.release()
                        raise
                self._in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
                tg.start_soon(self._one, index, key, item, prior, slots, send)
            index += 1

    async def _one(
        self,
        index: int,
        key: str,
        item: T,
        prior: KeyState | None,
        slots: anyio.Semaphore,
        send: MemoryObjectSendStream[Outcome[T, R]],
    ) -> None:
        try:
            # Once an item is sent, see it through: a cancellation must not leave our side of a
            # write half-done (the server may have applied it); its outcome goes to the journal.
            with anyio.CancelScope(shield=self._shield):
                outcome = await self._attempts.run(index, key, item, prior)
            await self._send(send, outcome)
        finally:
            self._in_flight -= 1
            slots.release()

    async def _settle_all(
        self, slots: anyio.Semaphore, send: MemoryObjectSendStream[Outcome[T, R]]
    ) -> None:
        pending, self._unknown = self._unknown, {}
        self._settling = True
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as self._feed_scope:
                for index, (key, item) in sorted(pending.items()):
                    await slots.acquire()
                    tg.start_soon(self._settle_one, index, key, item, slots, send)

    async def _settle_one(
        self,
        index: int,
        key: str,
        item: T,
        slots: anyio.Semaphore,
        send: MemoryObjectSendStream[Outcome[T, R]],
    ) -> None:
        try:
            settled = await self._attempts.settle(index, key, item)
            if isinstance(settled, Outcome):
                await self._send(send, settled)
            elif settled is not None and self._feed_scope is not None and _hopeless(settled):
                # The others would fail alike (and each refused login counts towards a
                # lockout): leave them unknown, for the next run to settle.
                self._feed_scope.cancel()
        finally:
            slots.release()

    def _record(self, outcome: Outcome[T, R]) -> None:
        self._tally.add(outcome)
        error = outcome.error
        if outcome.status == "unknown" and not self._settling:
            self._unknown[outcome.index] = (outcome.key, outcome.item)
        if error is not None and is_refused_login(error):
            # Every other item would be refused too, and a tenant may lock the bot out.
            self._stop("authentication")
        elif outcome.status == "failed" and error is not None and is_unreachable(error):
            self._unanswered += 1
            if self._unreachable_after is not None and self._unanswered >= self._unreachable_after:
                self._stop("unreachable")
        elif outcome.status in ("ok", "failed"):
            self._unanswered = 0  # the server answered
        if outcome.status in ("failed", "unknown") and self._fail_fast:
            self._stop("fail_fast")
        if self._on_outcome is not None:
            try:
                self._on_outcome(outcome)
            except Exception as exc:  # e.g. the results file could not be written
                self._fail(exc)

    async def _send(
        self, send: MemoryObjectSendStream[Outcome[T, R]], outcome: Outcome[T, R]
    ) -> None:
        # A consumer that left early gets no more outcomes; they are counted and journaled.
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            await send.send(outcome)


def _hopeless(error: BaseException) -> bool:
    return is_refused_login(error) or is_unreachable(error)


def run_each(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T] | AsyncIterable[T],
    *,
    key: Callable[[T], Hashable] | None = None,
    max_at_once: int = 4,
    max_per_second: float | None = None,
    fail_fast: bool = False,
    journal: Journal | None = None,
    resolve: Callable[[T], Awaitable[R | None]] | None = None,
    on_outcome: Callable[[Outcome[T, R]], None] | None = None,
    catch: tuple[type[BaseException], ...] = (BackofficeError,),
    shield: bool = True,
    skip_done: bool = True,
    resolve_on: Callable[[BaseException], bool] | None = None,
    unreachable_after: int | None = 5,
) -> Bulk[T, R]:
    """Run ``fn`` over ``items`` with bounded concurrency, one :class:`Outcome` per item.

    Items are pulled lazily (sync or async iterables) and only when a slot is free, so memory
    and task count stay bounded by ``max_at_once`` however many items there are. Outcomes are
    yielded in completion order; ``Outcome.index`` gives the input position.

    An item ends ``ok``, ``failed`` (refused, nothing applied) or ``unknown`` (it may have been
    applied: its answer was lost, or a later step of it failed; see
    :func:`~sonnys_async.bulk.is_ambiguous`). An unknown item is never sent again in the same
    run, because a delayed request can still land. Instead, once the items have run out (not
    after a stop), each unknown item is settled once more with ``resolve(item)``: a result
    gives it a second outcome, ``ok`` with ``resolved=True``, for the same ``index``; ``None`` or
    an error leave it unknown (for the next run to settle).

    The run stops starting items (the items in flight finish; ``summary.stopped`` says why)
    after a refused login (:class:`~sonnys_async.errors.AuthenticationError`:
    ``"authentication"``; the other items would be refused too, and every attempt counts
    towards a lockout) and after ``unreachable_after`` items in a row failed because the
    Backoffice did not answer (a :class:`~sonnys_async.errors.TransportError` that is not
    ambiguous: ``"unreachable"``). Items never started have no outcome; a re-run with the same
    journal continues with them.

    With a ``journal``, each item is journaled before it is sent (``started``, with the item and
    its credentials) and after (``ok`` / ``failed`` / ``unknown``). Items whose key the journal
    marks done are not run again (``skipped``); items whose earlier attempt was ambiguous are
    first passed to ``resolve``, which reads server state and returns the recovered result
    (recorded as ``ok``, ``resolved=True``) or ``None`` (not applied: the item is sent again);
    if ``resolve`` raises, the item stays ``unknown`` and is not sent. Without ``resolve``
    such items end ``unknown`` with :class:`~sonnys_async.errors.OutcomeUnknownError` rather
    than risk a duplicate.

    Args:
        fn: The async operation, called once per item.
        items: The items (a list, a generator, an async generator...).
        key: A stable key per item (e.g. the POS User ID); required with a journal. Defaults
            to the item's position.
        max_at_once: Most items in flight at once. Keep it at or below the client's connection
            limit; PHP serialises requests per session, so more sessions, not more tasks, is
            what speeds a tenant up.
        max_per_second: Most item starts per second (``None``: no rate limit).
        fail_fast: After the first failed (or unknown) item, start no new item (items in
            flight finish, and the run ends with ``summary.stopped == "fail_fast"``).
        journal: Record outcomes here and skip/resolve what earlier runs recorded.
        resolve: Settle an item whose attempt was ambiguous, from server state: the result
            if it was applied, ``None`` if not.
        on_outcome: Called synchronously with every outcome as soon as it exists (before it is
            yielded), also for items that finish while the run is being cancelled: the place to
            write a results file row by row.
        catch: Exception types that turn into ``failed`` / ``unknown`` outcomes (kept without
            tracebacks); any other exception ends its item ``unknown``, then stops the run and
            is re-raised once the items in flight have finished.
        shield: Let items in flight finish when the run is cancelled (recommended: a write cut
            short on our side may still have been applied on the server's).
        skip_done: Skip items the journal records as done (the default). ``False`` runs them
            again, for idempotent operations such as disabling; their earlier result is still
            in ``Outcome.recorded``.
        resolve_on: Errors of ``fn`` that may be an earlier attempt of the same item landing
            late (e.g. a :class:`~sonnys_async.errors.DuplicateError` on the item's own key):
            the item is then passed to ``resolve`` at once, and a result reports it ``ok``,
            ``resolved=True``; ``None`` leaves the error as it was.
        unreachable_after: Stop the run after this many items in a row failed because the
            Backoffice did not answer (``None``: never stop for that).

    Returns:
        A :class:`Bulk`: iterate it (``async for``) inside ``async with``; read ``.summary``
        afterwards.

    Raises:
        ValueError: ``max_at_once < 1``, ``max_per_second <= 0``, ``unreachable_after < 1``,
            or a journal without ``key``.
    """
    return Bulk(
        fn,
        items,
        key=key,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
        fail_fast=fail_fast,
        journal=journal,
        resolve=resolve,
        on_outcome=on_outcome,
        catch=catch,
        shield=shield,
        skip_done=skip_done,
        resolve_on=resolve_on,
        unreachable_after=unreachable_after,
    )
