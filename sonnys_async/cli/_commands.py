"""Commands that talk to a tenant: onboard, offboard, employees export, sites, departments,
templates, and the demo."""

from __future__ import annotations

import contextlib
import csv
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import click

from ..bulk import BulkSummary
from ..data import sample_path
from ..journal import Journal, open_private
from ..models import ActiveFilter
from . import _offline  # noqa: F401  (registers the offline commands)
from ._app import (
    EXIT_FAILED_ROWS,
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    AppState,
    Credentials,
    cli,
    fail,
    open_client,
    pass_state,
    run_async,
)
from ._csv import (
    OFFBOARD_COLUMNS,
    ONBOARD_COLUMNS,
    HireRow,
    RowError,
    parse_hires,
    parse_leavers,
    read_rows,
)
from ._jobs import (
    OFFBOARD_RESULT_FIELDS,
    ONBOARD_RESULT_FIELDS,
    JobReport,
    check_tenant,
    offboard,
    offboard_tables,
    onboard,
    onboard_tables,
    summary_table,
)
from ._output import (
    LockHeldError,
    ResultsWriter,
    exclusive_lock,
    print_row_errors,
    read_header,
    table,
)

if TYPE_CHECKING:
    from .._client import AsyncBackofficeClient

T = TypeVar("T")

_PATH = click.Path(dir_okay=False, path_type=Path)
_EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def _options(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several click options as one decorator (listed in ``--help`` in the order given)."""

    def apply(f: Any) -> Any:
        for option in reversed(options):
            f = option(f)
        return f

    return apply


_concurrency_options = _options(
    click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=4,
        show_default=True,
        help="Rows in flight at once.",
    ),
    click.option(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help="At most this many rows started per second.",
    ),
    click.option(
        "--sessions",
        type=click.IntRange(1, 16),
        default=1,
        show_default=True,
        help="Backoffice logins to spread the rows over (at most --concurrency). One is the "
        "safe start on a production tenant; see docs/cli.md before raising it.",
    ),
)

_resume_options = _options(
    click.option(
        "--journal",
        type=_PATH,
        default=None,
        help="Journal for resuming (default: the --out file name + .journal.jsonl).",
    ),
    click.option("--no-journal", is_flag=True, help="Do not keep a journal."),
    click.option("--skip-invalid", is_flag=True, help="Skip invalid rows instead of stopping."),
    click.option(
        "--overwrite",
        is_flag=True,
        help="Replace an existing --out file that this run does not resume (its rows are lost).",
    ),
)


def _journal_path(out: Path | None, journal: Path | None, no_journal: bool) -> Path | None:
    if no_journal:
        return None
    if journal is not None:
        return journal
    return None if out is None else out.with_name(out.name + ".journal.jsonl")


def _report_invalid(
    state: AppState, errors: list[RowError], *, skip_invalid: bool, total: int
) -> None:
    if not errors:
        return
    bad_rows = len({e.row for e in errors})
    title = f"{len(errors)} problem(s) in {bad_rows} row(s)"
    print_row_errors(state.err, errors, title=title)
    if not skip_invalid or any(e.row == 1 for e in errors):
        fail(
            state,
            f"nothing was written: fix the rows above (of {total}), or pass --skip-invalid",
            EXIT_INVALID_INPUT,
        )
    state.err.print(f"skipping {bad_rows} invalid row(s) (--skip-invalid)")


def _invalid_reasons(errors: list[RowError]) -> list[tuple[int, str]]:
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"{e.field}: {e.reason}")
    return [(row, "; ".join(reasons)) for row, reasons in sorted(by_row.items())]


def _bulk_client(
    state: AppState, credentials: Credentials | None, concurrency: int, sessions: int
) -> AbstractAsyncContextManager[AsyncBackofficeClient]:
    # PHP serialises the requests of one session, so more logins are what make a tenant
    # faster (docs/benchmarks.md); but the tenant is production-only, several live sessions
    # of one bot user were never observed, and the authors advise pacing and no parallel use
    # of one login (protocol §18.4, §20): the pool is opt-in (--sessions, default 1) and never
    # larger than the rows in flight.
    return open_client(
        state,
        credentials,
        max_concurrency=max(concurrency, 2),
        sessions=min(sessions, concurrency),
    )


def _resumes_out(
    state: AppState,
    out: Path | None,
    journal_path: Path | None,
    *,
    overwrite: bool,
    fields: Sequence[str],
) -> bool:
    """Whether an existing ``out`` is continued (``True``) or created afresh; exits with 2
    when it exists and this run neither resumes it nor may overwrite it.

    A results file can hold the only copy of Backoffice passwords, so it is never truncated
    silently: only a run resuming from its journal (same --out / --journal) continues it,
    and ``--overwrite`` replaces it.
    """
    if out is None or not out.exists() or overwrite:
        return False
    header = read_header(out)
    if journal_path is not None and journal_path.exists():
        if header is not None and tuple(header) != tuple(fields):
            fail(
                state,
                f"{out} exists and is not a results file of this command; choose another "
                "--out, or pass --overwrite to replace it",
                EXIT_INVALID_INPUT,
            )
        return True
    why = "--no-journal" if journal_path is None else f"no journal at {journal_path}"
    fail(
        state,
        f"{out} already exists and this run does not resume it ({why}); it may hold the only "
        "copy of earlier credentials. Choose another --out, or pass --overwrite to replace it",
        EXIT_INVALID_INPUT,
    )


def _onboard_identity(row: Mapping[str, str]) -> str:
    # The journal key of a hire; rows without one (invalid rows) by input row.
    return row.get("pos_user_id") or f"row {row.get('row')}"


def _offboard_identity(row: Mapping[str, str]) -> str:
    return (row.get("lookup") or "").casefold() or f"row {row.get('row')}"


@contextlib.contextmanager
def _run_files(
    out: Path | None,
    journal_path: Path | None,
    *,
    resume: bool,
    fields: Sequence[str],
    identity: Callable[[Mapping[str, str]], str],
) -> Iterator[tuple[ResultsWriter | None, Journal | None]]:
    """Lock and open the journal, then open the results file (appending when ``resume``).

    Called only once every check has passed, so a run that exits with 2 wrote nothing.

    Raises:
        LockHeldError: Another run holds the journal.
    """
    with contextlib.ExitStack() as stack:
        journal = None
        if journal_path is not None:
            stack.enter_context(exclusive_lock(journal_path))
            journal = stack.enter_context(Journal(journal_path))
        writer = None
        if out is not None:
            keep = identity if resume else None
            writer = stack.enter_context(ResultsWriter(out, fields, keep=keep))
        yield writer, journal


def _run_job(
    state: AppState,
    fn: Callable[[], Awaitable[JobReport | None]],
    report: JobReport,
    *,
    errors: list[RowError],
    where: Path | None,
    onboarding: bool,
    journal: Path | None,
) -> None:
    """Run a bulk command's job, then print its report; Ctrl-C prints the report so far.

    A journal held by another run exits with 2. ``errors`` is read at the end, because the
    tenant checks inside the job add to it.
    """

    def finish(done: JobReport) -> None:
        invalid = len({e.row for e in errors})
        _finish(state, done, invalid=invalid, where=where, onboarding=onboarding, journal=journal)

    def interrupted() -> None:
        report.interrupted = True
        finish(report)

    try:
        done = run_async(state, fn, on_interrupt=interrupted)
    except LockHeldError as exc:
        fail(
            state,
            f"{exc}: two runs sharing a journal would redo each other's rows; wait for the "
            "other run to finish, or give this one its own --out/--journal",
            EXIT_INVALID_INPUT,
        )
    if done is not None:
        finish(done)


def _finish(
    state: AppState,
    report: JobReport,
    *,
    invalid: int,
    where: Path | None,
    onboarding: bool,
    journal: Path | None,
) -> None:
    _print_report(state, report, invalid=invalid, onboarding=onboarding)
    if report.interrupted:
        if journal is not None:
            hint = f"run the same command again to resume (journal: {journal})"
        else:
            hint = "no journal was kept (--no-journal), so running it again redoes every row"
        state.err.print(
            f"interrupted: rows in flight were finished and recorded; {hint}",
            markup=False,
            soft_wrap=True,
        )
        if where is not None:
            state.err.print(f"results so far: {where}", markup=False, soft_wrap=True)
        raise SystemExit(EXIT_INTERRUPTED)
    if where is not None:
        state.console.print(f"results: {where} (mode 0600; holds credentials)")
    if report.summary.failed or invalid or not report.summary.all_ok:
        raise SystemExit(EXIT_FAILED_ROWS)


# ------------------------------------------------------------------------------------- onboard


@cli.command("onboard", short_help="Create the employees of HIRES.csv.")
@click.argument("hires_csv", metavar="HIRES.csv", type=_EXISTING)
@click.option("--out", type=_PATH, required=True, help="Results CSV (created with mode 0600).")
@_concurrency_options
@click.option("--dry-run", is_flag=True, help="Validate against the tenant; write nothing.")
@_resume_options
@pass_state
def onboard_cmd(
    state: AppState,
    hires_csv: Path,
    out: Path,
    concurrency: int,
    rate: float | None,
    sessions: int,
    dry_run: bool,
    journal: Path | None,
    no_journal: bool,
    skip_invalid: bool,
    overwrite: bool,
) -> None:
    """Create the employees of HIRES.csv (see `template-csv onboard --describe`).

    Every row is validated first; any invalid row stops the run before anything is written
    (unless --skip-invalid). Results, including POS PINs and Backoffice passwords, go to
    --out row by row. Re-running the same command resumes: rows already created are skipped,
    interrupted ones are settled from the server, failed ones are retried. An existing --out
    is only continued by such a resume (or replaced with --overwrite).
    """
    journal_path = None if dry_run else _journal_path(out, journal, no_journal)
    resume = False
    if not dry_run:
        resume = _resumes_out(
            state, out, journal_path, overwrite=overwrite, fields=ONBOARD_RESULT_FIELDS
        )
    rows, header_errors = read_rows(hires_csv, ONBOARD_COLUMNS)
    hires, row_errors = parse_hires(rows)
    errors = header_errors + row_errors
    _report_invalid(state, errors, skip_invalid=skip_invalid, total=len(rows))
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport | None:
        async with _bulk_client(state, credentials, concurrency, sessions) as client:
            name_errors = await check_tenant(client, hires, check_unique=False)
            if name_errors:
                _report_invalid(state, name_errors, skip_invalid=skip_invalid, total=len(rows))
                errors.extend(name_errors)
                bad = {e.row for e in name_errors}
                good = [h for h in hires if h.row not in bad]
            else:
                good = list(hires)
            if dry_run:
                await _dry_run(state, client, good, errors)
                return None
            # Only now, every check passed, is anything created: exit 2 writes nothing. The
            # client reuses the journal's PINs and passwords for rows an earlier run may have
            # sent, and draws the others before journaling them.
            files = _run_files(
                out,
                journal_path,
                resume=resume,
                fields=ONBOARD_RESULT_FIELDS,
                identity=_onboard_identity,
            )
            with files as (writer, opened):
                assert writer is not None
                return await onboard(
                    client,
                    good,
                    writer=writer,
                    journal=opened,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=rate,
                    invalid=_invalid_reasons(errors),
                    report=report,
                )

    _run_job(state, job, report, errors=errors, where=out, onboarding=True, journal=journal_path)


async def _dry_run(
    state: AppState,
    client: AsyncBackofficeClient,
    hires: list[HireRow],
    errors: list[RowError],
) -> None:
    """Report the rows whose unique values are taken on the tenant (reads only).

    The server treats POS User ID, e-mail and phone as unique (protocol §4, §16.4) and
    Backoffice usernames are unique logins, so a row that would collide is reported now
    rather than failing (or worse, being settled against someone else's record) mid-run.
    """
    found = await check_tenant(client, hires, check_unique=True)
    taken = [e for e in found if (e.row, e.field) not in {(x.row, x.field) for x in errors}]
    if taken:
        print_row_errors(
            state.err, sorted(taken, key=lambda e: (e.row, e.field)), title="Not available"
        )
    bad = {e.row for e in taken}
    state.console.print(
        f"dry run: {len(hires) - len(bad)} row(s) would be created; "
        f"{len({e.row for e in errors + taken})} row(s) have problems; nothing was written"
    )
    if errors or taken:
        raise SystemExit(EXIT_INVALID_INPUT)


def _print_report(state: AppState, report: JobReport, *, invalid: int, onboarding: bool) -> None:
    tables = onboard_tables(report) if onboarding else offboard_tables(report)
    for t in tables:
        state.console.print(t)
    title = "Onboarding summary" if onboarding else "Offboarding summary"
    state.console.print(summary_table(title, report.summary, invalid=invalid))


# ------------------------------------------------------------------------------------ offboard


@cli.command("offboard", short_help="Disable the employees of LEAVERS.csv.")
@click.argument("leavers_csv", metavar="LEAVERS.csv", type=_EXISTING)
@click.option("--out", type=_PATH, default=None, help="Results CSV (mode 0600).")
@_concurrency_options
@click.option(
    "--disable-backoffice-user",
    is_flag=True,
    help="Also deactivate each leaver's linked Backoffice login.",
)
@_resume_options
@pass_state
def offboard_cmd(
    state: AppState,
    leavers_csv: Path,
    out: Path | None,
    concurrency: int,
    rate: float | None,
    sessions: int,
    disable_backoffice_user: bool,
    journal: Path | None,
    no_journal: bool,
    skip_invalid: bool,
    overwrite: bool,
) -> None:
    """Disable the employees of LEAVERS.csv (by POS User ID, e-mail, or name).

    Disabling an employee does not end their Backoffice login unless
    --disable-backoffice-user is given. Every row is checked against the tenant on every run
    (an already inactive leaver costs reads only), so a rehire who leaves again is disabled
    again, and a re-run with --disable-backoffice-user ends the logins a first run left.
    """
    journal_path = _journal_path(out, journal, no_journal)
    resume = _resumes_out(
        state, out, journal_path, overwrite=overwrite, fields=OFFBOARD_RESULT_FIELDS
    )
    rows, header_errors = read_rows(leavers_csv, OFFBOARD_COLUMNS)
    leavers, row_errors = parse_leavers(rows, disable_backoffice_user=disable_backoffice_user)
    errors = header_errors + row_errors
    _report_invalid(state, errors, skip_invalid=skip_invalid, total=len(rows))
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport:
        async with _bulk_client(state, credentials, concurrency, sessions) as client:
            files = _run_files(
                out,
                journal_path,
                resume=resume,
                fields=OFFBOARD_RESULT_FIELDS,
                identity=_offboard_identity,
            )
            with files as (writer, opened):
                if writer is not None:
                    for row, reason in _invalid_reasons(errors):
                        writer.write({"row": row, "status": "invalid", "error": reason})
                return await offboard(
                    client,
                    leavers,
                    writer=writer,
                    journal=opened,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=rate,
                    report=report,
                )

    _run_job(state, job, report, errors=errors, where=out, onboarding=False, journal=journal_path)


# ------------------------------------------------------------------------------- tenant reads


def _read(state: AppState, read: Callable[[AsyncBackofficeClient], Awaitable[T]]) -> T:
    """Log in (credentials first: prompting blocks), run one read, return its result."""
    credentials = state.credentials()

    async def job() -> T:
        async with open_client(state, credentials) as client:
            return await read(client)

    return run_async(state, job)


@cli.group("employees")
def employees_group() -> None:
    """Read the employee roster."""


_EXPORT_FIELDS = (
    "employee_id",
    "pos_user_id",
    "first_name",
    "last_name",
    "phone",
    "is_active",
    "site_codes",
    "departments",
    "access",
    "wage_type",
)


@employees_group.command("export")
@click.argument("out", metavar="OUT.csv", type=_PATH)
@click.option(
    "--active",
    type=click.Choice(["all", "active", "inactive"]),
    default="active",
    show_default=True,
    help="Which employees.",
)
@pass_state
def employees_export(state: AppState, out: Path, active: str) -> None:
    """Write the roster to OUT.csv (mode 0600: it holds personal data)."""
    which: ActiveFilter = (
        "all" if active == "all" else "inactive" if active == "inactive" else "active"
    )
    employees = _read(state, lambda client: client.list_employees(active=which))
    with open_private(out) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(_EXPORT_FIELDS)
        for e in employees:
            writer.writerow(
                [
                    ";".join(v) if isinstance(v, tuple) else ("" if v is None else v)
                    for v in (getattr(e, name) for name in _EXPORT_FIELDS)
                ]
            )
    state.console.print(f"{len(employees)} employee(s) written to {out}")


@cli.command("sites", short_help="List the tenant's sites.")
@pass_state
def sites_cmd(state: AppState) -> None:
    """List the tenant's sites (id, long name, short code, district, region)."""
    tree = _read(state, lambda client: client.get_site_tree())
    regions = {r.id: r.name for r in tree.regions}
    districts = {d.id: d.name for d in tree.districts}
    rows = (
        (
            s.id,
            s.name,
            s.code or "",
            districts.get(s.district_id, "") if s.district_id is not None else "",
            regions.get(s.region_id, "") if s.region_id is not None else "",
        )
        for s in tree.sites
    )
    state.console.print(table("Sites", ["id", "name", "code", "district", "region"], rows))


@cli.command("departments")
@pass_state
def departments_cmd(state: AppState) -> None:
    """List the tenant's departments."""
    departments = _read(state, lambda client: client.list_departments())
    state.console.print(table("Departments", ["id", "name"], ((d.id, d.name) for d in departments)))


@cli.command("templates")
@pass_state
def templates_cmd(state: AppState) -> None:
    """List the POS and Backoffice permission templates."""

    async def both(client: AsyncBackofficeClient) -> tuple[Any, Any]:
        return await client.list_pos_templates(), await client.list_backoffice_templates()

    pos, bo = _read(state, both)
    state.console.print(
        table(
            "POS templates",
            ["id", "name", "permissions", "manager overrides"],
            ((t.id, t.name, len(t.grants), len(t.overrides)) for t in pos),
        )
    )
    state.console.print(
        table(
            "Backoffice templates",
            ["id", "name", "permissions"],
            ((t.id, t.name, len(t.tokens)) for t in bo),
        )
    )


# ---------------------------------------------------------------------------------------- demo


@cli.command("demo", short_help="Try it: onboard 50 sample hires into a sandbox.")
@click.option("--out", type=_PATH, default=None, help="Results CSV (default: a new temp dir).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    help="Rows in flight at once.",
)
@click.option(
    "--latency-ms",
    type=float,
    default=15.0,
    show_default=True,
    help="Simulated network latency per request.",
)
@pass_state
def demo_cmd(state: AppState, out: Path | None, concurrency: int, latency_ms: float) -> None:
    """Onboard ~50 sample hires into an in-process sandbox, offboard a few, show the results.

    Needs no tenant and no credentials; finishes in seconds.
    """
    from ..sandbox import Sandbox, SandboxOptions

    state.use_sandbox = True
    if state.sandbox_instance is None:
        state.sandbox_instance = Sandbox(SandboxOptions(latency_ms=latency_ms))
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="sonnys-demo-")) / "sonnys-demo-results.csv"
    hires_rows, header_errors = read_rows(sample_path("sample_hires.csv"), ONBOARD_COLUMNS)
    hires, row_errors = parse_hires(hires_rows)
    leaver_rows, leaver_header = read_rows(sample_path("sample_leavers.csv"), OFFBOARD_COLUMNS)
    leavers, leaver_errors = parse_leavers(leaver_rows, disable_backoffice_user=True)
    problems = header_errors + row_errors + leaver_header + leaver_errors
    if problems:  # pragma: no cover - the bundled samples are tested
        print_row_errors(state.err, problems, title="bundled sample is invalid")
        raise SystemExit(EXIT_INVALID_INPUT)
    sb = state.sandbox()
    state.console.print(
        f"[bold]demo[/]: in-process sandbox tenant at {sb.base_url} "
        f"({len(sb.state.employees)} employees), {concurrency} rows at a time"
    )
    started = 0.0

    async def job() -> tuple[JobReport, JobReport, float]:
        nonlocal started
        started = anyio.current_time()
        async with open_client(
            state, None, max_concurrency=concurrency * 2, sessions=concurrency
        ) as client:
            with ResultsWriter(out, ONBOARD_RESULT_FIELDS) as writer:
                hired = await onboard(
                    client,
                    hires,
                    writer=writer,
                    journal=None,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=None,
                )
            left = await offboard(
                client,
                leavers,
                writer=None,
                journal=None,
                console=state.console,
                max_at_once=concurrency,
                max_per_second=None,
            )
            return hired, left, anyio.current_time() - started

    hired, left, elapsed = run_async(state, job)
    _print_report(state, hired, invalid=0, onboarding=True)
    _print_report(state, left, invalid=0, onboarding=False)
    state.console.print(
        f"{hired.summary.ok} hired and {left.summary.ok} offboarded in {elapsed:.1f} s; "
        f"PINs and passwords are masked here."
    )
    state.console.print(f"results: {out} (mode 0600; holds the real PINs and passwords)")
    if not (hired.summary.all_ok and left.summary.all_ok):
        raise SystemExit(EXIT_FAILED_ROWS)
