"""What a bulk run reports: one :class:`Outcome` per item, and a :class:`BulkSummary`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from .._transport.errors import AmbiguousWriteError
from ..errors import AuthenticationError, OutcomeUnknownError, TransportError

__all__ = [
    "BulkSummary",
    "Failure",
    "Outcome",
    "Status",
    "StopReason",
    "Tally",
    "is_ambiguous",
    "is_refused_login",
    "is_unreachable",
    "summarize",
]

T = TypeVar("T")
R = TypeVar("R")

X = TypeVar("X")

Status = Literal["ok", "failed", "unknown", "skipped"]
#: Why a run stopped before its items ran out (``None``: it did not). ``authentication``: the
#: login was refused; ``unreachable``: the Backoffice stopped answering (see ``run_each``'s
#: ``unreachable_after``).
StopReason = Literal["fail_fast", "cancelled", "closed", "error", "authentication", "unreachable"]


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T, R]):
    """The fate of one item of a bulk run.

    ``status`` is one of:

    * ``"ok"``: ``result`` holds what the operation returned;
    * ``"failed"``: ``error`` holds the exception, and nothing was applied (a refusal, or a
      request that never reached the server); the other items carried on;
    * ``"unknown"``: ``error`` holds the exception, and the item **may have been applied**
      (its answer was lost, or a later step of it failed: see :func:`is_ambiguous`). Never
      send such an item again blindly: settle it from server state first (the journal makes
      the next run do so);
    * ``"skipped"``: a journal says an earlier run finished it; ``recorded`` holds the result
      it journaled, as JSON data.

    ``resolved`` is true when an ambiguous attempt was settled by reading server state.

    An ``unknown`` outcome may be followed, at the end of the run, by a second outcome for the
    same ``index``: its settlement (``"ok"``, ``resolved=True``), when reading the server
    showed the item applied. An item with no such second outcome stayed unknown.
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
        return self.status in ("ok", "skipped")

    def __repr__(self) -> str:
        # Items and results carry credentials; keep them out of reprs (and logs).
        error = f", error={type(self.error).__name__}" if self.error is not None else ""
        return f"Outcome(index={self.index}, key={self.key!r}, status={self.status!r}{error})"


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed (or unknown) item, as kept by :class:`BulkSummary` (no item or result data)."""

    index: int
    key: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.key}: {type(self.error).__name__}: {self.error}"


@dataclass(frozen=True, slots=True)
class BulkSummary:
    """Counts of a bulk run, and its failures.

    Each item is counted once, by its final outcome (an ``unknown`` item settled at the end
    of the run counts as ``ok``). ``unknown`` counts the items that may or may not have been
    applied (``unknowns`` lists them); they are not in ``failed``. ``resolved`` counts the
    ``ok`` items settled by reading server state after an ambiguous attempt; ``stopped`` says
    why the run ended before its items ran out, if it did (items never started have no
    outcome: :attr:`total` is then less than the items given).
    """

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    resolved: int = 0
    failures: tuple[Failure, ...] = ()
    stopped: StopReason | None = None
    unknown: int = 0
    unknowns: tuple[Failure, ...] = ()

    @property
    def total(self) -> int:
        """Number of items with an outcome."""
        return self.ok + self.failed + self.unknown + self.skipped

    @property
    def all_ok(self) -> bool:
        """No item failed or stayed unknown, and the run was not stopped early."""
        return self.failed == 0 and self.unknown == 0 and self.stopped is None


def summarize(outcomes: Iterable[Outcome[Any, Any]]) -> BulkSummary:
    """Build a :class:`BulkSummary` from outcomes collected by the caller.

    Args:
        outcomes: Outcomes of one run (a settlement counts instead of the ``unknown`` outcome
            of the same index before it).

    Returns:
        Their counts and failures.
    """
    tally = Tally()
    for outcome in outcomes:
        tally.add(outcome)
    return tally.snapshot(None)


def is_ambiguous(error: BaseException) -> bool:
    """Whether an error leaves the item's server-side state unknown.

    True for :class:`~sonnys_async.errors.OutcomeUnknownError`, for a lost answer to a write
    the service did not settle (the transport's ``AmbiguousWriteError``), and for any error
    that carries a ``partial`` result (something was written before it failed, e.g.
    :class:`~sonnys_async.errors.WriteNotVerifiedError` after an insert). The journal records
    those as ``unknown``, and a re-run resolves them before retrying.
    """
    return (
        isinstance(error, OutcomeUnknownError | AmbiguousWriteError)
        or getattr(error, "partial", None) is not None
    )


def is_unreachable(error: BaseException) -> bool:
    """Whether an error says the Backoffice did not answer (a transport failure that is not
    ambiguous: refused connections, timeouts and 5xx answers that outlived the retries).

    ``run_each`` stops a run after ``unreachable_after`` such failures in a row.
    """
    return isinstance(error, TransportError) and not is_ambiguous(error)


def is_refused_login(error: BaseException) -> bool:
    """Whether an error is a refused login (it stops a run: every other item would be refused
    too, and each attempt could count towards a lockout), also where it is the cause of
    another: a write whose settling read met a refused login is unknown, and still stops it."""
    seen: BaseException | None = error
    for _ in range(8):  # a cause chain is short; a cycle must not hang
        if seen is None:
            return False
        if isinstance(seen, AuthenticationError):
            return True
        seen = seen.__cause__
    return False


class Tally:
    """Running counts of a run (what :class:`BulkSummary` snapshots)."""

    __slots__ = ("failed", "failures", "ok", "resolved", "skipped", "unknowns")

    def __init__(self) -> None:
        self.ok = self.failed = self.skipped = self.resolved = 0
        self.failures: list[Failure] = []
        self.unknowns: dict[int, Failure] = {}

    def add(self, outcome: Outcome[Any, Any]) -> None:
        if outcome.status == "ok":
            # A settlement of an item that ended unknown earlier in the run replaces it.
            self.unknowns.pop(outcome.index, None)
            self.ok += 1
            self.resolved += outcome.resolved
        elif outcome.status == "skipped":
            self.skipped += 1
        elif outcome.status == "unknown":
            assert outcome.error is not None
            self.unknowns[outcome.index] = Failure(outcome.index, outcome.key, outcome.error)
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
            unknown=len(self.unknowns),
            unknowns=tuple(self.unknowns.values()),
        )
