"""Screen and file output of the CLI: rich console, progress, tables, masked secrets, 0600 CSVs.

Rich degrades by itself when stdout is not a terminal (CI, pipes, ``CliRunner``): no colours,
no cursor movement. The progress bar is only drawn on a terminal; elsewhere the CLI prints
plain lines instead of a live display.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
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

from ..journal import PrivateFile
from ._csv import RowError

__all__ = [
    "MASK",
    "ResultsWriter",
    "make_console",
    "make_progress",
    "mask",
    "print_row_errors",
    "table",
]

#: What a PIN or password looks like on screen (the results file holds the real value).
MASK = "•••••"


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


class ResultsWriter(PrivateFile):
    """Writes a results CSV row by row (flushed each time), created with mode ``0600``.

    It holds credentials (POS PINs, Backoffice passwords), hence the mode; rows are flushed as
    soon as they are written so a killed run keeps every row it reported.
    """

    kind = "results file"

    def __init__(self, path: Path | str, fields: Sequence[str]) -> None:
        super().__init__(path)
        self.fields = tuple(fields)
        file = self._writable()
        self._writer = csv.DictWriter(
            file, fieldnames=self.fields, extrasaction="ignore", lineterminator="\n"
        )
        self._writer.writeheader()
        file.flush()
        self.rows = 0

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
