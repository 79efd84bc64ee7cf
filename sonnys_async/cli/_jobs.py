"""The onboarding and offboarding jobs behind ``onboard``, ``offboard`` and ``demo``.

Each job runs the client's bulk stream (``create_employees`` / ``disable_employees``), which
owns drawing secrets, journaling and settling interrupted rows, and turns its outcomes into a
results CSV (row by row, mode ``0600``), a progress bar and the screen tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from rich.console import Console

from .. import AsyncBackofficeClient
from ..bulk import Bulk, BulkSummary, Outcome, is_ambiguous
from ..journal import Journal, to_jsonable
from ..models import EmployeeCreated, EmployeeDisabled
from ._csv import HireRow, LeaverRow, RowError
from ._output import PlainProgress, ResultsWriter, make_progress, mask, table

__all__ = [
    "OFFBOARD_RESULT_FIELDS",
    "ONBOARD_RESULT_FIELDS",
    "JobReport",
    "check_tenant",
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
)

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
)


@dataclass(slots=True)
class JobReport:
    """What a job did: its summary and the lines of its screen tables."""

    summary: BulkSummary
    #: (row, status, name, ids..., pin, password, note) as shown on screen (secrets masked).
    lines: list[tuple[object, ...]] = field(default_factory=list)
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    interrupted: bool = False


async def check_tenant(
    client: AsyncBackofficeClient, hires: Sequence[HireRow], *, check_unique: bool
) -> list[RowError]:
    """The client's pre-flight of these rows (names; with ``check_unique`` taken values),
    as row errors with spreadsheet row numbers."""
    issues = await client.preflight_employees([h.request for h in hires], check_unique=check_unique)
    return [RowError(hires[i.row or 0].row, i.field, i.message) for i in issues]


#: Onboarding results columns read from an :class:`EmployeeCreated` under another name.
_RENAMED: Mapping[str, str] = {"permission": "permission_applied", "sites": "sites_granted"}
#: Onboarding results columns the job fills itself.
_OWN_COLUMNS = frozenset({"row", "status", "resolved", "error"})


def _created_cells(created: object) -> dict[str, Any]:
    """Results cells of an :class:`EmployeeCreated` (live, or as the journal recorded it) or of
    the request as sent.

    Empty values are left out, so they never blank a credential already in the cells.
    """
    data = created if isinstance(created, Mapping) else to_jsonable(created)
    cells = {
        column: data.get(_RENAMED.get(column, column))
        for column in ONBOARD_RESULT_FIELDS
        if column not in _OWN_COLUMNS
    }
    return {column: value for column, value in cells.items() if value not in (None, "")}


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
    return "" if error is None else f"{type(error).__name__}: {error}"


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
) -> JobReport:
    """Create every hire with :meth:`~AsyncBackofficeClient.create_employees`; stream outcomes
    to ``writer`` and a progress bar.

    The client draws blank PINs and passwords before journaling each row and, on a re-run,
    settles and finishes interrupted hires; this job only turns outcomes into result rows.

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

    Returns:
        The summary and screen lines. On cancellation ``report`` is flagged
        ``interrupted=True`` (after the items in flight were recorded) and the cancellation
        propagates.
    """
    for row, reason in invalid:
        writer.write({"row": row, "status": "invalid", "error": reason})
    report = JobReport(BulkSummary()) if report is None else report

    def record(outcome: Outcome[Any, EmployeeCreated]) -> None:
        hire = hires[outcome.index]
        cells = _hire_cells(hire)
        if outcome.status == "failed":
            cells["status"] = "failed"
            cells["error"] = _error_text(outcome.error)
            if outcome.error is not None and is_ambiguous(outcome.error):
                # Something may exist on the server: keep the secrets as sent (the item is the
                # request the client ran, PIN and password drawn), then what is known to exist.
                cells.update(_created_cells(outcome.item))
                cells.update(_created_cells(getattr(outcome.error, "partial", None) or {}))
            report.failures.append((hire.row, hire.key, cells["error"]))
            writer.write(cells)
            return
        done = outcome.result if outcome.result is not None else (outcome.recorded or {})
        cells.update(_created_cells(done))
        cells["status"] = "created" if outcome.status == "ok" else "done earlier"
        cells["resolved"] = outcome.resolved or None
        writer.write(cells)
        report.lines.append(
            (
                hire.row,
                cells["status"],
                f"{cells['first_name']} {cells['last_name']}",
                cells["pos_user_id"],
                cells.get("employee_id"),
                mask(cells.get("pos_pin")),
                cells.get("backoffice_username") or "",
                mask(cells.get("backoffice_password")),
            )
        )

    bulk = client.create_employees(
        [h.request for h in hires],
        journal=journal,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await _drive(bulk, console, "onboarding", len(hires), report)


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
    ``report`` works as for :func:`onboard`.
    """
    report = JobReport(BulkSummary()) if report is None else report

    def record(outcome: Outcome[Any, EmployeeDisabled]) -> None:
        leaver = leavers[outcome.index]
        cells: dict[str, Any] = {"row": leaver.row, "lookup": leaver.lookup}
        if outcome.status == "failed":
            cells["status"] = "failed"
            cells["error"] = _error_text(outcome.error)
            report.failures.append((leaver.row, leaver.lookup, cells["error"]))
        else:
            data: Mapping[str, Any] = (
                outcome.result.model_dump() if outcome.result is not None else {}
            ) or (outcome.recorded or {})
            cells.update({k: v for k, v in data.items() if k in OFFBOARD_RESULT_FIELDS})
            cells["status"] = "disabled" if outcome.status == "ok" else "done earlier"
            if data.get("was_already_inactive"):
                cells["status"] = "already inactive"
            report.lines.append(
                (
                    leaver.row,
                    cells["status"],
                    leaver.lookup,
                    f"{data.get('first_name', '')} {data.get('last_name', '')}".strip(),
                    data.get("employee_id"),
                    ", ".join(str(u) for u in data.get("backoffice_user_ids_disabled") or ()),
                )
            )
        if writer is not None:
            writer.write(cells)

    bulk = client.disable_employees(
        [leaver.request for leaver in leavers],
        journal=journal,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await _drive(bulk, console, "offboarding", len(leavers), report)


async def _drive(
    bulk: Bulk[Any, Any], console: Console, what: str, total: int, report: JobReport
) -> JobReport:
    """Run ``bulk`` behind a progress bar (plain progress lines off a terminal); ``report``
    gets its final summary (also when cancelled, flagged ``interrupted``, before the
    cancellation propagates)."""
    progress = make_progress(console)
    plain = None if console.is_terminal else PlainProgress(console, what, total)
    with progress:
        task = progress.add_task(what, total=total)
        try:
            async with bulk:
                async for outcome in bulk:
                    progress.advance(task)
                    if plain is not None:
                        plain.advance(failed=outcome.status == "failed")
        except anyio.get_cancelled_exc_class():
            report.interrupted = True
            raise
        finally:
            report.summary = bulk.summary
    return report


def onboard_tables(report: JobReport, *, limit: int = 60) -> list[Any]:
    """The screen tables of an onboarding report (secrets masked)."""
    columns = ["row", "status", "name", "POS id", "employee", "PIN", "BO user", "BO password"]
    return _tables(report, ("Onboarded", columns), ["row", "POS id", "error"], limit)


def offboard_tables(report: JobReport, *, limit: int = 60) -> list[Any]:
    """The screen tables of an offboarding report."""
    columns = ["row", "status", "lookup", "name", "employee", "BO users disabled"]
    return _tables(report, ("Offboarded", columns), ["row", "lookup", "error"], limit)


def _tables(
    report: JobReport, done: tuple[str, list[str]], failed: list[str], limit: int
) -> list[Any]:
    out: list[Any] = []
    if report.lines:
        lines = sorted(report.lines, key=lambda line: int(str(line[0])))
        out.append(table(done[0], done[1], lines, limit=limit))
    if report.failures:
        out.append(table("Failed rows", failed, sorted(report.failures)))
    return out


def summary_table(title: str, summary: BulkSummary, *, invalid: int = 0) -> Any:
    """Counts of a run as a small table."""
    rows: list[tuple[str, int]] = [
        ("done", summary.ok),
        ("failed", summary.failed),
        ("done earlier (journal)", summary.skipped),
    ]
    if summary.resolved:
        rows.append(("recovered from an interrupted run", summary.resolved))
    if invalid:
        rows.append(("skipped as invalid", invalid))
    return table(title, ["", "rows"], rows)
