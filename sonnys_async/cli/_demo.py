"""The ``demo`` command: onboard the bundled sample hires into an in-process sandbox, offboard
a few, show the results, and leave them in one predictable folder (``./demo-results/``),
replaced by every run."""

from __future__ import annotations

import os
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
    fail,
    open_client,
    pass_state,
    run_async,
)
from ._csv import OFFBOARD_COLUMNS, ONBOARD_COLUMNS, parse_hires, parse_leavers, read_rows
from ._jobs import OFFBOARD_RESULT_FIELDS, ONBOARD_RESULT_FIELDS, JobReport, offboard, onboard
from ._output import ResultsWriter, print_row_errors, read_rows_of
from ._runs import print_report
from ._safety import plain

#: Where the demo writes, relative to the working directory (replaced by every run).
DEMO_DIR = Path("demo-results")
#: The demo's files in it.
RESULTS, OFFBOARDED, TENANT = "results.csv", "offboarded.csv", "tenant.json"
#: Every sample hire's final state: the onboarding columns, then what offboarding changed.
DEMO_RESULT_FIELDS: tuple[str, ...] = (
    *ONBOARD_RESULT_FIELDS[:-2],
    "offboarded_at",
    "backoffice_login",
    *ONBOARD_RESULT_FIELDS[-2:],
)


@cli.command("demo", short_help="Try it: onboard 50 sample hires into a sandbox.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEMO_DIR,
    show_default=True,
    help="Folder for the results (its demo files are replaced by every run).",
)
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
def demo_cmd(state: AppState, out: Path, concurrency: int, latency_ms: float) -> None:
    """Onboard ~50 sample hires into an in-process sandbox, offboard a few, show the results.

    Needs no tenant and no credentials; finishes in a few seconds. Writes OUT/results.csv
    (every hire's final state, with the PINs and passwords: mode 0600), OUT/offboarded.csv and
    OUT/tenant.json (the sandbox tenant: browse it with `sonnys-backoffice --sandbox-state
    OUT/tenant.json sandbox`), replacing those of an earlier run.
    """
    state.use_sandbox = True
    if state.sandbox_instance is None:  # the demo's own tenant, never --sandbox-state's
        state.sandbox_instance = Sandbox(SandboxOptions(latency_ms=latency_ms))
    hires_rows, header_errors = read_rows(sample_path("sample_hires.csv"), ONBOARD_COLUMNS)
    hires, row_errors = parse_hires(hires_rows)
    leaver_rows, leaver_header = read_rows(sample_path("sample_leavers.csv"), OFFBOARD_COLUMNS)
    leavers, leaver_errors = parse_leavers(leaver_rows, disable_backoffice_user=True)
    problems = header_errors + row_errors + leaver_header + leaver_errors
    if problems:  # pragma: no cover - the bundled samples are tested
        print_row_errors(state.err, problems, title="bundled sample is invalid")
        raise SystemExit(EXIT_INVALID_INPUT)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        fail(state, f"{exc.strerror or exc}: {out}", EXIT_INVALID_INPUT)
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
    stamp = {"tenant": sb.base_url, "bot_user": sb.username}
    onboarded = out / f".{RESULTS}.onboarding"

    async def job() -> tuple[JobReport, JobReport, float]:
        nonlocal started
        started = anyio.current_time()
        async with open_client(
            state, None, max_concurrency=concurrency * 2, sessions=concurrency
        ) as client:
            with ResultsWriter(onboarded, ONBOARD_RESULT_FIELDS, stamp=stamp) as writer:
                hired = await onboard(
                    client,
                    hires,
                    writer=writer,
                    journal=None,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=None,
                )
            with ResultsWriter(out / OFFBOARDED, OFFBOARD_RESULT_FIELDS, stamp=stamp) as left_w:
                left = await offboard(
                    client,
                    leavers,
                    writer=left_w,
                    journal=None,
                    console=state.console,
                    max_at_once=concurrency,
                    max_per_second=None,
                )
            return hired, left, anyio.current_time() - started

    hired, left, elapsed = run_async(state, job)
    finals = _final_rows(sb, read_rows_of(onboarded), read_rows_of(out / OFFBOARDED))
    with ResultsWriter(onboarded, DEMO_RESULT_FIELDS) as writer:  # then renamed: atomic
        for row in finals:
            writer.write(row)
    os.replace(onboarded, out / RESULTS)
    sb.save(out / TENANT)
    print_report(state, hired, invalid=0, onboarding=True)
    print_report(state, left, invalid=0, onboarding=False)
    offboarded = sum(1 for r in finals if r["status"] == "offboarded")
    state.console.print(
        plain(
            f"{hired.summary.ok} hired and {left.summary.ok} offboarded in {elapsed:.1f} s; "
            "PINs and passwords are masked here."
        )
    )
    lines = (
        f"results in {out}{os.sep} (replaced by every run):",
        f"  {RESULTS}: every hire's final state ({len(finals) - offboarded} active, "
        f"{offboarded} offboarded), with the real PINs and passwords (mode 0600)",
        f"  {OFFBOARDED}: the offboarding run's rows (no credentials)",
        f"  {TENANT}: the sandbox tenant; browse it with "
        f"`sonnys-backoffice --sandbox-state {out / TENANT} sandbox`",
    )
    for line in lines:
        state.console.print(plain(line), soft_wrap=True)
    if not (hired.summary.all_ok and left.summary.all_ok):
        raise SystemExit(EXIT_FAILED_ROWS)


def _final_rows(
    sb: Sandbox, hired: list[dict[str, str]], left: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Each hire's onboarding row in sample order, with its state on the server now: a leaver
    is ``offboarded`` (when, and whether its Backoffice login is still active)."""
    disabled_at = {r["pos_user_id"]: r["disabled_at"] for r in left if r["pos_user_id"]}
    finals = []
    for row in sorted(hired, key=lambda r: int(r["row"] or 0)):
        final = dict(row)
        stored = sb.state.employee_by_pos_user_id(int(row["pos_user_id"] or 0))
        if stored is not None and not stored.active:
            final["status"] = "offboarded"
            final["offboarded_at"] = disabled_at.get(row["pos_user_id"], "")
        login = sb.state.user_by_username(row["backoffice_username"] or "")
        if login is not None:
            final["backoffice_login"] = "deactivated" if login.is_deleted else "active"
        finals.append(final)
    return finals
