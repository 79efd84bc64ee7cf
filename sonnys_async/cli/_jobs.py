"""The onboarding and offboarding jobs behind ``onboard``, ``offboard`` and ``demo``.

Each job runs the client's bulk stream (``create_employees`` / ``disable_employees``), which
owns drawing secrets, journaling and settling interrupted rows, and turns its outcomes into a
results CSV (row by row, mode ``0600``), a progress bar and the screen tables.

Row statuses: ``created`` / ``disabled`` / ``already inactive`` (done now; ``resolved`` when
settled from server state), ``done earlier`` (from the journal), ``failed`` (refused, nothing
applied), ``unknown`` (may have been applied: the answer was lost; credentials kept),
``unverified`` (applied, but a later step or the read-back failed: what is known is written),
``invalid`` (skipped by ``--skip-invalid``). An ``unknown`` row may be followed by its
settlement at the end of the run (a second row for the same input row).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import anyio
from rich.console import Console

from .. import AsyncBackofficeClient
from ..bulk import Bulk, BulkSummary, Outcome
from ..errors import WriteNotVerifiedError
from ..journal import Journal, JournalContents, to_jsonable
from ..models import EmployeeCreated, EmployeeDisabled
from ..redaction import redact_text
from ._csv import HireRow, LeaverRow, RowError
from ._output import PlainProgress, ResultsWriter, make_progress, mask, table

__all__ = [
    "DONE_STATUSES",
    "OFFBOARD_RESULT_FIELDS",
    "ONBOARD_RESULT_FIELDS",
    "SECRET_COLUMNS",
    "JobReport",
    "RunReport",
    "check_tenant",
    "drive",
    "journaled_credentials",
    "offboard",
    "offboard_tables",
    "onboard",
    "onboard_tables",
    "summary_table",
]

ONBOARD_RESULT_FIELDS: tuple[str, ...] = (
    "row",
    "status",
    "pos_user_id",
    "first_name",
    "last_name",
    "email",
    "employee_id",
    "pos_pin",
    "backoffice_username",
    "backoffice_password",
    "backoffice_user_id",
    "permission",
    "sites",
    "resolved",
    "warnings",
    "error",
    "tenant",
    "bot_user",
)

#: Onboarding results columns holding credentials (never dropped by the resume compaction).
SECRET_COLUMNS: tuple[str, ...] = ("pos_pin", "backoffice_password")

OFFBOARD_RESULT_FIELDS: tuple[str, ...] = (
    "row",
    "status",
    "lookup",
    "employee_id",
    "pos_user_id",
    "first_name",
    "last_name",
    "disabled_at",
    "was_already_inactive",
    "backoffice_user_ids_disabled",
    "warnings",
    "error",
    "tenant",
    "bot_user",
)

#: Final row statuses that mean "done" (the lifecycle commands' included).
DONE_STATUSES = frozenset(
    {
        "created",
        "done earlier",
        "disabled",
        "already inactive",
        "modified",
        "unchanged",
        "rehired",
        "reactivated",
        "already active",
    }
)
_DONE = DONE_STATUSES


@dataclass(slots=True)
class JobReport:
    """What a job did: its summary, each input row's latest status, and the lines of its
    screen tables (by input row: a settlement replaces the row's earlier line)."""

    summary: BulkSummary
    #: Rows the job was given (those without an outcome were never started).
    total: int = 0
    #: (row, status, name, ids..., pin, password) as shown on screen (secrets masked).
    lines: dict[int, tuple[object, ...]] = field(default_factory=dict)
    #: (row, key, status, error) of the rows that are not done.
    problems: dict[int, tuple[int, str, str, str]] = field(default_factory=dict)
    statuses: dict[int, str] = field(default_factory=dict)
    interrupted: bool = False

    def note(self, row: int, status: str, line: tuple[object, ...] | None, error: str) -> None:
        """Record the latest status of ``row`` (and its screen line or problem)."""
        self.statuses[row] = status
        if status in _DONE:
            self.problems.pop(row, None)
            if line is not None:
                self.lines[row] = line
        else:
            self.lines.pop(row, None)
            self.problems[row] = (row, str(line[0]) if line else "", status, error)

    def counts(self) -> Counter[str]:
        """How many rows ended in each status."""
        return Counter(self.statuses.values())

    @property
    def all_done(self) -> bool:
        """Every row given is done, and the run was not stopped."""
        done = sum(n for status, n in self.counts().items() if status in _DONE)
        return done == self.total and self.summary.stopped is None


async def check_tenant(
    client: AsyncBackofficeClient,
    hires: Sequence[HireRow],
    *,
    check_unique: bool,
    journal: JournalContents | None = None,
) -> list[RowError]:
    """The client's pre-flight of these rows (names; with ``check_unique`` taken values), as
    row errors with spreadsheet row numbers.

    Rows the journal knows are checked for names only: an earlier run may have created them
    (their values are then taken by the hire itself, and the run settles them).
    """
    known = [h for h in hires if journal is not None and journal.state(h.key) is not None]
    fresh = [h for h in hires if journal is None or journal.state(h.key) is None]
    errors: list[RowError] = []
    for group, unique in ((fresh, check_unique), (known, False)):
        if group:
            issues = await client.preflight_employees(
                [h.request for h in group], check_unique=unique
            )
            errors += [RowError(group[i.row or 0].row, i.field, i.message) for i in issues]
    return errors


def journaled_credentials(journal: JournalContents | None) -> dict[str, dict[str, Any]]:
    """The credentials an earlier run journaled for each unfinished key (as sent, and what a
    partial write reported): they stay in the results until the row is done."""
    found: dict[str, dict[str, Any]] = {}
    for state in journal or ():
        cells: dict[str, Any] = {}
        error = state.error if isinstance(state.error, Mapping) else {}
        for data in (state.item, error.get("partial")):
            if isinstance(data, Mapping):
                cells.update(_created_cells(data))
        if state.status != "done" and any(cells.get(c) for c in SECRET_COLUMNS):
            found[state.key] = cells
    return found


#: Onboarding results columns read from an :class:`EmployeeCreated` under another name.
_RENAMED: Mapping[str, str] = {"permission": "permission_applied", "sites": "sites_granted"}
#: Onboarding results columns the job fills itself.
_OWN_COLUMNS = frozenset({"row", "status", "resolved", "error", "tenant", "bot_user"})


def _created_cells(created: object) -> dict[str, Any]:
    """Results cells of an :class:`EmployeeCreated` (live, or as the journal recorded it) or of
    the request as sent.

    Empty values are left out, so they never blank a credential already in the cells.
    """
    data = created if isinstance(created, Mapping) else to_jsonable(created)
    if not isinstance(data, Mapping):
        return {}
    cells = {
        column: data.get(_RENAMED.get(column, column))
        for column in ONBOARD_RESULT_FIELDS
        if column not in _OWN_COLUMNS
    }
    return {column: value for column, value in cells.items() if value not in (None, "", ())}


def _hire_cells(hire: HireRow) -> dict[str, Any]:
    r = hire.request
    return {
        "row": hire.row,
        "pos_user_id": r.pos_user_id,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "email": r.email,
        "backoffice_username": r.backoffice_username,
    }


def _error_text(error: BaseException | None) -> str:
    """The results' ``error`` cell: the error's type and message, secrets it quotes masked."""
    return "" if error is None else redact_text(f"{type(error).__name__}: {error}")


def _status(outcome: Outcome[Any, Any], done: str) -> str:
    """The results status of an outcome (``done``: what an ``ok`` one is called)."""
    if outcome.status == "unknown":
        error = outcome.error
        applied = isinstance(error, WriteNotVerifiedError) and error.partial is not None
        return "unverified" if applied else "unknown"
    return {"ok": done, "skipped": "done earlier"}.get(outcome.status, outcome.status)


async def onboard(
    client: AsyncBackofficeClient,
    hires: Sequence[HireRow],
    *,
    writer: ResultsWriter,
    journal: Journal | None,
    console: Console,
    max_at_once: int,
    max_per_second: float | None,
    invalid: Iterable[tuple[int, str]] = (),
    report: JobReport | None = None,
    earlier: Mapping[str, Mapping[str, Any]] | None = None,
) -> JobReport:
    """Create every hire with :meth:`~AsyncBackofficeClient.create_employees`; stream outcomes
    to ``writer`` and a progress bar.

    The client draws blank PINs and passwords before journaling each row and, on a re-run,
    settles and finishes interrupted hires; this job only turns outcomes into result rows.
    A row that is not done keeps the credentials it was sent with, and those an earlier run
    journaled for it (``earlier``, from :func:`journaled_credentials`), when something may
    exist on the server.

    Args:
        client: An entered client.
        hires: Validated rows.
        writer: The results CSV.
        journal: Resume/record here (``None``: no journal).
        console: Where progress goes.
        max_at_once: Hires in flight at once.
        max_per_second: Hires started per second.
        invalid: ``(row, reason)`` of rows skipped as invalid, recorded in the results file.
        report: Fill this report (the caller keeps it, to print what was done when the run is
            interrupted and this coroutine never returns); a new one by default.
        earlier: Credentials journaled by earlier runs, by key.

    Returns:
        The summary and screen lines. On cancellation ``report`` is flagged
        ``interrupted=True`` (after the items in flight were recorded) and the cancellation
        propagates.
    """
    for row, reason in invalid:
        writer.write({"row": row, "status": "invalid", "error": reason})
    report = JobReport(BulkSummary()) if report is None else report
    report.total = len(hires)
    earlier = earlier or {}

    def record(outcome: Outcome[Any, EmployeeCreated]) -> None:
        hire = hires[outcome.index]
        cells = _hire_cells(hire)
        status = cells["status"] = _status(outcome, "created")
        if outcome.status in ("failed", "unknown"):
            cells["error"] = _error_text(outcome.error)
            if outcome.status == "unknown" or hire.key in earlier:
                # Something may exist on the server: keep the secrets an earlier run journaled
                # and those sent now (PIN and password drawn), then what is known to exist.
                cells.update(earlier.get(hire.key, {}))
                cells.update(_created_cells(outcome.item))
                cells.update(_created_cells(getattr(outcome.error, "partial", None) or {}))
            writer.write(cells)
            report.note(hire.row, status, (hire.key,), cells["error"])
            return
        done = outcome.result if outcome.result is not None else (outcome.recorded or {})
        cells.update(_created_cells(done))
        cells["resolved"] = outcome.resolved or None
        writer.write(cells)
        line = (
            hire.row,
            status,
            f"{cells['first_name']} {cells['last_name']}",
            cells["pos_user_id"],
            cells.get("employee_id"),
            mask(cells.get("pos_pin")),
            cells.get("backoffice_username") or "",
            mask(cells.get("backoffice_password")),
        )
        report.note(hire.row, status, line, "")

    bulk = client.create_employees(
        [h.request for h in hires],
        journal=journal,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await drive(bulk, console, "onboarding", len(hires), report)


async def offboard(
    client: AsyncBackofficeClient,
    leavers: Sequence[LeaverRow],
    *,
    writer: ResultsWriter | None,
    journal: Journal | None,
    console: Console,
    max_at_once: int,
    max_per_second: float | None,
    report: JobReport | None = None,
) -> JobReport:
    """Disable every leaver (and, if asked per row, their Backoffice logins) with
    :meth:`~AsyncBackofficeClient.disable_employees`.

    Disabling is idempotent (an inactive employee is reported, not re-posted), so the client
    runs every item again, also those an earlier run with the same journal finished (a rehire
    may have been reactivated since); see :meth:`~AsyncBackofficeClient.disable_employees`.
    A disable whose read-back failed is written as ``unverified`` with what was done (the
    Backoffice-login step's state is in ``warnings``). ``report`` works as for
    :func:`onboard`.
    """
    report = JobReport(BulkSummary()) if report is None else report
    report.total = len(leavers)

    def record(outcome: Outcome[Any, EmployeeDisabled]) -> None:
        leaver = leavers[outcome.index]
        cells: dict[str, Any] = {"row": leaver.row, "lookup": leaver.lookup}
        status = _status(outcome, "disabled")
        data: Mapping[str, Any] = to_jsonable(
            outcome.result or getattr(outcome.error, "partial", None) or outcome.recorded or {}
        )
        if not isinstance(data, Mapping):
            data = {}
        cells.update({k: v for k, v in data.items() if k in OFFBOARD_RESULT_FIELDS})
        if status == "disabled" and data.get("was_already_inactive") and not outcome.resolved:
            status = "already inactive"
        if outcome.resolved:
            note = "settled by reading the Backoffice after an answer was lost"
            cells["warnings"] = [*(data.get("warnings") or ()), note]
        cells["status"] = status
        if outcome.error is not None:
            cells["error"] = _error_text(outcome.error)
        if writer is not None:
            writer.write(cells)
        line = (
            leaver.row,
            status,
            leaver.lookup,
            f"{data.get('first_name', '')} {data.get('last_name', '')}".strip(),
            data.get("employee_id"),
            ", ".join(str(u) for u in data.get("backoffice_user_ids_disabled") or ()),
        )
        report.note(
            leaver.row,
            status,
            line if status in _DONE else (leaver.lookup,),
            cells.get("error", ""),
        )

    bulk = client.disable_employees(
        [leaver.request for leaver in leavers],
        journal=journal,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await drive(bulk, console, "offboarding", len(leavers), report)


class RunReport(Protocol):
    """What the end of a bulk command needs of its report (a :class:`JobReport`, or another
    command's): the run's summary, whether it was interrupted, whether everything is done."""

    summary: BulkSummary
    interrupted: bool

    @property
    def all_done(self) -> bool:
        """Whether every row (item) is done."""
        ...


ReportT = TypeVar("ReportT", bound=RunReport)


async def drive(
    bulk: Bulk[Any, Any], console: Console, what: str, total: int, report: ReportT
) -> ReportT:
    """Run ``bulk`` behind a progress bar (plain progress lines off a terminal); ``report``
    gets its final summary (also when cancelled, flagged ``interrupted``, before the
    cancellation propagates). An unknown item's later settlement is not counted twice."""
    progress = make_progress(console)
    plain = None if console.is_terminal else PlainProgress(console, what, total)
    seen: set[int] = set()
    with progress:
        task = progress.add_task(what, total=total)
        try:
            async with bulk:
                async for outcome in bulk:
                    if outcome.index in seen:
                        continue  # the settlement of an unknown item: counted already
                    seen.add(outcome.index)
                    progress.advance(task)
                    if plain is not None:
                        status = outcome.status
                        plain.advance(failed=status == "failed", unknown=status == "unknown")
        except anyio.get_cancelled_exc_class():
            report.interrupted = True
            raise
        finally:
            report.summary = bulk.summary
    return report


def onboard_tables(report: JobReport, *, limit: int = 60) -> list[Any]:
    """The screen tables of an onboarding report (secrets masked)."""
    columns = ["row", "status", "name", "POS id", "employee", "PIN", "BO user", "BO password"]
    return _tables(report, ("Onboarded", columns), ["row", "POS id", "status", "error"], limit)


def offboard_tables(report: JobReport, *, limit: int = 60) -> list[Any]:
    """The screen tables of an offboarding report."""
    columns = ["row", "status", "lookup", "name", "employee", "BO users disabled"]
    return _tables(report, ("Offboarded", columns), ["row", "lookup", "status", "error"], limit)


def _tables(
    report: JobReport, done: tuple[str, list[str]], problems: list[str], limit: int
) -> list[Any]:
    out: list[Any] = []
    if report.lines:
        lines = [report.lines[row] for row in sorted(report.lines)]
        out.append(table(done[0], done[1], lines, limit=limit))
    if report.problems:
        rows = [report.problems[row] for row in sorted(report.problems)]
        out.append(table("Rows not done", problems, rows))
    return out


#: Summary lines: (status, label), in order.
_SUMMARY = (
    ("created", "done"),
    ("disabled", "done"),
    ("already inactive", "already inactive"),
    ("done earlier", "done earlier (journal)"),
    ("failed", "failed (nothing applied)"),
    ("unknown", "unknown (may have been applied; re-run to settle)"),
    ("unverified", "applied, not verified (see error)"),
)


def summary_table(title: str, report: JobReport, *, invalid: int = 0) -> Any:
    """Counts of a run as a small table (each input row once, by its latest status)."""
    counts = report.counts()
    always = {"failed", "done earlier", "created" if "created" in counts else "disabled"}
    rows = [(label, counts[s]) for s, label in _SUMMARY if counts[s] or s in always]
    if report.summary.resolved:
        rows.append(("settled from the Backoffice's state", report.summary.resolved))
    if invalid:
        rows.append(("skipped as invalid", invalid))
    not_started = report.total - len(report.statuses)
    if not_started > 0:
        rows.append(("not started (re-run to continue)", not_started))
    return table(title, ["", "rows"], rows)
