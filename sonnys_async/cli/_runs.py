"""What ``onboard`` and ``offboard`` share: the run's journal and results file (locked, bound to
the tenant), its client, validation reports, and the report printed at the end (or on Ctrl-C),
with its exit code."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from .. import AsyncBackofficeClient
from ..bulk import is_refused_login
from ..errors import FieldIssue, InputValidationError
from ..journal import Journal, JournalContents, JournalTenant, read_journal
from ._app import (
    EXIT_FAILED_ROWS,
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    EXIT_STOPPED,
    EXIT_UNREACHABLE,
    AppState,
    Credentials,
    fail,
    open_client,
    run_async,
)
from ._csv import CsvRow, RowError, formula_warnings
from ._jobs import JobReport, RunReport, offboard_tables, onboard_tables, summary_table
from ._output import (
    LockHeldError,
    ResultsWriter,
    exclusive_lock,
    print_row_errors,
    read_header,
    read_rows_of,
)
from ._safety import plain

__all__ = [
    "Printer",
    "RunFiles",
    "RunReport",
    "bulk_client",
    "finish_report",
    "invalid_reasons",
    "journal_file",
    "offboard_identity",
    "onboard_identity",
    "print_report",
    "report_file_errors",
    "report_invalid",
    "resumes_out",
    "run_job",
    "tenant_of",
    "warn_formulas",
]


#: Prints a finished job's tables and summary: ``(state, report, invalid rows)``.
Printer = Callable[[AppState, Any, int], None]


def journal_file(
    state: AppState,
    out: Path | None,
    journal: Path | None,
    no_journal: bool,
    *,
    inputs: Sequence[tuple[str, Path]] = (),
) -> Path | None:
    """The run's journal: ``--journal``, else next to ``--out``; ``None`` with ``--no-journal``.

    Exits with 2 (nothing read or written) when the journal, the results file and the input
    files (``(what, path)``, e.g. ``("HIRES.csv", path)``) are not all different files: a
    journal appended to the results file, or either written over the input, would corrupt
    both.
    """
    path = None
    if not no_journal:
        path = journal if journal is not None else None
        if path is None and out is not None:
            path = out.with_name(out.name + ".journal.jsonl")
    named = [("--journal", path), ("--out", out), *inputs]
    seen: dict[object, str] = {}
    for what, file in named:
        if file is None:
            continue
        where = _same_file_key(file)
        if where in seen:
            fail(
                state,
                f"{what} {file} is the same file as {seen[where]}: give each its own file",
                EXIT_INVALID_INPUT,
            )
        seen[where] = what
    return path


def _same_file_key(path: Path) -> object:
    """What tells two paths naming one file apart from two files: an existing file's device
    and inode (hard and symbolic links alike), else the path with its links resolved."""
    try:
        st = path.stat()
    except OSError:
        pass
    else:
        return (st.st_dev, st.st_ino)
    try:
        return path.resolve()
    except OSError:  # a loop of links: compared as written
        return path.absolute()


def report_file_errors(state: AppState, errors: list[RowError]) -> None:
    """Exit with 2 on a problem of the file itself or its header (row 1): nothing can be
    checked further (not even against the tenant), so nothing is sent."""
    if any(e.row == 1 for e in errors):
        print_row_errors(state.err, errors, title="The file cannot be used")
        fail(state, "nothing was sent or written: fix the file and run again", EXIT_INVALID_INPUT)


def warn_formulas(state: AppState, rows: Sequence[CsvRow]) -> None:
    """Warn (once per cell) about input cells a spreadsheet would run as formulas."""
    warnings = formula_warnings(rows)
    if warnings:
        print_row_errors(state.err, warnings, title="Warning: cells that look like formulas")


def report_invalid(
    state: AppState, errors: list[RowError], *, skip_invalid: bool, total: int
) -> None:
    """Print every row error at once; exit with 2 unless ``--skip-invalid``."""
    if not errors:
        return
    errors = sorted(set(errors), key=lambda e: (e.row, e.field, e.reason))
    bad_rows = len({e.row for e in errors})
    title = f"{len(errors)} problem(s) in {bad_rows} row(s)"
    print_row_errors(state.err, errors, title=title)
    if not skip_invalid or any(e.row == 1 for e in errors):
        # ``total`` counts the data rows read; problems found in rows it does not count (the
        # header's) still make the count at least the rows reported.
        counted = f"{bad_rows} of {max(total, bad_rows)} row(s) invalid"
        fail(
            state,
            f"nothing was written: fix the rows above ({counted}), or pass --skip-invalid",
            EXIT_INVALID_INPUT,
        )
    state.err.print(plain(f"skipping {bad_rows} invalid row(s) (--skip-invalid)"))


def invalid_reasons(errors: list[RowError]) -> list[tuple[int, str]]:
    """``(row, reasons)`` per invalid row, as the results file records it."""
    by_row: dict[int, list[str]] = {}
    for e in sorted(set(errors), key=lambda e: (e.row, e.field, e.reason)):
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


def tenant_of(client: AsyncBackofficeClient) -> JournalTenant:
    """The tenant and bot user a run's journal and results file are bound to."""
    return JournalTenant(client.base_url, client.transport.username)


def resumes_out(
    state: AppState,
    out: Path | None,
    journal_path: Path | None,
    *,
    overwrite: bool,
    fields: Sequence[str],
) -> bool:
    """Whether an existing ``out`` is continued (``True``) or created afresh; exits with 2
    when it exists and this run neither resumes it nor may overwrite it, or when its folder
    does not exist.

    A results file can hold the only copy of Backoffice passwords, so it is never truncated
    silently: only a run resuming from its journal (same --out / --journal) continues it,
    and ``--overwrite`` replaces it.
    """
    if out is not None and not out.parent.is_dir():
        fail(state, f"{out}: the folder {out.parent} does not exist", EXIT_INVALID_INPUT)
    if out is None or not out.exists() or overwrite:
        return False
    header = read_header(out)
    if journal_path is not None and journal_path.exists():
        if header is not None and tuple(header) != tuple(fields)[: len(header)]:
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


class RunFiles:
    """The journal and results file of one bulk run.

    :meth:`check` runs before any request: it locks an existing journal (a second run on it
    stops) and refuses a journal or results file written for another tenant or bot user.
    :meth:`open` runs once every check has passed, so a run that exits with 2 (or 3) wrote
    nothing. The lock is held until the run ends (leave the ``with`` block).

    Args:
        out: The results file (``None``: none).
        journal_path: The journal (``None``: none).
        resume: Continue an existing ``out`` (see :func:`resumes_out`).
        fields: The results columns.
        identity: Who a results row is about.
        secrets: Results columns holding credentials.
        dry_run: Only read the journal (no lock, nothing opened).
    """

    def __init__(
        self,
        out: Path | None,
        journal_path: Path | None,
        *,
        resume: bool,
        fields: Sequence[str],
        identity: Callable[[Mapping[str, str]], str],
        secrets: Sequence[str] = (),
        dry_run: bool = False,
    ) -> None:
        self.out, self.journal_path = out, journal_path
        self._resume, self._fields, self._identity = resume, fields, identity
        self._secrets, self._dry_run = secrets, dry_run
        self._stack = contextlib.ExitStack()
        self._locked = False
        self.tenant: JournalTenant | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def check(self, tenant: JournalTenant) -> JournalContents | None:
        """Lock an existing journal and check that it and the results file belong to
        ``tenant``; return what the journal knows (``None``: no journal).

        Raises:
            LockHeldError: Another run holds the journal.
            JournalTenantError: The journal was written for another tenant or bot user.
            InputValidationError: The journal is corrupt, or the results file holds rows of
                another tenant.
        """
        self.tenant = tenant
        path = self.journal_path
        if path is None:
            return None
        if path.exists() and not self._dry_run:
            self._stack.enter_context(exclusive_lock(path, create=False))
            self._locked = True
        contents = read_journal(path)
        contents.check_tenant(tenant)
        if self._resume and self.out is not None:
            self._check_results(self.out, tenant)
        return contents

    @staticmethod
    def _check_results(out: Path, tenant: JournalTenant) -> None:
        for row in read_rows_of(out):
            recorded = JournalTenant(row.get("tenant", ""), row.get("bot_user", ""))
            if recorded.base_url and not recorded.same_as(tenant):
                why = f"{out} holds results for {recorded}, not {tenant}: give this run its "
                raise InputValidationError([FieldIssue("--out", why + "own --out/--journal")])

    @contextlib.contextmanager
    def open(self) -> Iterator[tuple[ResultsWriter | None, Journal | None]]:
        """Open the journal (bound to the tenant) and the results file (appending when
        resuming)."""
        assert self.tenant is not None, "check() first"
        stamp = {"tenant": self.tenant.base_url, "bot_user": self.tenant.username}
        with contextlib.ExitStack() as stack:
            journal = None
            if self.journal_path is not None:
                if not self._locked:
                    self._stack.enter_context(exclusive_lock(self.journal_path))
                    self._locked = True
                journal = stack.enter_context(Journal(self.journal_path, tenant=self.tenant))
            writer = None
            if self.out is not None:
                writer = ResultsWriter(
                    self.out,
                    self._fields,
                    append=self._resume,
                    identity=self._identity,
                    secrets=self._secrets,
                    stamp=stamp,
                )
                stack.enter_context(writer)
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
    holds: str,
    printer: Printer | None = None,
) -> None:
    """Run a bulk command's job, then print its report; Ctrl-C prints the report so far.

    A journal held by another run exits with 2. ``errors`` is read at the end, because the
    tenant checks inside the job add to it. ``printer`` prints the report's tables and summary
    (default: the onboarding or offboarding ones); ``holds`` says what the results file holds.
    """

    def finish(done: JobReport) -> None:
        invalid = len({e.row for e in errors})
        finish_report(
            state,
            done,
            invalid=invalid,
            where=where,
            onboarding=onboarding,
            journal=journal,
            printer=printer,
            holds=holds,
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
    report: RunReport,
    *,
    invalid: int,
    where: Path | None,
    onboarding: bool,
    journal: Path | None,
    holds: str,
    printer: Printer | None = None,
    unit: str = "row",
    notice: str | None = None,
) -> None:
    """Print the report, then the resume hint or the results path, and exit: 130 when
    interrupted, 3 when a refused login stopped the run, 4 when the Backoffice stopped
    answering, 1 when a row is not done or was invalid.

    ``unit`` names what the run works on in the messages (``row``, ``item``); ``notice`` is
    printed (to stderr) after the results path.
    """
    if printer is not None:
        printer(state, report, invalid)
    else:
        assert isinstance(report, JobReport)
        print_report(state, report, invalid=invalid, onboarding=onboarding)
    if journal is not None:
        resume = f"run the same command again to resume (journal: {journal})"
    else:
        resume = f"no journal was kept (--no-journal), so running it again redoes every {unit}"
    if report.interrupted:
        message = f"interrupted: {unit}s in flight were finished and recorded; {resume}"
        state.err.print(plain(message), soft_wrap=True)
        if where is not None:
            state.err.print(plain(f"results so far: {where}"), soft_wrap=True)
        raise SystemExit(EXIT_INTERRUPTED)
    if where is not None:
        state.console.print(plain(f"results: {where} (mode 0600; holds {holds})"), soft_wrap=True)
    if notice:
        state.err.print(plain(notice), soft_wrap=True)
    stopped = report.summary.stopped
    if stopped == "authentication":
        summary = report.summary
        why = next(
            (
                str(f.error)
                for f in (*summary.failures, *summary.unknowns)
                if is_refused_login(f.error)
            ),
            "the login was refused",
        )
        fail(
            state,
            f"login refused ({why}): the run stopped and sent nothing more (the same "
            f"credentials are never tried twice); fix them, then {resume}",
            EXIT_UNREACHABLE,
        )
    if stopped == "unreachable":
        fail(
            state,
            f"stopped mid-run: the Backoffice stopped answering; {resume}",
            EXIT_STOPPED,
        )
    if invalid or not report.all_done:
        raise SystemExit(EXIT_FAILED_ROWS)


def print_report(state: AppState, report: JobReport, *, invalid: int, onboarding: bool) -> None:
    """Print a job's tables and its summary."""
    tables = onboard_tables(report) if onboarding else offboard_tables(report)
    for t in tables:
        state.console.print(t)
    title = "Onboarding summary" if onboarding else "Offboarding summary"
    state.console.print(summary_table(title, report, invalid=invalid))
