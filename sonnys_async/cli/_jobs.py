"""The onboarding and offboarding jobs behind ``onboard``, ``offboard`` and ``demo``.

Each job streams :func:`sonnys_async.bulk.run_each` outcomes into a results CSV (row by row,
mode ``0600``) and a progress bar, with a journal so an interrupted run can be re-run safely.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
from rich.console import Console

from .. import sites
from .._ops import payloads as P
from .._secrets import generate_backoffice_password, generate_pos_pin
from ..bulk import Bulk, BulkSummary, Outcome, is_ambiguous, run_each
from ..domain import SiteTree
from ..errors import DuplicateError, NotFoundError
from ..journal import Journal
from ..models import EmployeeCreated, EmployeeDisabled
from ._csv import CsvRow, HireRow, LeaverRow, RowError
from ._output import ResultsWriter, make_progress, mask, table

if TYPE_CHECKING:
    from .._client import AsyncBackofficeClient

__all__ = [
    "OFFBOARD_RESULT_FIELDS",
    "ONBOARD_RESULT_FIELDS",
    "JobReport",
    "Onboarded",
    "check_tenant_names",
    "credential_filler",
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


@dataclass(frozen=True, slots=True)
class Onboarded:
    """What the results file records for one created employee (credentials included)."""

    row: int
    employee_id: int
    pos_user_id: int
    first_name: str
    last_name: str
    email: str
    pos_pin: int | None
    permission: str
    sites: tuple[str, ...] = ()
    backoffice_username: str | None = None
    backoffice_password: str | None = None
    backoffice_user_id: int | None = None
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Onboarded(row={self.row}, employee_id={self.employee_id})"

    @classmethod
    def from_created(cls, row: int, created: EmployeeCreated) -> Onboarded:
        """From the client's result."""
        return cls(
            row=row,
            employee_id=created.employee_id,
            pos_user_id=created.pos_user_id,
            first_name=created.first_name,
            last_name=created.last_name,
            email=created.email,
            pos_pin=created.pos_pin,
            permission=created.permission_applied,
            sites=tuple(created.sites_granted),
            backoffice_username=created.backoffice_username,
            backoffice_password=created.backoffice_password,
            backoffice_user_id=created.backoffice_user_id,
            warnings=tuple(created.warnings),
        )

    @classmethod
    def from_recorded(cls, data: Mapping[str, Any]) -> Onboarded:
        """From the JSON a journal recorded for it."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for name in ("sites", "warnings"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)

    def cells(self) -> dict[str, Any]:
        """The results-file columns."""
        return {
            "row": self.row,
            "pos_user_id": self.pos_user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "employee_id": self.employee_id,
            "pos_pin": self.pos_pin,
            "backoffice_username": self.backoffice_username,
            "backoffice_password": self.backoffice_password,
            "backoffice_user_id": self.backoffice_user_id,
            "permission": self.permission,
            "sites": self.sites,
            "warnings": self.warnings,
        }


@dataclass(slots=True)
class JobReport:
    """What a job did: its summary and the lines of its screen tables."""

    summary: BulkSummary
    #: (row, status, name, ids..., pin, password, note) as shown on screen (secrets masked).
    lines: list[tuple[object, ...]] = field(default_factory=list)
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    interrupted: bool = False


def credential_filler(journal: Journal | None) -> Callable[[CsvRow, dict[str, Any]], None]:
    """Fill a blank POS PIN / Backoffice password: reuse a journaled one, else generate.

    Reusing matters when a run was killed after an insert was applied but before its result
    was recorded: the employee exists with the PIN of the *earlier* run, which the journal's
    ``started`` entry holds.
    """

    def fill(row: CsvRow, data: dict[str, Any]) -> None:
        recorded: Mapping[str, Any] = {}
        if journal is not None:
            state = journal.state(str(data.get("pos_user_id", "")).strip())
            item = state.item if state is not None else None
            if isinstance(item, Mapping) and isinstance(item.get("request"), Mapping):
                recorded = item["request"]
        if "pos_pin" not in data:
            data["pos_pin"] = recorded.get("pos_pin") or generate_pos_pin()
        if data.get("requires_backoffice") and "backoffice_password" not in data:
            data["backoffice_password"] = (
                recorded.get("backoffice_password") or generate_backoffice_password()
            )

    return fill


async def check_tenant_names(
    client: AsyncBackofficeClient, hires: Sequence[HireRow]
) -> list[RowError]:
    """Check every row's sites, departments and templates against the tenant (reads only).

    Uses the same resolution rules as the client (``sites.resolve`` and the payload
    resolvers), so a row that passes here will not fail on a name later.
    """
    tree: SiteTree = await client.get_site_tree()
    departments = await client.list_departments()
    pos_templates = await client.list_pos_templates()
    needs_bo = any(h.request.requires_backoffice for h in hires)
    bo_templates = await client.list_backoffice_templates() if needs_bo else []
    errors: list[RowError] = []

    def check(row: int, name: str, resolve: Callable[[], object]) -> None:
        try:
            resolve()
        except NotFoundError as exc:
            errors.append(RowError(row, name, str(exc)))

    for hire in hires:
        req = hire.request
        row = hire.row
        check(row, "available_sites", partial(sites.resolve, tree, req.available_sites))
        check(row, "permission", partial(P.resolve_pos_template, pos_templates, req.permission))
        if req.departments:
            check(row, "departments", partial(P.resolve_departments, departments, req.departments))
        if req.wage_site is not None:
            check(row, "wage_site", partial(sites.resolve, tree, [req.wage_site]))
        if req.requires_backoffice:
            bo_name = req.backoffice_permission or req.permission
            check(
                row, "backoffice_permission", partial(P.resolve_bo_template, bo_templates, bo_name)
            )
    return errors


def _ambiguous_credentials(hire: HireRow, error: BaseException) -> dict[str, Any]:
    # Something may exist on the server with these credentials: keep them in the results.
    partial = getattr(error, "partial", None)
    cells: dict[str, Any] = {
        "pos_pin": hire.request.pos_pin,
        "backoffice_username": hire.request.backoffice_username,
        "backoffice_password": hire.request.backoffice_password,
    }
    if isinstance(partial, EmployeeCreated):
        cells.update(Onboarded.from_created(hire.row, partial).cells())
    return cells


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
) -> JobReport:
    """Create every hire; stream outcomes to ``writer`` and a progress bar.

    Args:
        client: An entered client.
        hires: Validated rows.
        writer: The results CSV.
        journal: Resume/record here (``None``: no journal).
        console: Where progress goes.
        max_at_once: Hires in flight at once.
        max_per_second: Hires started per second.
        invalid: ``(row, reason)`` of rows skipped as invalid, recorded in the results file.

    Returns:
        The summary and screen lines. On cancellation the report is still returned with
        ``interrupted=True`` after the items in flight were recorded; the caller re-raises.
    """
    for row, reason in invalid:
        writer.write({"row": row, "status": "invalid", "error": reason})

    async def create(hire: HireRow) -> Onboarded:
        created = await client.create_employee_from(hire.request)
        return Onboarded.from_created(hire.row, created)

    async def resolve(hire: HireRow) -> Onboarded | None:
        return await _resolve_hire(client, hire)

    report = JobReport(BulkSummary())

    def record(outcome: Outcome[HireRow, Onboarded]) -> None:
        hire = outcome.item
        cells = _hire_cells(hire)
        if outcome.status == "failed":
            cells["status"] = "failed"
            cells["error"] = _error_text(outcome.error)
            if outcome.error is not None and is_ambiguous(outcome.error):
                cells.update(_ambiguous_credentials(hire, outcome.error))
            report.failures.append((hire.row, hire.key, cells["error"]))
            writer.write(cells)
            return
        done = (
            outcome.result
            if outcome.result is not None
            else Onboarded.from_recorded(outcome.recorded or {})
        )
        cells.update(done.cells())
        cells["row"] = hire.row
        cells["status"] = "created" if outcome.status == "ok" else "done earlier"
        cells["resolved"] = outcome.resolved or None
        writer.write(cells)
        report.lines.append(
            (
                hire.row,
                cells["status"],
                f"{done.first_name} {done.last_name}",
                done.pos_user_id,
                done.employee_id,
                mask(done.pos_pin),
                done.backoffice_username or "",
                mask(done.backoffice_password),
            )
        )

    bulk = run_each(
        create,
        hires,
        key=_row_key,
        journal=journal,
        resolve=resolve,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await _drive(bulk, console, "onboarding", len(hires), report)


async def _resolve_hire(client: AsyncBackofficeClient, hire: HireRow) -> Onboarded | None:
    """Settle a hire whose earlier attempt was interrupted, from server state.

    Not on the server: ``None`` (send it again). On the server under the same name: finish
    what the interrupted run may not have done (POS template, linked Backoffice user) and
    report it with the PIN read from the edit page.
    """
    req = hire.request
    if not await client.pos_user_id_exists(req.pos_user_id):
        return None
    profile = await client.get_employee_profile(pos_user_id=req.pos_user_id)
    same = (profile.first_name.casefold(), profile.last_name.casefold()) == (
        req.first_name.casefold(),
        req.last_name.casefold(),
    )
    if not same:
        raise DuplicateError(
            f"POS User ID {req.pos_user_id} belongs to another employee",
            field="pos_user_id",
            value=req.pos_user_id,
        )
    warnings = ["recovered after an interrupted run"]
    permission = await client.get_employee_permission(pos_user_id=req.pos_user_id)
    if (permission.template_name or "").casefold() != req.permission.casefold():
        await client.modify_employee(pos_user_id=req.pos_user_id, permission=req.permission)
        warnings.append(f"POS template {req.permission!r} applied on resume")
    bo_user_id: int | None = None
    if req.requires_backoffice and req.backoffice_username:
        try:
            user = await client.create_backoffice_user(
                username=req.backoffice_username,
                permission=req.backoffice_permission or req.permission,
                password=req.backoffice_password,
                link_to_employee_pos_user_id=req.pos_user_id,
            )
            bo_user_id = user.user_id
            warnings.append("Backoffice user created on resume")
        except DuplicateError:
            warnings.append("Backoffice user already existed (password as journaled)")
    return Onboarded(
        row=hire.row,
        employee_id=profile.employee_id,
        pos_user_id=req.pos_user_id,
        first_name=profile.first_name,
        last_name=profile.last_name,
        email=profile.email or req.email,
        pos_pin=profile.pos_pin if profile.pos_pin is not None else req.pos_pin,
        permission=req.permission,
        sites=(("all",) if profile.available_sites == "all" else tuple(profile.available_sites)),
        backoffice_username=req.backoffice_username,
        backoffice_password=req.backoffice_password,
        backoffice_user_id=bo_user_id,
        warnings=tuple(warnings),
    )


async def offboard(
    client: AsyncBackofficeClient,
    leavers: Sequence[LeaverRow],
    *,
    writer: ResultsWriter | None,
    journal: Journal | None,
    console: Console,
    max_at_once: int,
    max_per_second: float | None,
) -> JobReport:
    """Disable every leaver (and, if asked per row, their Backoffice logins).

    Disabling is idempotent (an inactive employee is reported, not re-posted), so an
    interrupted journaled item is simply run again.
    """

    async def disable(leaver: LeaverRow) -> EmployeeDisabled:
        return await client.disable_employee_from(leaver.request)

    async def resolve(leaver: LeaverRow) -> EmployeeDisabled | None:
        return None

    report = JobReport(BulkSummary())

    def record(outcome: Outcome[LeaverRow, EmployeeDisabled]) -> None:
        leaver = outcome.item
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

    bulk = run_each(
        disable,
        leavers,
        key=_row_key,
        journal=journal,
        resolve=resolve,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await _drive(bulk, console, "offboarding", len(leavers), report)


def _row_key(row: HireRow | LeaverRow) -> str:
    return row.key


async def _drive(
    bulk: Bulk[Any, Any], console: Console, what: str, total: int, report: JobReport
) -> JobReport:
    """Run ``bulk`` behind a progress bar; ``report`` gets its final summary (also when
    cancelled, flagged ``interrupted``, before the cancellation propagates)."""
    progress = make_progress(console)
    with progress:
        task = progress.add_task(what, total=total)
        try:
            async with bulk:
                async for _ in bulk:
                    progress.advance(task)
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
