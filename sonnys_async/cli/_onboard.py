"""The ``onboard`` command: validate HIRES.csv (and, with ``--dry-run``, check it against the
tenant), then create its employees."""

from __future__ import annotations

from pathlib import Path

import click

from .. import AsyncBackofficeClient
from ..bulk import BulkSummary
from ..errors import BackofficeError
from ..models import CreateEmployeeRequest
from ._app import EXIT_INVALID_INPUT, AppState, cli, pass_state
from ._csv import ONBOARD_COLUMNS, HireRow, RowError, _hire_fields, parse_hires, read_rows
from ._jobs import (
    ONBOARD_RESULT_FIELDS,
    SECRET_COLUMNS,
    JobReport,
    check_tenant,
    journaled_credentials,
    onboard,
)
from ._lifecycle_checks import check_names
from ._options import EXISTING, PATH, concurrency_options, resume_options
from ._output import print_row_errors
from ._partial import partial_rows
from ._runs import (
    RunFiles,
    bulk_client,
    invalid_reasons,
    journal_file,
    onboard_identity,
    report_file_errors,
    report_invalid,
    resumes_out,
    run_job,
    tenant_of,
    warn_formulas,
)
from ._safety import plain


@cli.command("onboard", short_help="Create the employees of HIRES.csv.")
@click.argument("hires_csv", metavar="HIRES.csv", type=EXISTING)
@click.option("--out", type=PATH, required=True, help="Results CSV (created with mode 0600).")
@concurrency_options
@click.option("--dry-run", is_flag=True, help="Validate against the tenant; write nothing.")
@resume_options
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

    Every row is validated first, against the tenant too (names, values already taken); every
    problem is reported at once, and any invalid row stops the run before anything is written
    (unless --skip-invalid). Results, including POS PINs and Backoffice passwords, go to
    --out row by row. Re-running the same command resumes: rows already created are skipped,
    interrupted ones are settled from the server, failed ones are retried. An existing --out
    is only continued by such a resume (or replaced with --overwrite).
    """
    journal_path = journal_file(
        state, out, journal, no_journal, inputs=[("the input CSV", hires_csv)]
    )
    resume = False
    if not dry_run:
        resume = resumes_out(
            state, out, journal_path, overwrite=overwrite, fields=ONBOARD_RESULT_FIELDS
        )
    rows, read_errors = read_rows(hires_csv, ONBOARD_COLUMNS)
    report_file_errors(state, read_errors)  # a file or header problem: before any login
    warn_formulas(state, rows)
    hires, row_errors = parse_hires(rows)
    errors = read_errors + row_errors
    # Rows that will not run (invalid, duplicates): their names are checked all the same.
    partial = partial_rows(rows, CreateEmployeeRequest, _hire_fields, valid={h.row for h in hires})
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport | None:
        async with bulk_client(state, credentials, concurrency, sessions) as client:
            files = RunFiles(
                out,
                journal_path,
                resume=resume,
                fields=ONBOARD_RESULT_FIELDS,
                identity=onboard_identity,
                secrets=SECRET_COLUMNS,
                dry_run=dry_run,
            )
            with files:
                # Before any request: the journal must be this tenant's, and free.
                known = files.check(tenant_of(client))
                await _login(state, client, errors)
                # Every problem of every row in one report: shapes, then against the tenant
                # (names, and values already taken; rows the journal knows: names only).
                errors.extend(await check_tenant(client, hires, check_unique=True, journal=known))
                errors.extend(await check_names(client, partial, pos=True))
                if dry_run:
                    _dry_run_report(state, hires, errors)
                    return None
                report_invalid(state, errors, skip_invalid=skip_invalid, total=len(rows))
                bad = {e.row for e in errors}
                # Only now, every check passed, is anything created: exit 2 writes nothing.
                with files.open() as (writer, opened):
                    assert writer is not None
                    return await onboard(
                        client,
                        [h for h in hires if h.row not in bad],
                        writer=writer,
                        journal=opened,
                        console=state.console,
                        max_at_once=concurrency,
                        max_per_second=rate,
                        invalid=invalid_reasons(errors),
                        report=report,
                        earlier=journaled_credentials(known),
                    )

    run_job(
        state,
        job,
        report,
        errors=errors,
        where=out,
        onboarding=True,
        journal=journal_path,
        holds="credentials: POS PINs and Backoffice passwords",
    )


async def _login(state: AppState, client: AsyncBackofficeClient, errors: list[RowError]) -> None:
    """Log in once, up front (a refused login is tried once: exit 3); the row problems found
    so far are printed first, so they are not lost to the login error."""
    try:
        await client.login()
    except BackofficeError:
        if errors:
            print_row_errors(state.err, sorted(set(errors), key=_order), title="Row problems")
        raise


def _order(e: RowError) -> tuple[int, str, str]:
    return (e.row, e.field, e.reason)


def _dry_run_report(state: AppState, hires: list[HireRow], errors: list[RowError]) -> None:
    """Print every problem found (shapes, names, taken values; reads only) and what a run
    would create; exit 2 when any row has a problem.

    The server treats POS User ID, e-mail and phone as unique (protocol §4, §16.4) and
    Backoffice usernames are unique logins, so a row that would collide is reported now
    rather than failing (or worse, being settled against someone else's record) mid-run.
    """
    problems = sorted(set(errors), key=_order)
    if problems:
        print_row_errors(state.err, problems, title="Problems")
    bad = {e.row for e in problems}
    would = sum(1 for h in hires if h.row not in bad)
    state.console.print(
        plain(
            f"dry run: {would} row(s) would be created; {len(bad)} row(s) have problems; "
            "nothing was written"
        )
    )
    if problems:
        raise SystemExit(EXIT_INVALID_INPUT)
