"""Run one operation over many items: bounded, polite, resumable, one outcome per item.

:func:`run_each` borrows aiometer's vocabulary (``max_at_once``, ``max_per_second``) and its
backpressure: it waits for a free slot *before* pulling the next item, so a generator of
10,000 rows never becomes 10,000 tasks or 10,000 results in memory. Each item ends as an
:class:`Outcome` (``ok`` with the result, ``failed`` with the error, ``skipped`` when a journal
says it was done by an earlier run), streamed as it completes::

    with Journal("hires.jsonl") as journal:
        async with run_each(client.create_employee_from, rows, key=lambda r: r.pos_user_id,
                            max_at_once=4, journal=journal) as outcomes:
            async for outcome in outcomes:
                print(outcome.key, outcome.status)
    print(outcomes.summary)

A failed item never stops the others (unless ``fail_fast``). Errors the operation raises that
are not :class:`~sonnys_async.errors.BackofficeError` (programming errors) fail their item
(it gets its ``failed`` outcome), stop the run and, after the items in flight have finished,
are raised plainly (never wrapped in an ``ExceptionGroup``), like errors of the item source,
of the journal and of ``on_outcome``. The run's tasks never raise into the caller's code.

Cancellation (Ctrl-C, a cancelled task scope): no new item starts; items already sent run to
completion inside a shielded scope (``shield=True``, the default) so a write is never cut in
half on our side, and each one's fate is recorded in the journal. If the process dies anyway,
the journal's ``started`` entry marks the item as ambiguous and the next run resolves it with
``resolve(item)``, which reads server state, before deciding whether to send it again.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Literal, Self, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .errors import BackofficeError, OutcomeUnknownError
from .journal import Journal, KeyState

__all__ = [
    "Bulk",
    "BulkSummary",
    "Failure",
    "Outcome",
    "Status",
    "is_ambiguous",
    "run_each",
    "summarize",
]

T = TypeVar("T")
R = TypeVar("R")
X = TypeVar("X")

Status = Literal["ok", "failed", "skipped"]
#: Why a run stopped before its items ran out (``None``: it did not).
StopReason = Literal["fail_fast", "cancelled", "closed", "error"]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T, R]):
    """The fate of one item of a bulk run.

    ``status`` is ``"ok"`` (``result`` holds what the operation returned), ``"failed"``
    (``error`` holds the exception; the other items carried on) or ``"skipped"`` (a journal
    says an earlier run finished it; ``recorded`` holds the result it journaled, as JSON data).
    ``resolved`` is true when an ambiguous earlier attempt was settled by reading server state.
    """

    index: int
    key: str
    item: T
    status: Status
    result: R | None = None
    error: BaseException | None = None
    recorded: Any = None
    resolved: bool = False

    @property
    def ok(self) -> bool:
        """Whether the item is done (``ok`` now, or ``skipped`` because done earlier)."""
        return self.status != "failed"

    def __repr__(self) -> str:
        # Items and results carry credentials; keep them out of reprs (and logs).
        error = f", error={type(self.error).__name__}" if self.error is not None else ""
        return f"Outcome(index={self.index}, key={self.key!r}, status={self.status!r}{error})"


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed item, as kept by :class:`BulkSummary` (no item or result data)."""

    index: int
    key: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.key}: {type(self.error).__name__}: {self.error}"


@dataclass(frozen=True, slots=True)
class BulkSummary:
    """Counts of a bulk run, and its failures.

    ``resolved`` counts the ``ok`` items settled by reading server state after an ambiguous
    earlier attempt; ``stopped`` says why the run ended before its items ran out, if it did.
    """

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    resolved: int = 0
    failures: tuple[Failure, ...] = ()
    stopped: StopReason | None = None

    @property
    def total(self) -> int:
        """Number of items with an outcome."""
        return self.ok + self.failed + self.skipped

    @property
    def all_ok(self) -> bool:
        """No item failed and the run was not stopped early."""
        return self.failed == 0 and self.stopped is None


def summarize(outcomes: Iterable[Outcome[Any, Any]]) -> BulkSummary:
    """Build a :class:`BulkSummary` from outcomes collected by the caller.

    Args:
        outcomes: Outcomes of one run.

    Returns:
        Their counts and failures.
    """
    tally = _Tally()
    for outcome in outcomes:
        tally.add(outcome)
    return tally.snapshot(None)


def is_ambiguous(error: BaseException) -> bool:
    """Whether an error leaves the item's server-side state unknown.

    True for :class:`~sonnys_async.errors.OutcomeUnknownError` and for any error that carries a
    ``partial`` result (something was written before it failed, e.g.
    :class:`~sonnys_async.errors.WriteNotVerifiedError` after an insert). The journal records
    those as ``unknown``, and a re-run resolves them before retrying.
    """
    return isinstance(error, OutcomeUnknownError) or getattr(error, "partial", None) is not None


class _Tally:
    __slots__ = ("failed", "failures", "ok", "resolved", "skipped")

    def __init__(self) -> None:
        self.ok = self.failed = self.skipped = self.resolved = 0
        self.failures: list[Failure] = []

    def add(self, outcome: Outcome[Any, Any]) -> None:
        if outcome.status == "ok":
            self.ok += 1
            self.resolved += outcome.resolved
        elif outcome.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            assert outcome.error is not None
            self.failures.append(Failure(outcome.index, outcome.key, outcome.error))

    def snapshot(self, stopped: StopReason | None) -> BulkSummary:
        return BulkSummary(
            ok=self.ok,
            failed=self.failed,
            skipped=self.skipped,
            resolved=self.resolved,
            failures=tuple(self.failures),
            stopped=stopped,
        )


class _RateMeter:
    """Spaces item starts at least ``1 / max_per_second`` apart (no bursts)."""

    __slots__ = ("_interval", "_next")

    def __init__(self, max_per_second: float) -> None:
        self._interval = 1.0 / max_per_second
        self._next = -math.inf

    def delay(self, now: float) -> float:
        """Reserve the next start slot at or after ``now``; return how long to wait for it."""
        start = max(now, self._next)
        self._next = start + self._interval
        return start - now

    async def wait(self) -> None:
        delay = self.delay(anyio.current_time())
        if delay > 0:
            await anyio.sleep(delay)


class _SyncItems(Generic[X]):
    """A sync iterator seen as an async one (pulled one item at a time, like the async case)."""

    __slots__ = ("_it",)

    def __init__(self, items: Iterable[X]) -> None:
        self._it = iter(items)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> X:
        try:
            return next(self._it)
        except StopIteration:
            raise StopAsyncIteration from None


def _aiter_items(items: Iterable[X] | AsyncIterable[X]) -> AsyncIterator[X]:
    if isinstance(items, AsyncIterable):
        return aiter(items)
    return _SyncItems(items)


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
    ) -> None:
        if max_at_once < 1:
            raise ValueError("max_at_once must be at least 1")
        if max_per_second is not None and not max_per_second > 0:
            raise ValueError("max_per_second must be positive")
        if journal is not None and key is None:
            raise ValueError("a journal needs key= (a stable key per item)")
        self._fn = fn
        self._items = items
        self._key = key
        self._max_at_once = max_at_once
        self._meter = _RateMeter(max_per_second) if max_per_second else None
        self._fail_fast = fail_fast
        self._journal = journal
        self._resolve = resolve
        self._on_outcome = on_outcome
        self._catch = catch
        self._shield = shield
        self._skip_done = skip_done
        self._tally = _Tally()
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
                            await self._feed(_aiter_items(self._items), slots, tg, send)
                        except anyio.get_cancelled_exc_class():
                            raise
                        except BaseException as exc:  # the item source (or key=) broke
                            self._fail(exc)
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
                outcome = await self._execute(index, key, item, prior)
            await self._send(send, outcome)
        finally:
            self._in_flight -= 1
            slots.release()

    async def _execute(
        self, index: int, key: str, item: T, prior: KeyState | None
    ) -> Outcome[T, R]:
        """Run one item; always returns its outcome (cancellation, unshielded, is raised)."""
        cancelled = anyio.get_cancelled_exc_class()
        # Read before this run journals the key again (the state object is live).
        recorded = prior.result if prior is not None and prior.status == "done" else None
        if prior is not None and prior.status == "ambiguous":
            if self._resolve is None:
                error = OutcomeUnknownError(
                    f"item {key!r}: an earlier run may have applied it; "
                    "pass resolve= to settle it from server state",
                    url="",
                )
                return self._failed(index, key, item, error, ambiguous=True)
            try:
                recovered = await self._resolve(item)
            except cancelled:
                raise
            except BaseException as exc:
                return self._failed(index, key, item, exc, ambiguous=True)
            if recovered is not None:
                outcome = Outcome(index, key, item, "ok", result=recovered, resolved=True)
                return self._done(outcome, lambda j: j.record_ok(key, recovered, resolved=True))
            # Resolved as "not applied": safe to send it again.
        if self._journal is not None:
            try:
                self._journal.record_started(key, item)
            except Exception as exc:  # the journal cannot be written: do not send the item
                return self._failed(index, key, item, exc, ambiguous=False, journal=False)
        try:
            result = await self._fn(item)
        except cancelled:
            raise  # unshielded only; the ``started`` entry leaves the item ambiguous
        except BaseException as exc:
            # A programming error leaves the server state unknown, like an ambiguous one.
            caught = isinstance(exc, self._catch)
            ambiguous = is_ambiguous(exc) or not caught
            return self._failed(index, key, item, exc, ambiguous=ambiguous)
        outcome = Outcome(index, key, item, "ok", result=result, recorded=recorded)
        return self._done(outcome, lambda j: j.record_ok(key, result))

    def _failed(
        self,
        index: int,
        key: str,
        item: T,
        error: BaseException,
        *,
        ambiguous: bool,
        journal: bool = True,
    ) -> Outcome[T, R]:
        if isinstance(error, self._catch):
            # A long run keeps its failures (summary): not their frames, which hold items,
            # requests and credentials (tracebacks of expected refusals tell nothing anyway).
            _drop_tracebacks(error)
        else:
            self._fail(error)  # the item still gets its outcome; the run stops
        outcome: Outcome[T, R] = Outcome(index, key, item, "failed", error=error)
        if not journal:
            self._record(outcome)
            return outcome
        if ambiguous:
            return self._done(outcome, lambda j: j.record_unknown(key, error))
        return self._done(outcome, lambda j: j.record_failed(key, error))

    def _done(self, outcome: Outcome[T, R], write: Callable[[Journal], None]) -> Outcome[T, R]:
        # The outcome is counted and handed to on_outcome *before* the journal write: a
        # journal that fails (disk full) must not swallow an item that was applied, with its
        # credentials. The write error then stops the run and is raised at the end.
        self._record(outcome)
        if self._journal is not None:
            try:
                write(self._journal)
            except Exception as exc:
                self._fail(exc)
        return outcome

    def _record(self, outcome: Outcome[T, R]) -> None:
        self._tally.add(outcome)
        if outcome.status == "failed" and self._fail_fast:
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


def _drop_tracebacks(error: BaseException) -> None:
    """Clear the tracebacks of ``error`` and of the exceptions chained to it."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        exc = pending.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = None
        pending.extend(e for e in (exc.__cause__, exc.__context__) if e is not None)


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
) -> Bulk[T, R]:
    """Run ``fn`` over ``items`` with bounded concurrency, one :class:`Outcome` per item.

    Items are pulled lazily (sync or async iterables) and only when a slot is free, so memory
    and task count stay bounded by ``max_at_once`` however many items there are. Outcomes are
    yielded in completion order; ``Outcome.index`` gives the input position.

    With a ``journal``, each item is journaled before it is sent (``started``, with the item and
    its credentials) and after (``ok`` / ``failed`` / ``unknown``). Items whose key the journal
    marks done are not run again (``skipped``); items whose earlier attempt was ambiguous are
    first passed to ``resolve``, which reads server state and returns the recovered result
    (recorded as ``ok``, ``resolved=True``) or ``None`` (not applied: the item is sent again).
    Without ``resolve`` such items fail with :class:`~sonnys_async.errors.OutcomeUnknownError`
    rather than risk a duplicate.

    Args:
        fn: The async operation, called once per item.
        items: The items (a list, a generator, an async generator...).
        key: A stable key per item (e.g. the POS User ID); required with a journal. Defaults
            to the item's position.
        max_at_once: Most items in flight at once. Keep it at or below the client's connection
            limit; PHP serialises requests per session, so more sessions, not more tasks, is
            what speeds a tenant up.
        max_per_second: Most item starts per second (``None``: no rate limit).
        fail_fast: After the first failed item, start no new item (items in flight finish, and
            the run ends with ``summary.stopped == "fail_fast"``).
        journal: Record outcomes here and skip/resolve what earlier runs recorded.
        resolve: Settle an item whose earlier attempt was ambiguous, from server state.
        on_outcome: Called synchronously with every outcome as soon as it exists (before it is
            yielded), also for items that finish while the run is being cancelled: the place to
            write a results file row by row.
        catch: Exception types that turn into ``failed`` outcomes (kept without tracebacks);
            any other exception also fails its item, then stops the run and is re-raised
            once the items in flight have finished.
        shield: Let items in flight finish when the run is cancelled (recommended: a write cut
            short on our side may still have been applied on the server's).
        skip_done: Skip items the journal records as done (the default). ``False`` runs them
            again, for idempotent operations such as disabling; their earlier result is still
            in ``Outcome.recorded``.

    Returns:
        A :class:`Bulk`: iterate it (``async for``) inside ``async with``; read ``.summary``
        afterwards.

    Raises:
        ValueError: ``max_at_once < 1``, ``max_per_second <= 0``, or a journal without ``key``.
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
    )
