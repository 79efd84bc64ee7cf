"""One item's attempt in a bulk run, and the journal entries it leaves.

An attempt settles an ambiguous earlier attempt first (``resolve``), journals ``started``
before the operation is sent, calls it, and journals the outcome (``ok`` / ``failed`` /
``unknown``). The outcome is handed to the run (``record``) *before* the journal write; an
error the run cannot go on after goes to ``fail`` (see :class:`~sonnys_async.bulk.Bulk`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

from ..errors import OutcomeUnknownError
from ..journal import Journal, KeyState
from .outcomes import Outcome, is_ambiguous

__all__ = ["Attempts", "drop_tracebacks"]

T = TypeVar("T")
R = TypeVar("R")


class Attempts(Generic[T, R]):
    """Runs the items of one bulk run, one attempt each, against its journal.

    Args:
        fn: The operation.
        journal: Where attempts are recorded (``None``: nowhere).
        resolve: Settles an item whose earlier attempt was ambiguous, from server state.
        catch: Exception types that are expected refusals (kept without tracebacks).
        record: Counts an outcome and hands it on (called once per outcome).
        fail: Stops the run with an error it cannot go on after (raised at the end).
    """

    __slots__ = ("_catch", "_fail", "_fn", "_journal", "_record", "_resolve")

    def __init__(
        self,
        fn: Callable[[T], Awaitable[R]],
        *,
        journal: Journal | None,
        resolve: Callable[[T], Awaitable[R | None]] | None,
        catch: tuple[type[BaseException], ...],
        record: Callable[[Outcome[T, R]], None],
        fail: Callable[[BaseException], None],
    ) -> None:
        self._fn = fn
        self._journal = journal
        self._resolve = resolve
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
            drop_tracebacks(error)
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
