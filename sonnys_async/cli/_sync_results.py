"""The job behind ``sync apply``: the client's ``apply_plan`` stream, turned into a results CSV
(row by row, mode ``0600``), a progress bar and the screen tables.

Item statuses: ``created`` / ``updated`` / ``disabled`` / ``rehired`` (done now; ``resolved``
when settled from server state), ``already inactive`` / ``already active`` (nothing was
needed), ``done earlier`` (from the journal), ``stale`` (the record changed on the server since
the plan was made: not applied, plan again), ``failed`` (refused, nothing applied), ``unknown``
(may have been applied: the answer was lost; the credentials sent, a new hire's and a rehire's
new password, kept), ``unverified`` (applied, but a later step or the read-back failed), and
``conflict`` (in the plan, never applied). Unchanged items are not written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from .. import AsyncBackofficeClient
from ..bulk import BulkSummary, Outcome
from ..errors import StaleRecordError, WriteNotVerifiedError
from ..journal import Journal, JournalContents, to_jsonable
from ..models import SyncItem, SyncPlan
from ..redaction import redact_text
from ._jobs import drive
from ._output import ResultsWriter, mask, table
from ._sync_csv import roster_row
from ._sync_review import reason_text

__all__ = [
    "SYNC_RESULT_FIELDS",
    "SYNC_SECRET_COLUMNS",
    "SyncReport",
    "apply_job",
    "sync_identity",
    "sync_tables",
]

SYNC_RESULT_FIELDS: tuple[str, ...] = (
    "row",
    "key",
    "action",
    "status",
    "name",
    "employee_id",
    "pos_user_id",
    "email",
    "changes",
    "reason",
    "pos_pin",
    "backoffice_username",
    "backoffice_password",
    "backoffice_user_id",
    "resolved",
    "warnings",
    "error",
    "plan",
    "tenant",
    "bot_user",
)

#: Results columns holding credentials (never dropped by the resume compaction).
SYNC_SECRET_COLUMNS: tuple[str, ...] = ("pos_pin", "backoffice_password")

#: Statuses that mean "done".
DONE = frozenset(
    {
        "created",
        "updated",
        "disabled",
        "rehired",
        "already inactive",
        "already active",
        "done earlier",
    }
)
_DONE_NOW = {"create": "created", "update": "updated", "disable": "disabled", "rehire": "rehired"}
#: Results columns read from a result (or a partial one), when present.
_FROM_RESULT = (
    "employee_id",
    "pos_user_id",
    "email",
    "pos_pin",
    "backoffice_username",
    "backoffice_password",
    "backoffice_user_id",
    "warnings",
)


def sync_identity(row: Mapping[str, str]) -> str:
    """Who a results row is about: its plan item (to drop the rows a resume reports again)."""
    return row.get("key") or f"row {row.get('row')}"


@dataclass(slots=True)
class SyncReport:
    """What ``sync apply`` did: its summary, each item's latest status, and its screen lines."""

    summary: BulkSummary = field(default_factory=BulkSummary)
    total: int = 0
    conflicts: int = 0
    statuses: dict[str, str] = field(default_factory=dict)
    #: By item key: (row, action, status, name, employee, POS id, PIN, BO user, BO password).
    lines: dict[str, tuple[object, ...]] = field(default_factory=dict)
    #: By item key: (row, name, action, status, error) of the items not done.
    problems: dict[str, tuple[object, ...]] = field(default_factory=dict)
    interrupted: bool = False

    def note(
        self, key: str, status: str, line: tuple[object, ...], problem: tuple[object, ...]
    ) -> None:
        """Record the latest status of an item."""
        self.statuses[key] = status
        if status in DONE:
            self.problems.pop(key, None)
            self.lines[key] = line
        else:
            self.lines.pop(key, None)
            self.problems[key] = problem

    def counts(self) -> Counter[str]:
        """Items per latest status."""
        return Counter(self.statuses.values())

    @property
    def all_done(self) -> bool:
        """Every item of the plan that writes is done, and the run was not stopped."""
        done = sum(n for status, n in self.counts().items() if status in DONE)
        return done == self.total and self.summary.stopped is None


def _status(outcome: Outcome[SyncItem, Any], data: Mapping[str, Any]) -> str:
    if outcome.status == "skipped":
        return "done earlier"
    if outcome.status == "unknown":
        error = outcome.error
        return (
            "unverified"
            if isinstance(error, WriteNotVerifiedError) and error.partial
            else "unknown"
        )
    if outcome.status == "failed":
        return "stale" if isinstance(outcome.error, StaleRecordError) else "failed"
    if not outcome.resolved and data.get("was_already_inactive"):
        return "already inactive"
    if not outcome.resolved and data.get("was_already_active"):
        return "already active"
    return _DONE_NOW.get(outcome.item.action, "done")


def _error_text(error: BaseException | None) -> str:
    if error is None:
        return ""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, StaleRecordError) and "plan again" not in text:
        text += "; plan again"
    return redact_text(text)


def _changes_text(item: SyncItem) -> str:
    return "; ".join(
        f"{c.field.removeprefix('new_')}: {_value(c.old)} -> {_value(c.new)}" for c in item.changes
    )


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "(none)" if value is None else str(value)


def _item_cells(item: SyncItem, digest: str) -> dict[str, Any]:
    request = item.request
    return {
        "row": roster_row(item.row),
        "key": item.key,
        "action": item.action,
        "name": item.name,
        "employee_id": item.employee_id,
        "pos_user_id": item.pos_user_id,
        "email": request.get("email") or request.get("new_email"),
        "changes": _changes_text(item),
        "reason": reason_text(item),
        "backoffice_username": request.get("backoffice_username"),
        "plan": digest[:16],
    }


def _present(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {n: data[n] for n in names if data.get(n) not in (None, "", (), [])}


def _sent_secrets(item: SyncItem) -> dict[str, Any]:
    """The credentials an item was sent with: a new hire's PIN and password, a rehire's new
    Backoffice password (the client fixes them before journaling the item)."""
    if item.action == "create":
        return _present(item.request, ("pos_pin", "backoffice_password"))
    if item.action == "rehire":
        rehire = item.request.get("rehire")
        if isinstance(rehire, Mapping):
            return _present(rehire, ("backoffice_password",))
    return {}


def conflict_rows(plan: SyncPlan) -> list[dict[str, Any]]:
    """Results rows of the plan's conflicts (never applied), with their reasons."""
    return [{**_item_cells(item, plan.digest), "status": "conflict"} for item in plan.conflicts]


async def apply_job(
    client: AsyncBackofficeClient,
    plan: SyncPlan,
    *,
    writer: ResultsWriter,
    journal: Journal | None,
    console: Console,
    allow_mass_disable: bool,
    max_at_once: int,
    max_per_second: float | None,
    report: SyncReport,
    earlier: JournalContents | None,
) -> SyncReport:
    """Apply ``plan`` with ``client.apply_plan``; stream each outcome to ``writer``.

    A new hire or a rehire that is not done keeps the credentials it was sent with (a new
    hire's PIN and password, a rehire's new Backoffice password: the client drew them before
    journaling, or reused those an earlier run journaled) when something may exist on the
    server: the outcome is unknown, or an earlier run already tried it. A password the
    outcome reports (its result, or the partial result of an error) takes precedence.
    ``report`` is filled as outcomes arrive (the caller prints it, also after Ctrl-C).
    """
    unfinished = {s.key for s in earlier or () if s.status != "done"}
    report.total = len(plan.actionable)
    report.conflicts = len(plan.conflicts)
    for cells in conflict_rows(plan):
        writer.write(cells)

    def record(outcome: Outcome[SyncItem, Any]) -> None:
        item = outcome.item
        result = outcome.result if outcome.result is not None else outcome.recorded
        partial = getattr(outcome.error, "partial", None)
        data = to_jsonable(result if result is not None else partial)
        data = data if isinstance(data, Mapping) else {}
        status = _status(outcome, data)
        cells = _item_cells(item, plan.digest)
        may_exist = outcome.status == "unknown" or outcome.key in unfinished
        if status not in DONE and may_exist:
            cells.update(_sent_secrets(item))
        # What the outcome (or its partial) reports wins over what was sent.
        cells.update(_present(data, _FROM_RESULT))
        cells.update(status=status, resolved=outcome.resolved or None)
        cells["error"] = _error_text(outcome.error)
        writer.write(cells)
        line = (
            cells["row"],
            item.action,
            status,
            item.name,
            cells.get("employee_id"),
            cells.get("pos_user_id"),
            mask(cells.get("pos_pin")),
            cells.get("backoffice_username") or "",
            mask(cells.get("backoffice_password")),
        )
        report.note(
            item.key, status, line, (cells["row"], item.name, item.action, status, cells["error"])
        )

    bulk = client.apply_plan(
        plan,
        allow_mass_disable=allow_mass_disable,
        journal=journal,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
        on_outcome=record,
    )
    return await drive(bulk, console, "applying", report.total, report)


def _order(key_line: tuple[str, tuple[object, ...]]) -> tuple[int, str]:
    row = key_line[1][0]
    return (row if isinstance(row, int) else 1 << 30, key_line[0])


#: Summary lines: (status, label), in order.
_SUMMARY = (
    ("created", "created"),
    ("updated", "updated"),
    ("disabled", "disabled"),
    ("rehired", "rehired"),
    ("already inactive", "already inactive"),
    ("already active", "already active"),
    ("done earlier", "done earlier (journal)"),
    ("stale", "stale (changed since the plan was made: plan again)"),
    ("failed", "failed (nothing applied)"),
    ("unknown", "unknown (may have been applied; re-run to settle)"),
    ("unverified", "applied, not verified (see error)"),
)


def sync_tables(report: SyncReport, *, limit: int = 60) -> list[Any]:
    """The screen tables of a report (secrets masked) and its summary."""
    out: list[Any] = []
    if report.lines:
        columns = ["row", "action", "status", "name", "employee", "POS id", "PIN", "BO user"]
        rows = [line for _, line in sorted(report.lines.items(), key=_order)]
        out.append(table("Applied", [*columns, "BO password"], rows, limit=limit))
    if report.problems:
        rows = [line for _, line in sorted(report.problems.items(), key=_order)]
        out.append(table("Items not done", ["row", "name", "action", "status", "error"], rows))
    counts = report.counts()
    summary = [(label, counts[s]) for s, label in _SUMMARY if counts[s]]
    if report.summary.resolved:
        summary.append(("settled from the Backoffice's state", report.summary.resolved))
    if report.conflicts:
        summary.append(("conflicts (in the plan; not applied)", report.conflicts))
    not_started = report.total - len(report.statuses)
    if not_started > 0:
        summary.append(("not started (re-run to continue)", not_started))
    if not summary:
        summary.append(("nothing to apply", 0))
    out.append(table("Sync summary", ["", "items"], summary))
    return out
