"""What ``onboard`` and ``offboard`` share: the run's journal and results file, its client,
invalid rows, and the report printed at the end (or on Ctrl-C)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from .. import AsyncBackofficeClient
from ..journal import Journal
from ._app import (
    EXIT_FAILED_ROWS,
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    AppState,
    Credentials,
    fail,
    open_client,
    run_async,
)
from ._csv import RowError
from ._jobs import JobReport, offboard_tables, onboard_tables, summary_table
from ._output import (
    LockHeldError,
    ResultsWriter,
    exclusive_lock,
    print_row_errors,
    read_header,
)

__all__ = [
    "bulk_client",
    "finish_report",
    "invalid_reasons",
    "journal_file",
    "offboard_identity",
    "onboard_identity",
    "print_report",
    "report_invalid",
    "resumes_out",
    "run_files",
    "run_job",
]


def journal_file(out: Path | None, journal: Path | None, no_journal: bool) -> Path | None:
    """The run's journal: ``--journal``, else next to ``--out``; ``None`` with ``--no-journal``."""
    if no_journal:
        return None
    if journal is not None:
        return journal
    return None if out is None else out.with_name(out.name + ".journal.jsonl")


def report_invalid(
    state: AppState, errors: list[RowError], *, skip_invalid: bool, total: int
) -> None:
    """Print the row errors; exit with 2 unless ``--skip-invalid`` (header errors always do)."""
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


def invalid_reasons(errors: list[RowError]) -> list[tuple[int, str]]:
    """``(row, reasons)`` per invalid row, as the results file records it."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"{e.field}: {e.reason}")
    return [(row, "; ".join(reasons)) for row, reasons in sorted(by_row.items())]


def bulk_client(
    state: AppState, credentials: Credentials | None, concurrency: int, sessions: int
) -> AbstractAsyncContextManager[AsyncBackofficeClient]:
    """The client of a bulk run: one login unless ``--sessions``, never more than the rows in
    flight."""
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


def resumes_out(
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


def onboard_identity(row: Mapping[str, str]) -> str:
    """Who an onboarding results row is about (to drop the rows a resumed run reports again)."""
    # The journal key of a hire; rows without one (invalid rows) by input row.
    return row.get("pos_user_id") or f"row {row.get('row')}"


def offboard_identity(row: Mapping[str, str]) -> str:
    """Who an offboarding results row is about (its lookup, case-folded)."""
    return (row.get("lookup") or "").casefold() or f"row {row.get('row')}"


@contextlib.contextmanager
def run_files(
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


def run_job(
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
        finish_report(
            state, done, invalid=invalid, where=where, onboarding=onboarding, journal=journal
        )

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


def finish_report(
    state: AppState,
    report: JobReport,
    *,
    invalid: int,
    where: Path | None,
    onboarding: bool,
    journal: Path | None,
) -> None:
    """Print the report, then the resume hint or the results path; exit 130 when interrupted,
    1 when a row failed or was invalid."""
    print_report(state, report, invalid=invalid, onboarding=onboarding)
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


def print_report(state: AppState, report: JobReport, *, invalid: int, onboarding: bool) -> None:
    """Print a job's tables and its summary."""
    tables = onboard_tables(report) if onboarding else offboard_tables(report)
    for t in tables:
        state.console.print(t)
    title = "Onboarding summary" if onboarding else "Offboarding summary"
    state.console.print(summary_table(title, report.summary, invalid=invalid))
