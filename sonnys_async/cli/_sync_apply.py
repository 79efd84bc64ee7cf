"""``sync apply``: apply a reviewed roster-sync plan exactly, journaled and resumable.

Everything that can refuse the plan is checked before anything is written: the plan file (its
format and its digest: what is applied is what was reviewed), the mass-disable safeguard, the
tenant and bot user the plan was made for, the results file and journal (this tenant's, this
plan's, not in use by another run), and the login.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import FieldIssue, InputValidationError
from ..journal import Journal, JournalContents, JournalTenant
from ..models import SyncPlan
from ._app import (
    EXIT_INVALID_INPUT,
    AppState,
    fail,
    pass_state,
    run_async,
)
from ._options import EXISTING, PATH, concurrency_options
from ._output import LockHeldError
from ._runs import (
    RunFiles,
    bulk_client,
    finish_report,
    journal_file,
    resumes_out,
    tenant_of,
)
from ._sync import sync_group
from ._sync_results import (
    SYNC_RESULT_FIELDS,
    SYNC_SECRET_COLUMNS,
    SyncReport,
    apply_job,
    sync_identity,
    sync_tables,
)

__all__ = ["PLAN_KEY", "check_journal_plan"]

#: The journal key under which ``sync apply`` records the digest of the plan it applies (plan
#: items' keys are ``row N`` / ``employee N``): a journal serves one plan.
PLAN_KEY = "plan"


@sync_group.command("apply", short_help="Apply a reviewed plan made by `sync plan`.")
@click.argument("plan_file", metavar="PLAN.json", type=EXISTING)
@click.option("--out", type=PATH, required=True, help="Results CSV (created with mode 0600).")
@click.option(
    "--allow-mass-disable",
    is_flag=True,
    help="Apply a plan that disables more than its threshold (or a whole site).",
)
@concurrency_options
@click.option(
    "--journal",
    type=PATH,
    default=None,
    help="Journal for resuming (default: the --out file name + .journal.jsonl).",
)
@click.option("--no-journal", is_flag=True, help="Do not keep a journal.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an existing --out file that this run does not resume (its rows are lost).",
)
@pass_state
def apply_cmd(
    state: AppState,
    plan_file: Path,
    out: Path,
    allow_mass_disable: bool,
    concurrency: int,
    rate: float | None,
    sessions: int,
    journal: Path | None,
    no_journal: bool,
    overwrite: bool,
) -> None:
    """Apply PLAN.json exactly as it was reviewed: its creates, updates, disables, rehires.

    The plan is refused (exit 2, before anything is sent) if its content does not match its
    digest, if it was made for another tenant or bot user, or if it disables more than its
    threshold without --allow-mass-disable. An employee whose record changed on the server
    since planning is not touched (`stale`: plan again). Results, with new hires' POS PINs
    and Backoffice passwords, go to --out row by row (mode 0600). Re-running the same
    command resumes: items done are skipped, interrupted ones are settled from the server.
    """
    plan = _read_plan(state, plan_file)
    if plan.mass_disable and not allow_mass_disable:
        fail(
            state,
            f"the plan {plan.mass_disable}; nothing was sent. Check the roster was complete; "
            "if the plan is right, apply it with --allow-mass-disable",
            EXIT_INVALID_INPUT,
        )
    journal_path = journal_file(state, out, journal, no_journal, inputs=[("the plan", plan_file)])
    resume = resumes_out(state, out, journal_path, overwrite=overwrite, fields=SYNC_RESULT_FIELDS)
    credentials = state.credentials()
    report = SyncReport()

    async def job() -> SyncReport:
        async with bulk_client(state, credentials, concurrency, sessions) as client:
            tenant = tenant_of(client)
            _check_tenant(plan, tenant)  # before any request
            files = RunFiles(
                out,
                journal_path,
                resume=resume,
                fields=SYNC_RESULT_FIELDS,
                identity=sync_identity,
                secrets=SYNC_SECRET_COLUMNS,
            )
            with files:
                known = files.check(tenant)
                check_journal_plan(known, plan)
                await client.login()  # a refused login stops here (exit 3), nothing written
                with files.open() as (writer, opened):
                    assert writer is not None
                    if opened is not None and opened.state(PLAN_KEY) is None:
                        _mark(opened, plan)
                    return await apply_job(
                        client,
                        plan,
                        writer=writer,
                        journal=opened,
                        console=state.console,
                        allow_mass_disable=allow_mass_disable,
                        max_at_once=concurrency,
                        max_per_second=rate,
                        report=report,
                        earlier=known,
                    )

    def interrupted() -> None:
        report.interrupted = True
        _finish(state, report, out, journal_path)

    try:
        done = run_async(state, job, on_interrupt=interrupted)
    except LockHeldError as exc:
        fail(
            state,
            f"{exc}: two runs sharing a journal would redo each other's items; wait for the "
            "other run to finish, or give this one its own --out/--journal",
            EXIT_INVALID_INPUT,
        )
    _finish(state, done, out, journal_path)


def _read_plan(state: AppState, path: Path) -> SyncPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(state, f"{path}: cannot be read ({exc})", EXIT_INVALID_INPUT)
    try:
        return SyncPlan.from_json(text)
    except InputValidationError as exc:
        fail(state, f"{path}: {exc}; nothing was sent", EXIT_INVALID_INPUT)


def _check_tenant(plan: SyncPlan, tenant: JournalTenant) -> None:
    if (plan.tenant, plan.bot_user) != (tenant.base_url, tenant.username):
        why = (
            f"made for {plan.bot_user!r} on {plan.tenant}, not {tenant.username!r} on "
            f"{tenant.base_url}: plan on this tenant"
        )
        raise InputValidationError([FieldIssue("plan", why)])


def check_journal_plan(journal: JournalContents | None, plan: SyncPlan) -> None:
    """Refuse a journal written for another plan (or by another command): its ``row N`` keys
    would name other people, and items it records as done would be skipped.

    Raises:
        InputValidationError: The journal records another plan, or entries of no plan.
    """
    if journal is None or len(journal) == 0:
        return
    state = journal.state(PLAN_KEY)
    recorded = state.result if state is not None else None
    digest = recorded.get("digest") if isinstance(recorded, dict) else None
    if digest == plan.digest:
        return
    what = f"plan {str(digest)[:16]}..." if digest else "no roster-sync plan"
    why = (
        f"{journal.path} is the journal of {what}, not of this plan ({plan.digest[:16]}...): "
        "give this plan its own --out/--journal"
    )
    raise InputValidationError([FieldIssue("journal", why)])


def _mark(journal: Journal, plan: SyncPlan) -> None:
    record: dict[str, Any] = {"digest": plan.digest, "created_at": plan.created_at}
    journal.record_ok(PLAN_KEY, record)


def _finish(state: AppState, report: SyncReport, out: Path, journal: Path | None) -> None:
    """Print the report, then the resume hint or the results path, and exit as the other bulk
    commands do (:func:`~._runs.finish_report`); stale items are named before the exit."""

    def tables(state: AppState, report: SyncReport, invalid: int) -> None:
        for t in sync_tables(report):
            state.console.print(t)

    stale = report.counts()["stale"]
    notice = (
        f"{stale} item(s) changed on the server since the plan was made and were not applied: "
        "plan again, review, and apply the new plan"
        if stale
        else None
    )
    finish_report(
        state,
        report,
        invalid=0,
        where=out,
        onboarding=False,
        journal=journal,
        printer=tables,
        holds="credentials",
        unit="item",
        notice=notice,
    )
