"""Click options shared by the commands: file paths, and the option groups of the bulk
commands (concurrency, resuming)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["EXISTING", "PATH", "concurrency_options", "option_group", "resume_options"]

PATH = click.Path(dir_okay=False, path_type=Path)
EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


def option_group(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several click options as one decorator (listed in ``--help`` in the order given)."""

    def apply(f: Any) -> Any:
        for option in reversed(options):
            f = option(f)
        return f

    return apply


concurrency_options = option_group(
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

resume_options = option_group(
    click.option(
        "--journal",
        type=PATH,
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
