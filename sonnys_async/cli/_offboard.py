"""The ``offboard`` command: validate LEAVERS.csv, then disable its employees."""

from __future__ import annotations

from pathlib import Path

import click

from ..bulk import BulkSummary
from ._app import AppState, cli, pass_state
from ._csv import OFFBOARD_COLUMNS, parse_leavers, read_rows
from ._jobs import OFFBOARD_RESULT_FIELDS, JobReport, offboard
from ._options import EXISTING, PATH, concurrency_options, resume_options
from ._runs import (
    RunFiles,
    bulk_client,
    invalid_reasons,
    journal_file,
    offboard_identity,
    report_file_errors,
    report_invalid,
    resumes_out,
    run_job,
    tenant_of,
    warn_formulas,
)


@cli.command("offboard", short_help="Disable the employees of LEAVERS.csv.")
@click.argument("leavers_csv", metavar="LEAVERS.csv", type=EXISTING)
@click.option("--out", type=PATH, default=None, help="Results CSV (mode 0600).")
@concurrency_options
@click.option(
    "--disable-backoffice-user",
    is_flag=True,
    help="Also deactivate each leaver's linked Backoffice login.",
)
@resume_options
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
    journal_path = journal_file(
        state, out, journal, no_journal, inputs=[("the input CSV", leavers_csv)]
    )
    resume = resumes_out(
        state, out, journal_path, overwrite=overwrite, fields=OFFBOARD_RESULT_FIELDS
    )
    rows, read_errors = read_rows(leavers_csv, OFFBOARD_COLUMNS)
    report_file_errors(state, read_errors)
    warn_formulas(state, rows)
    leavers, row_errors = parse_leavers(rows, disable_backoffice_user=disable_backoffice_user)
    errors = read_errors + row_errors
    report_invalid(state, errors, skip_invalid=skip_invalid, total=len(rows))
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport:
        async with bulk_client(state, credentials, concurrency, sessions) as client:
            files = RunFiles(
                out,
                journal_path,
                resume=resume,
                fields=OFFBOARD_RESULT_FIELDS,
                identity=offboard_identity,
            )
            with files:
                files.check(tenant_of(client))  # before any request
                # One login up front: a refused or unreachable Backoffice stops here (exit 3),
                # before a journal or results file exists.
                await client.login()
                with files.open() as (writer, opened):
                    if writer is not None:
                        for row, reason in invalid_reasons(errors):
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

    run_job(
        state,
        job,
        report,
        errors=errors,
        where=out,
        onboarding=False,
        journal=journal_path,
        holds="personal data",  # names and ids: no PIN or password
    )
