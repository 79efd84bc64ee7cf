"""The ``onboard`` command: validate HIRES.csv (and, with ``--dry-run``, check it against the
tenant), then create its employees."""

from __future__ import annotations

from pathlib import Path

import click

from .. import AsyncBackofficeClient
from ..bulk import BulkSummary
from ._app import EXIT_INVALID_INPUT, AppState, cli, pass_state
from ._csv import ONBOARD_COLUMNS, HireRow, RowError, parse_hires, read_rows
from ._jobs import ONBOARD_RESULT_FIELDS, JobReport, check_tenant, onboard
from ._options import EXISTING, PATH, concurrency_options, resume_options
from ._output import print_row_errors
from ._runs import (
    bulk_client,
    invalid_reasons,
    journal_file,
    onboard_identity,
    report_invalid,
    resumes_out,
    run_files,
    run_job,
)


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

    Every row is validated first; any invalid row stops the run before anything is written
    (unless --skip-invalid). Results, including POS PINs and Backoffice passwords, go to
    --out row by row. Re-running the same command resumes: rows already created are skipped,
    interrupted ones are settled from the server, failed ones are retried. An existing --out
    is only continued by such a resume (or replaced with --overwrite).
    """
    journal_path = None if dry_run else journal_file(out, journal, no_journal)
    resume = False
    if not dry_run:
        resume = resumes_out(
            state, out, journal_path, overwrite=overwrite, fields=ONBOARD_RESULT_FIELDS
        )
    rows, header_errors = read_rows(hires_csv, ONBOARD_COLUMNS)
    hires, row_errors = parse_hires(rows)
    errors = header_errors + row_errors
    report_invalid(state, errors, skip_invalid=skip_invalid, total=len(rows))
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport | None:
        async with bulk_client(state, credentials, concurrency, sessions) as client:
            name_errors = await check_tenant(client, hires, check_unique=False)
            if name_errors:
                report_invalid(state, name_errors, skip_invalid=skip_invalid, total=len(rows))
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
            files = run_files(
                out,
                journal_path,
                resume=resume,
                fields=ONBOARD_RESULT_FIELDS,
                identity=onboard_identity,
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
                    invalid=invalid_reasons(errors),
                    report=report,
                )

    run_job(state, job, report, errors=errors, where=out, onboarding=True, journal=journal_path)


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
