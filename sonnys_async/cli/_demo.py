"""The ``demo`` command: onboard the bundled sample hires into an in-process sandbox, offboard
a few, show the results."""

from __future__ import annotations

import tempfile
from pathlib import Path

import anyio
import click
from rich.text import Text

from ..data import sample_path
from ..sandbox import Sandbox, SandboxOptions
from ._app import (
    EXIT_FAILED_ROWS,
    EXIT_INVALID_INPUT,
    AppState,
    cli,
    open_client,
    pass_state,
    run_async,
)
from ._csv import OFFBOARD_COLUMNS, ONBOARD_COLUMNS, parse_hires, parse_leavers, read_rows
from ._jobs import ONBOARD_RESULT_FIELDS, JobReport, offboard, onboard
from ._options import PATH
from ._output import ResultsWriter, print_row_errors
from ._runs import print_report
from ._safety import plain


@cli.command("demo", short_help="Try it: onboard 50 sample hires into a sandbox.")
@click.option("--out", type=PATH, default=None, help="Results CSV (default: a new temp dir).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    help="Rows in flight at once.",
)
@click.option(
    "--latency-ms",
    type=float,
    default=15.0,
    show_default=True,
    help="Simulated network latency per request.",
)
@pass_state
def demo_cmd(state: AppState, out: Path | None, concurrency: int, latency_ms: float) -> None:
    """Onboard ~50 sample hires into an in-process sandbox, offboard a few, show the results.

    Needs no tenant and no credentials; finishes in seconds.
    """
    state.use_sandbox = True
    if state.sandbox_instance is None:
        state.sandbox_instance = Sandbox(SandboxOptions(latency_ms=latency_ms))
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="sonnys-demo-")) / "sonnys-demo-results.csv"
    hires_rows, header_errors = read_rows(sample_path("sample_hires.csv"), ONBOARD_COLUMNS)
    hires, row_errors = parse_hires(hires_rows)
    leaver_rows, leaver_header = read_rows(sample_path("sample_leavers.csv"), OFFBOARD_COLUMNS)
    leavers, leaver_errors = parse_leavers(leaver_rows, disable_backoffice_user=True)
    problems = header_errors + row_errors + leaver_header + leaver_errors
    if problems:  # pragma: no cover - the bundled samples are tested
        print_row_errors(state.err, problems, title="bundled sample is invalid")
        raise SystemExit(EXIT_INVALID_INPUT)
    sb = state.sandbox()
    state.console.print(
        Text.assemble(
            ("demo", "bold"),
            plain(
                f": in-process sandbox tenant at {sb.base_url} "
                f"({len(sb.state.employees)} employees), {concurrency} rows at a time"
            ),
        )
    )
    started = 0.0

    async def job() -> tuple[JobReport, JobReport, float]:
        nonlocal started
        started = anyio.current_time()
        async with open_client(
            state, None, max_concurrency=concurrency * 2, sessions=concurrency
        ) as client:
            stamp = {"tenant": sb.base_url, "bot_user": sb.username}
            with ResultsWriter(out, ONBOARD_RESULT_FIELDS, stamp=stamp) as writer:
                hired = await onboard(
                    client,
                    hires,
                    writer=writer,
                    journal=None,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=None,
                )
            left = await offboard(
                client,
                leavers,
                writer=None,
                journal=None,
                console=state.console,
                max_at_once=concurrency,
                max_per_second=None,
            )
            return hired, left, anyio.current_time() - started

    hired, left, elapsed = run_async(state, job)
    print_report(state, hired, invalid=0, onboarding=True)
    print_report(state, left, invalid=0, onboarding=False)
    state.console.print(
        plain(
            f"{hired.summary.ok} hired and {left.summary.ok} offboarded in {elapsed:.1f} s; "
            "PINs and passwords are masked here."
        )
    )
    state.console.print(plain(f"results: {out} (mode 0600; holds the real PINs and passwords)"))
    if not (hired.summary.all_ok and left.summary.all_ok):
        raise SystemExit(EXIT_FAILED_ROWS)
