"""The ``sync`` commands' group, and ``sync plan``: read the HR roster, plan what the tenant
needs to match it (reads only), write the plan file and its review page, and print them.

``sync apply`` (``_sync_apply.py``) applies a reviewed plan.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path

import click

from .. import AsyncBackofficeClient
from ..errors import FieldIssue, InputValidationError, NotFoundError
from ..journal import open_private
from ..models import MatchKey, SyncPlan, SyncScope
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
from ._csv import RowError, read_rows
from ._options import EXISTING, PATH
from ._output import print_row_errors, table
from ._runs import report_file_errors, warn_formulas
from ._safety import plain
from ._sync_csv import SYNC_COLUMNS, parse_roster, roster_file_errors
from ._sync_review import Line, action_counts, render_review, review_lines, show

__all__ = ["DEFAULT_MATCH", "sync_group", "write_private"]

DEFAULT_MATCH: tuple[MatchKey, ...] = ("pos_user_id", "adp_employee_id", "email", "name_phone")
#: Change lines printed on the terminal (the review page has them all).
_SHOWN = 200


@cli.group("sync")
def sync_group() -> None:
    """Make the tenant match an HR roster: plan (reads only), review, apply.

    `sync plan ROSTER.csv --out PLAN.json` writes the plan and a review page (PLAN.html);
    `sync apply PLAN.json --out RESULTS.csv` applies exactly that plan. See docs/sync.md.
    """


def _match_option(ctx: click.Context, param: click.Parameter, value: str) -> tuple[MatchKey, ...]:
    keys = [k.strip() for k in value.split(",") if k.strip()]
    wrong = [k for k in keys if k not in DEFAULT_MATCH]
    if not keys or wrong or len(set(keys)) != len(keys):
        why = f"unknown key(s) {', '.join(wrong)}; " if wrong else ""
        raise click.BadParameter(
            f"{why}give distinct keys from {', '.join(DEFAULT_MATCH)}, separated by commas"
        )
    return tuple(m for k in keys for m in DEFAULT_MATCH if m == k)


def _share_option(ctx: click.Context, param: click.Parameter, value: str) -> float:
    """A share: ``0.1`` or ``10%``, from 0 to 1."""
    text = value.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a share (0.1 or 10%)") from None
    if not 0 <= share <= 1:
        raise click.BadParameter(f"{value!r} is not between 0 and 1 (0% and 100%)")
    return share


def _site_ref(value: str) -> int | str:
    return int(value) if value.isascii() and value.isdigit() else value


@sync_group.command("plan", short_help="Plan what the tenant needs to match ROSTER.csv.")
@click.argument("roster_csv", metavar="ROSTER.csv", type=EXISTING)
@click.option("--out", type=PATH, required=True, help="The plan file to write (JSON, mode 0600).")
@click.option(
    "--html",
    "html_out",
    type=PATH,
    default=None,
    help="The review page to write (default: the plan's name with .html).",
)
@click.option(
    "--site",
    "sites",
    multiple=True,
    help="Manage only employees of this site (id, name or short code); repeatable.",
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    help="Manage only employees of this department (name); repeatable.",
)
@click.option(
    "--template",
    "templates",
    multiple=True,
    help="Manage only employees with this POS template (name); repeatable.",
)
@click.option(
    "--match",
    default=",".join(DEFAULT_MATCH),
    show_default=True,
    callback=_match_option,
    help="How rows find employees: keys tried in this order.",
)
@click.option(
    "--disable-threshold",
    default="10%",
    metavar="SHARE",
    callback=_share_option,
    show_default=True,
    help="Largest share of the active employees in scope a plan may disable without "
    "`sync apply --allow-mass-disable`.",
)
@click.option(
    "--keep-backoffice-users",
    is_flag=True,
    help="Do not deactivate the Backoffice logins of the employees the plan disables.",
)
@pass_state
def plan_cmd(
    state: AppState,
    roster_csv: Path,
    out: Path,
    html_out: Path | None,
    sites: tuple[str, ...],
    departments: tuple[str, ...],
    templates: tuple[str, ...],
    match: tuple[MatchKey, ...],
    disable_threshold: float,
    keep_backoffice_users: bool,
) -> None:
    """Plan what the tenant needs to match ROSTER.csv (see `template-csv sync --describe`).

    Reads only. Each row is matched to an employee (--match) and becomes a create, an update
    (field by field), a disable (`status` terminated), a rehire, unchanged, or a conflict
    (an invalid row, a row that matches several employees...: never applied, and never a
    reason to disable anyone). Active employees in scope that no row names are disabled.
    Writes the plan (--out) and a review page (--html) for the person who approves it.

    Exit codes: 0 planned, 1 planned with conflicts, 2 bad input (nothing read from the
    tenant), 3 no login.
    """
    html_out = html_out or _review_path(out)
    _check_outputs(state, roster_csv, out, html_out)
    rows, errors = read_rows(roster_csv, SYNC_COLUMNS)
    errors = roster_file_errors(errors)
    report_file_errors(state, errors)  # a file or header problem: before any login
    if errors:  # cells the file itself gets wrong (too long, foreign digits, extra cells)
        print_row_errors(state.err, errors, title=f"{len(errors)} problem(s) in the file")
        fail(
            state,
            "nothing was read from the tenant: fix the file and run again",
            EXIT_INVALID_INPUT,
        )
    warn_formulas(state, rows)
    roster = parse_roster(rows)
    if roster.gaps:
        state.err.print(
            plain(
                f"warning: {roster_csv} has blank lines between rows: the row numbers below "
                "count rows without them (the header is row 1)"
            ),
            soft_wrap=True,
        )
    scope = SyncScope(
        sites=tuple(_site_ref(s) for s in sites) or None,
        departments=departments or None,
        templates=templates or None,
    )
    credentials = state.credentials()

    async def job() -> SyncPlan:
        async with open_client(state, credentials) as client:
            await client.login()  # a refused login stops here (exit 3)
            await _check_scope(client, scope)
            try:
                return await client.plan_roster_sync(
                    roster.rows,
                    scope=scope,
                    match=match,
                    disable_threshold=disable_threshold,
                    disable_backoffice_users=not keep_backoffice_users,
                )
            except NotFoundError as exc:  # the scope names a site the tenant lacks
                raise InputValidationError([FieldIssue("--site", str(exc))]) from None

    plan = run_async(state, job)
    apply_command = shlex.join(
        ["sonnys-backoffice", *_sandbox_args(state), "sync", "apply", str(out), "--out"]
    )
    apply_command += " RESULTS.csv" + (" --allow-mass-disable" if plan.mass_disable else "")
    lines = review_lines(plan, issues=roster.issues, names=roster.names)
    write_private(out, plan.to_json())
    page = render_review(plan, lines, plan_name=out.name, apply_command=apply_command)
    write_private(html_out, page)
    _print_plan(state, plan, lines, out, html_out, apply_command)
    if plan.conflicts:
        raise SystemExit(EXIT_FAILED_ROWS)


def _sandbox_args(state: AppState) -> list[str]:
    """The sandbox options in effect, as ``sync apply`` needs them repeated (else it would
    apply the plan to the real tenant, or to a fresh sandbox)."""
    if not state.use_sandbox:
        return []
    if state.sandbox_state is not None:
        return ["--sandbox-state", str(state.sandbox_state)]  # implies --sandbox
    return ["--sandbox"]


def _review_path(out: Path) -> Path:
    return out.with_suffix(".html") if out.suffix.lower() != ".html" else out.with_suffix(".htm")


def _check_outputs(state: AppState, roster: Path, out: Path, html: Path) -> None:
    """Exit 2 (before anything is read) when the plan or page would land somewhere wrong."""
    for path, what in ((out, "--out"), (html, "--html")):
        if not path.parent.is_dir():
            fail(
                state, f"{what} {path}: the folder {path.parent} does not exist", EXIT_INVALID_INPUT
            )
        if path.exists() and path.resolve() == roster.resolve():
            fail(state, f"{what} {path} is the roster itself", EXIT_INVALID_INPUT)
    if out.resolve() == html.resolve():
        fail(state, "--out and --html name the same file", EXIT_INVALID_INPUT)
    if out.exists() and not _is_plan_file(out):
        fail(
            state,
            f"{out} exists and is not a roster-sync plan: choose another --out",
            EXIT_INVALID_INPUT,
        )
    if html.exists() and not _is_review_page(html):
        fail(
            state,
            f"{html} exists and is not a plan's review page: choose another --html",
            EXIT_INVALID_INPUT,
        )


def _is_plan_file(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("format", "")).startswith(
        "sonnys-async/roster-sync-plan/"
    )


def _is_review_page(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return False
    return head.startswith("<!DOCTYPE html>") and "<title>Roster sync plan" in head


async def _check_scope(client: AsyncBackofficeClient, scope: SyncScope) -> None:
    """Departments and templates of the scope must exist (a typo would leave nobody in scope,
    and every row naming an employee a conflict)."""
    issues: list[FieldIssue] = []
    for option, wanted, known in (
        ("--department", scope.departments, [d.name for d in await client.list_departments()]),
        ("--template", scope.templates, [t.name for t in await client.list_pos_templates()]),
    ):
        folded = {k.casefold() for k in known}
        for name in wanted or ():
            if name.strip().casefold() not in folded:
                issues.append(FieldIssue(option, f"no {name!r}; valid: {', '.join(known)}"))
    if issues:
        raise InputValidationError(issues)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) through a sibling renamed over it: a crash never
    leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp) as f:
        f.write(text)
    os.replace(tmp, path)


def _print_plan(
    state: AppState,
    plan: SyncPlan,
    lines: Sequence[Line],
    out: Path,
    html: Path,
    apply_command: str,
) -> None:
    console = state.console
    console.print(table("Plan", ["action", "items"], action_counts(plan)))
    if plan.mass_disable:
        console.print(
            plain(
                f"MASS DISABLE: the plan {plan.mass_disable}; `sync apply` refuses it "
                "without --allow-mass-disable"
            ),
            style="bold red",
            soft_wrap=True,
        )
    conflicts = [ln for ln in lines if ln.action == "conflict"]
    if conflicts:
        print_row_errors(
            console,
            [
                RowError(
                    ln.row or 0, ln.field, f"{ln.reason} ({ln.name})" if ln.name else ln.reason
                )
                for ln in conflicts
            ],
            title=f"Conflicts ({len(plan.conflicts)}; not applied: fix the roster, plan again)",
        )
    changes = [ln for ln in lines if ln.action not in ("conflict", "unchanged")]
    if changes:
        rows: Sequence[Sequence[object]] = [
            (ln.action, show(ln.row), ln.name, show(ln.employee_id), ln.field, ln.old, _new(ln))
            for ln in changes
        ]
        title = "Changes (field by field)"
        columns = ["action", "row", "name", "employee", "field", "old", "new"]
        shown = table(title, columns, rows, limit=_SHOWN)
        if len(rows) > _SHOWN:
            shown.caption = f"... and {len(rows) - _SHOWN} more line(s): see {html}"
        console.print(shown)
    else:
        console.print(plain("nothing to change"))
    console.print(plain(f"plan: {out} (digest {plan.digest[:16]}...)"), soft_wrap=True)
    console.print(plain(f"review page: {html}"), soft_wrap=True)
    if plan.actionable:
        console.print(plain(f"to apply it: {apply_command}"), soft_wrap=True)


def _new(line: Line) -> str:
    """The new value, with why an employee is disabled (absent, or terminated)."""
    if line.action == "disable" and line.field == "status" and line.reason:
        return f"{line.new} ({line.reason})"
    return line.new
