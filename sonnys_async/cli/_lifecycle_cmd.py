"""The flow every staff-lifecycle bulk command shares (``modify``, ``rehire``, ``users
create|modify|disable|reactivate``), in the order ``onboard`` / ``offboard`` use:

0. the file itself (not UTF-8, blank, header only, unknown columns): exit 2 before any login;
1. every row's shape, duplicate keys (invalid rows' valid cells compared too);
2. one login (refused or unreachable: exit 3; the problems found so far printed first), the
   journal bound to the tenant and locked, then every row against the tenant (names, of
   invalid rows too; with ``--dry-run`` who each row names): all problems of steps 1 and 2
   at once, exit 2 before anything is written (unless ``--skip-invalid``). A command with
   nothing to check on the tenant (``users disable``) exits at step 1, before any login;
3. the rows, journaled, results written row by row; the report; exit 0/1 (3: login refused
   mid-run; 4: the Backoffice stopped answering; 130: Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from .. import AsyncBackofficeClient
from ..bulk import BulkSummary
from ..errors import BackofficeError
from ._app import EXIT_INVALID_INPUT, AppState
from ._csv import Column, CsvRow, RowError, read_rows
from ._jobs import JobReport
from ._lifecycle_checks import check_names
from ._lifecycle_csv import LifecycleRow, partial_changes
from ._lifecycle_jobs import Kind, journaled_secrets, print_lifecycle, run_rows
from ._options import PATH, concurrency_options, option_group, resume_options
from ._output import print_row_errors
from ._runs import (
    RunFiles,
    bulk_client,
    invalid_reasons,
    journal_file,
    report_file_errors,
    report_invalid,
    resumes_out,
    run_job,
    tenant_of,
    warn_formulas,
)
from ._safety import plain

__all__ = ["Command", "Options", "bulk_options", "options_of", "run_command"]

Parser = Callable[[Sequence[CsvRow]], tuple[list[LifecycleRow], list[RowError]]]
TenantCheck = Callable[..., Awaitable[list[RowError]]]


@dataclass(frozen=True)
class Command:
    """One lifecycle command: its columns, row parser, tenant checks and report.

    Args:
        name: As typed (``users create``).
        kind: How its outcomes are reported.
        columns: The CSV columns.
        parse: Rows to validated requests.
        check: ``(client, rows, *, dry_run, journal)``: the rows' problems on the tenant.
        verb: What a row does (``modified``), for the dry run's summary.
        summary: Title of the summary table.
        model: The request model of a row (to name-check rows that will not run).
        pos_permission: Whether ``permission`` names a POS template (``None``: the rows name
            nothing to check on the tenant).
    """

    name: str
    kind: Kind
    columns: tuple[Column, ...]
    parse: Parser
    check: TenantCheck
    verb: str
    summary: str
    model: type[BaseModel] | None = None
    pos_permission: bool | None = None


@dataclass(frozen=True)
class Options:
    """The options every lifecycle bulk command takes."""

    out: Path | None
    concurrency: int
    rate: float | None
    sessions: int
    dry_run: bool
    journal: Path | None
    no_journal: bool
    skip_invalid: bool
    overwrite: bool


def _order(e: RowError) -> tuple[int, str, str]:
    return (e.row, e.field, e.reason)


def run_command(state: AppState, command: Command, source: Path, options: Options) -> None:
    """Validate ``source``, check it against the tenant, and (unless ``--dry-run``) run it."""
    o = options
    kind = command.kind
    journal_path = journal_file(
        state, o.out, o.journal, o.no_journal, inputs=[("the input CSV", source)]
    )
    resume = False
    if not o.dry_run:
        resume = resumes_out(state, o.out, journal_path, overwrite=o.overwrite, fields=kind.fields)
    rows, read_errors = read_rows(source, command.columns)
    report_file_errors(state, read_errors)  # a file or header problem: before any login
    warn_formulas(state, rows)
    parsed, row_errors = command.parse(rows)
    report_file_errors(state, row_errors)  # a lookup column missing from the header
    errors = read_errors + row_errors
    partial: list[Any] = []
    if command.model is not None and command.pos_permission is not None:
        partial = partial_changes(rows, command.model, {r.row for r in parsed})
    elif not o.dry_run:
        # Nothing to check on the tenant: every problem at once, before any login.
        report_invalid(state, errors, skip_invalid=o.skip_invalid, total=len(rows))
    credentials = state.credentials()
    report = JobReport(BulkSummary())

    async def job() -> JobReport | None:
        async with bulk_client(state, credentials, o.concurrency, o.sessions) as client:
            files = RunFiles(
                o.out,
                journal_path,
                resume=resume,
                fields=kind.fields,
                identity=kind.identity,
                secrets=kind.secrets,
                dry_run=o.dry_run,
            )
            with files:
                # Before any request: the journal must be this tenant's, and free.
                known = files.check(tenant_of(client))
                await _login(state, client, errors)
                found = await command.check(client, parsed, dry_run=o.dry_run, journal=known)
                if command.pos_permission is not None:
                    found += await check_names(client, partial, pos=command.pos_permission)
                errors.extend(found)
                if o.dry_run:
                    _dry_run_report(state, command, parsed, errors)
                    return None
                # Every problem at once: shapes, duplicates, and the tenant's.
                report_invalid(state, errors, skip_invalid=o.skip_invalid, total=len(rows))
                bad = {e.row for e in errors}
                # Only now, every check passed, is anything written: exit 2 wrote nothing.
                with files.open() as (writer, opened):
                    return await run_rows(
                        client,
                        kind,
                        [r for r in parsed if r.row not in bad],
                        writer=writer,
                        journal=opened,
                        console=state.console,
                        max_at_once=o.concurrency,
                        max_per_second=o.rate,
                        invalid=invalid_reasons(errors),
                        report=report,
                        earlier=journaled_secrets(kind, known),
                    )

    run_job(
        state,
        job,
        report,
        errors=errors,
        where=o.out,
        onboarding=False,
        journal=journal_path,
        printer=print_lifecycle(kind, command.summary),
        holds="credentials" if kind.secrets else "personal data",
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


def _dry_run_report(
    state: AppState, command: Command, rows: Sequence[LifecycleRow], errors: list[RowError]
) -> None:
    """Print every problem found (shapes, names, who each row names; reads only) and what a
    run would do; exit 2 when any row has a problem."""
    problems = sorted(set(errors), key=_order)
    if problems:
        print_row_errors(state.err, problems, title="Problems")
    bad = {e.row for e in problems}
    would = sum(1 for r in rows if r.row not in bad)
    state.console.print(
        plain(
            f"dry run: {would} row(s) would be {command.verb}; {len(bad)} row(s) have "
            "problems; nothing was written"
        )
    )
    if problems:
        raise SystemExit(EXIT_INVALID_INPUT)


def options_of(values: dict[str, Any]) -> Options:
    """:class:`Options` from a click command's keyword arguments (others ignored)."""
    return Options(**{name: values[name] for name in Options.__dataclass_fields__})


def bulk_options(*, out_required: bool) -> Callable[[Any], Any]:
    """The options of a lifecycle bulk command (``--out`` is required when its results hold
    credentials)."""
    out_help = "Results CSV (created with mode 0600)."
    if out_required:
        out_help += " Holds the passwords: required."
    return option_group(
        # No explicit default: click counts ``default=None`` as a value of a required option.
        click.option("--out", type=PATH, required=out_required, help=out_help),
        concurrency_options,
        click.option(
            "--dry-run",
            is_flag=True,
            help="Validate the file and check it against the tenant (reads only); write nothing.",
        ),
        resume_options,
    )
