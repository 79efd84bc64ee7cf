"""Screen and file output of the CLI: rich console, progress, tables, masked secrets, 0600 CSVs.

Rich degrades by itself when stdout is not a terminal (CI, pipes, ``CliRunner``): no colours,
no cursor movement. The progress bar is only drawn on a terminal; elsewhere the CLI prints
plain lines instead of a live display.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..journal import PrivateFile, open_private
from ._csv import RowError

if sys.platform != "win32":  # POSIX: run locks (no lock is taken on Windows)
    import fcntl

__all__ = [
    "MASK",
    "LockHeldError",
    "PlainProgress",
    "ResultsWriter",
    "exclusive_lock",
    "make_console",
    "make_progress",
    "mask",
    "print_row_errors",
    "read_header",
    "table",
]

#: What a PIN or password looks like on screen (the results file holds the real value).
#: ASCII, so a console whose encoding is ASCII (``PYTHONIOENCODING=ascii``, old CI runners)
#: can print it.
MASK = "*****"


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr); rich turns styling off when it is not a terminal.

    Off a terminal (CI logs, pipes) rich would assume 80 columns; tables of results read
    better at 120, unless ``COLUMNS`` says otherwise.
    """
    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    return console


def make_progress(console: Console) -> Progress:
    """A progress bar, drawn only on a terminal (disabled, i.e. silent, elsewhere)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


class PlainProgress:
    """Progress for consoles that are not terminals (CI logs, pipes), where the live bar is
    not drawn: a plain line every 10 rows (every 10% of the rows beyond 100 rows) and at the
    end, so a long run in a log shows it is alive without flooding it."""

    def __init__(self, console: Console, what: str, total: int) -> None:
        self.console = console
        self.what = what
        self.total = total
        self.done = 0
        self.failed = 0
        self._step = max(10, math.ceil(total / 10))

    def advance(self, *, failed: bool = False) -> None:
        """Count one finished row; print a line when a step (or the end) is reached."""
        self.done += 1
        self.failed += failed
        if self.done % self._step == 0 or self.done == self.total:
            self.console.print(self.line(), markup=False, highlight=False)

    def line(self) -> str:
        """The progress line as printed."""
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.what}: {self.done}/{self.total} rows{failed}"


def mask(value: object) -> str:
    """``MASK`` for a present secret, empty for an absent one."""
    return MASK if value not in (None, "") else ""


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    limit: int | None = None,
) -> Table:
    """A rich table; with ``limit``, a last line says how many rows were left out."""
    out = Table(title=title, show_lines=False, header_style="bold")
    for name in columns:
        out.add_column(name, overflow="fold")
    shown = 0
    hidden = 0
    for row in rows:
        if limit is not None and shown >= limit:
            hidden += 1
            continue
        out.add_row(*("" if v is None else str(v) for v in row))
        shown += 1
    if hidden:
        out.caption = f"... and {hidden} more row(s)"
    return out


def print_row_errors(console: Console, errors: Sequence[RowError], *, title: str) -> None:
    """Print every row error: a table on a terminal, one ``row N: field: reason`` line elsewhere
    (easy to grep in CI logs)."""
    if console.is_terminal:
        rows = ((e.row, e.field, e.reason) for e in errors)
        console.print(table(title, ["row", "field", "reason"], rows))
        return
    console.print(f"{title}:", markup=False)
    for e in errors:
        console.print(f"  {e}", markup=False, soft_wrap=True)


def read_header(path: Path) -> list[str] | None:
    """The header of an existing CSV file (``None``: missing or empty)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return next(csv.reader(f), None)
    except FileNotFoundError:
        return None


class LockHeldError(Exception):
    """Another process holds the lock of a run's journal."""


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking ``flock`` on ``path`` (created ``0600`` if missing).

    Two runs sharing one journal would each skip, resume and retry from a stale view of it
    (and interleave its lines), so the second run must stop. The lock belongs to the open file,
    so it ends with the process however it dies. POSIX only: on Windows (no ``fcntl``) no
    lock is taken.

    Raises:
        LockHeldError: Another process holds it.
    """
    if sys.platform == "win32":  # pragma: no cover - POSIX CI
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeldError(f"{path} is in use by another run") from None
        yield
    finally:
        os.close(fd)  # releases the lock


class ResultsWriter(PrivateFile):
    """Writes a results CSV row by row (flushed each time), created with mode ``0600``.

    It holds credentials (POS PINs, Backoffice passwords), hence the mode; rows are flushed as
    soon as they are written so a killed run keeps every row it reported.

    With ``keep`` (a run resuming from its journal), an existing file is not truncated: new
    rows are appended after the earlier ones (so a killed resume still has both), and
    :meth:`close` rewrites the file, atomically, without the earlier rows that this run
    reported again (same ``keep(row)`` identity; an earlier ``invalid`` row also gives way to
    any new row of the same input row). Earlier rows this run did not touch stay, so no
    earlier credential is ever lost.
    """

    kind = "results file"

    def __init__(
        self,
        path: Path | str,
        fields: Sequence[str],
        *,
        keep: Callable[[Mapping[str, str]], str] | None = None,
    ) -> None:
        self.fields = tuple(fields)
        self._keep = keep
        self._earlier = 0
        existing = read_header(Path(path)) if keep is not None else None
        if existing is not None:
            if tuple(existing) != self.fields:
                raise ValueError(f"{path} is not a results file of this command")
            with Path(path).open(newline="", encoding="utf-8") as f:
                self._earlier = sum(1 for _ in csv.DictReader(f))
        super().__init__(path, append=existing is not None)
        file = self._writable()
        self._writer = csv.DictWriter(
            file, fieldnames=self.fields, extrasaction="ignore", lineterminator="\n"
        )
        if existing is None:
            self._writer.writeheader()
            file.flush()
        self.rows = 0

    def close(self) -> None:
        """Close the file; when resuming, drop the earlier rows this run superseded."""
        was_open = self._file is not None
        super().close()
        if was_open and self._keep is not None and self._earlier and self.rows:
            self._compact(self._keep)

    def _compact(self, keep: Callable[[Mapping[str, str]], str]) -> None:
        with self.path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        earlier, new = rows[: self._earlier], rows[self._earlier :]
        identities = {keep(r) for r in new}
        new_rows = {r.get("row") for r in new}
        kept = [
            r
            for r in earlier
            if keep(r) not in identities
            and not (r.get("status") == "invalid" and r.get("row") in new_rows)
        ]
        # Write a sibling and rename it over the file: a crash mid-rewrite leaves the
        # appended file (every row) in place.
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open_private(tmp) as f:
            writer = csv.DictWriter(
                f, fieldnames=self.fields, extrasaction="ignore", lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(kept + new)
        os.replace(tmp, self.path)

    def write(self, row: Mapping[str, Any]) -> None:
        """Append one row (missing fields are left empty) and flush it."""
        file = self._writable()
        self._writer.writerow({k: _cell(v) for k, v in row.items()})
        file.flush()
        self.rows += 1


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list | tuple | frozenset | set):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
