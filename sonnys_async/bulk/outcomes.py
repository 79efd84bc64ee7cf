"""What a bulk run reports: one :class:`Outcome` per item, and a :class:`BulkSummary`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from ..errors import OutcomeUnknownError

__all__ = [
    "BulkSummary",
    "Failure",
    "Outcome",
    "Status",
    "StopReason",
    "Tally",
    "is_ambiguous",
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
    tally = Tally()
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


class Tally:
    """Running counts of a run (what :class:`BulkSummary` snapshots)."""

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
