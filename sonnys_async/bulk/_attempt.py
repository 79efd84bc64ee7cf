"""One item's attempt in a bulk run, and the journal entries it leaves.

An attempt settles an ambiguous earlier attempt first (``resolve``), journals ``started``
before the operation is sent, calls it, and journals the outcome (``ok`` / ``failed`` /
``unknown``). The outcome is handed to the run (``record``) *before* the journal write; an
error the run cannot go on after goes to ``fail`` (see :class:`~sonnys_async.bulk.Bulk`).
:meth:`Attempts.settle` is the end-of-run settlement of an item that ended ``unknown``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

from ..errors import DuplicateError, OutcomeUnknownError
from ..journal import Journal, KeyState
from .outcomes import Outcome, Status, is_ambiguous

__all__ = ["Attempts", "drop_tracebacks"]

T = TypeVar("T")
R = TypeVar("R")


class Attempts(Generic[T, R]):
    """Runs the items of one bulk run, one attempt each, against its journal.

    Args:
        fn: The operation.
        journal: Where attempts are recorded (``None``: nowhere).
        resolve: Settles an item whose earlier attempt was ambiguous, from server state.
        resolve_on: Errors of ``fn`` after which the item is settled with ``resolve`` at once
            (an earlier attempt may have landed); ``None``: none.
        catch: Exception types that are expected refusals (kept without tracebacks).
        record: Counts an outcome and hands it on (called once per outcome).
        fail: Stops the run with an error it cannot go on after (raised at the end).
    """

    __slots__ = ("_catch", "_fail", "_fn", "_journal", "_record", "_resolve", "_resolve_on")

    def __init__(
        self,
        fn: Callable[[T], Awaitable[R]],
        *,
        journal: Journal | None,
        resolve: Callable[[T], Awaitable[R | None]] | None,
        resolve_on: Callable[[BaseException], bool] | None = None,
        catch: tuple[type[BaseException], ...],
        record: Callable[[Outcome[T, R]], None],
        fail: Callable[[BaseException], None],
    ) -> None:
        self._fn = fn
        self._journal = journal
        self._resolve = resolve
        self._resolve_on = resolve_on
        self._catch = catch
        self._record = record
        self._fail = fail

    async def run(self, index: int, key: str, item: T, prior: KeyState | None) -> Outcome[T, R]:
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
                # Not settled: it stays unknown, unless the server's answer settles it as
                # someone else's (a DuplicateError: the key belongs to another record).
                settled = isinstance(exc, DuplicateError)
                return self._failed(index, key, item, exc, ambiguous=not settled)
            if recovered is not None:
                return self._resolved(index, key, item, recovered)
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
            caught = isinstance(exc, self._catch)
            if caught and self._resolve_on is not None and self._resolve_on(exc):
                return await self._resolve_after(index, key, item, exc)
            # A programming error leaves the server state unknown, like an ambiguous one.
            ambiguous = is_ambiguous(exc) or not caught
            return self._failed(index, key, item, exc, ambiguous=ambiguous)
        outcome = Outcome(index, key, item, "ok", result=result, recorded=recorded)
        return self._done(outcome, lambda j: j.record_ok(key, result))

    async def settle(self, index: int, key: str, item: T) -> Outcome[T, R] | BaseException | None:
        """Settle an item that ended ``unknown`` earlier in this run, once, by reading.

        Applied: its second outcome (``ok``, ``resolved``), recorded and returned. Not found:
        ``None``; not readable: the error. Either way it stays unknown, and is never sent again
        in this run (a delayed request can still land).
        """
        if self._resolve is None:
            return None
        try:
            recovered = await self._resolve(item)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            if not isinstance(exc, self._catch):
                self._fail(exc)
            drop_tracebacks(exc)
            return exc
        if recovered is None:
            return None
        return self._resolved(index, key, item, recovered)

    async def _resolve_after(
        self, index: int, key: str, item: T, error: BaseException
    ) -> Outcome[T, R]:
        # The refusal may be our own earlier attempt, landed late: read before reporting it.
        if self._resolve is None:
            return self._failed(index, key, item, error, ambiguous=is_ambiguous(error))
        try:
            recovered = await self._resolve(item)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:
            caught = isinstance(exc, self._catch)
            return self._failed(index, key, item, exc, ambiguous=is_ambiguous(exc) or not caught)
        if recovered is None:
            return self._failed(index, key, item, error, ambiguous=is_ambiguous(error))
        return self._resolved(index, key, item, recovered)

    def _resolved(self, index: int, key: str, item: T, result: R) -> Outcome[T, R]:
        outcome = Outcome(index, key, item, "ok", result=result, resolved=True)
        return self._done(outcome, lambda j: j.record_ok(key, result, resolved=True))

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
            drop_tracebacks(error)
        else:
            self._fail(error)  # the item still gets its outcome; the run stops
        status: Status = "unknown" if ambiguous else "failed"
        outcome: Outcome[T, R] = Outcome(index, key, item, status, error=error)
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


def drop_tracebacks(error: BaseException) -> None:
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
