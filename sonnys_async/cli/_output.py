"""Screen and file output of the CLI: rich console, progress, tables, masked secrets, 0600 CSVs.

Everything shown that comes from data or the server goes through :func:`._safety.plain`, and
every CSV cell written through :func:`._safety.csv_cell`.

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
from ._safety import csv_cell, plain

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
    "read_rows_of",
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
    console = Console(stderr=stderr, highlight=False, soft_wrap=False, emoji=False)
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
        self.unknown = 0
        self._step = max(10, math.ceil(total / 10))

    def advance(self, *, failed: bool = False, unknown: bool = False) -> None:
        """Count one finished row (``failed``: nothing applied; ``unknown``: may have been
        applied); print a line when a step (or the end) is reached."""
        self.done += 1
        self.failed += failed
        self.unknown += unknown
        if self.done % self._step == 0 or self.done == self.total:
            self.console.print(plain(self.line()))

    def line(self) -> str:
        """The progress line as printed."""
        failed = f", {self.failed} failed" if self.failed else ""
        unknown = f", {self.unknown} unknown" if self.unknown else ""
        return f"{self.what}: {self.done}/{self.total} rows{failed}{unknown}"


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
    """A rich table of data cells (shown as they are: never markup, control characters
    visible); with ``limit``, a last line says how many rows were left out."""
    out = Table(title=title, show_lines=False, header_style="bold")
    for name in columns:
        out.add_column(name, overflow="fold")
    shown = 0
    hidden = 0
    for row in rows:
        if limit is not None and shown >= limit:
            hidden += 1
            continue
        out.add_row(*(plain(v) for v in row))
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
    console.print(plain(f"{title}:"))
    for e in errors:
        console.print(plain(f"  {e}"), soft_wrap=True)


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
def exclusive_lock(path: Path, *, create: bool = True) -> Iterator[None]:
    """Hold an exclusive, non-blocking ``flock`` on ``path`` (created ``0600`` if missing,
    unless ``create`` is false).

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
    fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
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
    soon as they are written so a killed run keeps every row it reported. Every cell goes
    through :func:`._safety.csv_cell`; ``stamp`` cells (the tenant) are added to every row.

    With ``append`` (a run resuming from its journal), an existing file is not truncated: new
    rows are appended after the earlier ones (so a killed resume still has both). A file
    whose header lacks this version's last columns is first rewritten with them (empty).

    With ``identity``, :meth:`close` rewrites the file, atomically, keeping the last row of
    each identity (an earlier ``invalid`` row also gives way to any new row of the same input
    row) and **every earlier row holding a credential** (a ``secrets`` cell) that no later row
    of the same identity holds too: no credential is ever dropped, only repeated ones.
    """

    kind = "results file"

    def __init__(
        self,
        path: Path | str,
        fields: Sequence[str],
        *,
        append: bool = False,
        identity: Callable[[Mapping[str, str]], str] | None = None,
        secrets: Sequence[str] = (),
        stamp: Mapping[str, str] | None = None,
    ) -> None:
        self.fields = tuple(fields)
        self._identity = identity
        self._secrets = tuple(secrets)
        self._stamp = dict(stamp or {})
        self._earlier = 0
        existing = read_header(Path(path)) if append else None
        if existing is not None:
            rows = read_rows_of(Path(path))
            if tuple(existing) != self.fields:
                if tuple(existing) != self.fields[: len(existing)]:
                    raise ValueError(f"{path} is not a results file of this command")
                self._rewrite(Path(path), rows)  # a file of an older version: add the columns
            self._earlier = len(rows)
        super().__init__(path, append=existing is not None)
        file = self._writable()
        self._writer = csv.DictWriter(
            file, fieldnames=self.fields, extrasaction="ignore", lineterminator="\n"
        )
        if existing is None:
            self._writer.writeheader()
            file.flush()
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        """Append one row (missing fields are left empty) and flush it."""
        file = self._writable()
        self._writer.writerow({k: csv_cell(v) for k, v in {**row, **self._stamp}.items()})
        file.flush()
        self.rows += 1

    def close(self) -> None:
        """Close the file; then drop the rows later rows superseded (see the class)."""
        was_open = self._file is not None
        super().close()
        if was_open and self._identity is not None and self.rows:
            rows = read_rows_of(self.path)
            kept = self._compact(rows, self._identity)
            if len(kept) < len(rows):
                self._rewrite(self.path, kept)

    def _compact(
        self, rows: list[dict[str, str]], identity: Callable[[Mapping[str, str]], str]
    ) -> list[dict[str, str]]:
        new_rows = {r.get("row") for r in rows[self._earlier :]}
        last = {identity(r): i for i, r in enumerate(rows)}
        kept = []
        for i, r in enumerate(rows):
            key = identity(r)
            if i < self._earlier and r.get("status") == "invalid" and r.get("row") in new_rows:
                continue  # the input row was run again
            if i == last[key]:
                kept.append(r)
            elif any(r.get(s) for s in self._secrets):
                later = [x for x in rows[i + 1 :] if identity(x) == key]
                held = all(any(x.get(s) for x in later) for s in self._secrets if r.get(s))
                if not held:
                    kept.append(r)  # its credential is nowhere else: keep it
        return kept

    def _rewrite(self, path: Path, rows: Iterable[Mapping[str, str]]) -> None:
        # Write a sibling and rename it over the file: a crash mid-rewrite leaves the
        # original (every row) in place.
        tmp = path.with_name(path.name + ".tmp")
        with open_private(tmp) as f:
            writer = csv.DictWriter(
                f, fieldnames=self.fields, extrasaction="ignore", lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows({k: csv_cell(v) for k, v in r.items() if k} for r in rows)
        os.replace(tmp, path)


def read_rows_of(path: Path) -> list[dict[str, str]]:
    """The rows of an existing CSV file, as text cells (``[]``: missing)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return [{k: v or "" for k, v in r.items() if k is not None} for r in csv.DictReader(f)]
    except FileNotFoundError:
        return []
