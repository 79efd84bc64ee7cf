"""Commands that need no Backoffice: ``template-csv``, ``inspect``, ``replay``, ``sandbox``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from click.core import ParameterSource

from .. import sandbox
from ..errors import BackofficeError
from ..offline import inspect_page, replay_page
from ..sandbox.snapshot import TENANT_FIELDS
from ._app import EXIT_INVALID_INPUT, AppState, cli, fail, pass_state
from ._csv import OFFBOARD_COLUMNS, ONBOARD_COLUMNS, Column, header_line
from ._lifecycle_csv import (
    MODIFY_COLUMNS,
    REHIRE_COLUMNS,
    USERS_CREATE_COLUMNS,
    USERS_KEY_COLUMNS,
    USERS_MODIFY_COLUMNS,
)
from ._output import table
from ._safety import json_text, plain
from ._sandbox_options import OPTION_NAMES, options_from, sandbox_options
from ._sync_csv import SYNC_COLUMNS

#: The CSV files the commands read, by command.
TEMPLATES: dict[str, tuple[Column, ...]] = {
    "onboard": ONBOARD_COLUMNS,
    "offboard": OFFBOARD_COLUMNS,
    "modify": MODIFY_COLUMNS,
    "rehire": REHIRE_COLUMNS,
    "users create": USERS_CREATE_COLUMNS,
    "users modify": USERS_MODIFY_COLUMNS,
    "users disable": USERS_KEY_COLUMNS,
    "users reactivate": USERS_KEY_COLUMNS,
    "sync": SYNC_COLUMNS,
}


@cli.command("template-csv", short_help="Print the CSV header a command reads.")
@click.argument("command", nargs=-1, required=True, metavar="COMMAND")
@click.option("--describe", is_flag=True, help="Describe each column instead.")
@pass_state
def template_csv(state: AppState, command: tuple[str, ...], describe: bool) -> None:
    """Print the CSV header that COMMAND reads: onboard, offboard, modify, rehire, users
    create, users modify, users disable, users reactivate or sync (`sync plan`'s roster)."""
    kind = " ".join(word.strip().casefold() for word in command).replace("-", " ")
    columns = TEMPLATES.get(kind)
    if columns is None:
        choices = ", ".join(repr(name) for name in TEMPLATES)
        raise click.BadParameter(
            f"{' '.join(command)!r} is not one of {choices}", param_hint="COMMAND"
        )
    if describe:
        rows = ((c.name, "yes" if c.required else "", c.help) for c in columns)
        state.console.print(table(f"{kind} columns", ["column", "required", "meaning"], rows))
        return
    click.echo(header_line(columns), nl=False)


def _read_html(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@cli.command("inspect", short_help="Show a saved Backoffice page as JSON (offline).")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_state
def inspect_cmd(state: AppState, page: Path) -> None:
    """Print what a saved Backoffice page contains, as JSON (offline)."""
    try:
        data = inspect_page(_read_html(page))
    except BackofficeError as exc:
        fail(state, str(exc), EXIT_INVALID_INPUT)
    click.echo(json_text(data))


def _pair(value: str, option: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
    return name, val


@cli.command("replay", short_help="Print the body a saved page's form submits (offline).")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--form",
    "form_id",
    default=None,
    help="The form's id attribute (with --template: the access page's form by default).",
)
@click.option(
    "--template",
    default=None,
    metavar="NAME",
    help="On a POS or Backoffice access page: choose this template (name or id) and tick "
    "what the page's script ticks for it.",
)
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Set a field.")
@click.option("--uncheck", "unchecks", multiple=True, metavar="NAME", help="Uncheck a box.")
@click.option("--check", "checks", multiple=True, metavar="NAME=VALUE", help="Check a box.")
@click.option("--plain", is_flag=True, help="Plain HTML semantics instead of the browser's.")
@pass_state
def replay_cmd(
    state: AppState,
    page: Path,
    form_id: str | None,
    template: str | None,
    sets: tuple[str, ...],
    unchecks: tuple[str, ...],
    checks: tuple[str, ...],
    plain: bool,
) -> None:
    """Print the urlencoded body a browser would submit for a form of a saved page (offline).

    Edits apply in the order --template, --set, --uncheck, --check. On an access page, choosing
    a template (--template, or --set of its select without --plain) ticks exactly what the
    page's script ticks for it, as a browser's body shows.
    """
    try:
        body = replay_page(
            _read_html(page),
            form_id,
            template=template,
            sets=[_pair(s, "--set") for s in sets],
            unchecks=list(unchecks),
            checks=[_pair(c, "--check") for c in checks],
            plain=plain,
        )
    except BackofficeError as exc:
        fail(state, str(exc), EXIT_INVALID_INPUT)
    click.echo(body)


@cli.command("sandbox", short_help="Serve a simulated Backoffice tenant over HTTP.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@sandbox_options
@click.option(
    "--no-padding",
    is_flag=True,
    help=f"Serve pages without the realistic ~{sandbox.SERVED_SIDEBAR_KB} KB sidebar (the "
    "default when --sidebar-kb is not given).",
)
@pass_state
def sandbox_cmd(state: AppState, host: str, port: int, no_padding: bool, **fields: object) -> None:
    """Serve a simulated Backoffice tenant over HTTP (blocks until Ctrl-C).

    Every option of docs/sandbox.md is here: the tenant (shape, roster, seed), realism
    (latency, session locking, page size) and faults (5xx rates, dropped and delayed POSTs,
    latency spikes, session expiry, one session per user, login throttling). With
    --sandbox-state FILE (before the command) it serves the tenant that file keeps and saves
    it back on Ctrl-C, so a browser shows what earlier --sandbox-state commands did; the
    file's tenant shape, roster, seed, bot username and date win over the options here.
    """
    options = options_from(fields)
    ctx = click.get_current_context()
    if no_padding or ctx.get_parameter_source("sidebar_kb") is not ParameterSource.COMMANDLINE:
        # Every real page carries the ~130 KB sidebar: served pages do too unless told not to.
        padding = 0 if no_padding else sandbox.SERVED_SIDEBAR_KB
        options = dataclasses.replace(options, sidebar_kb=padding)
    if state.sandbox_state is not None and state.sandbox_state.exists():
        ignored = [
            name
            for name in TENANT_FIELDS
            if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
        ]
        if ignored:
            names = ", ".join(OPTION_NAMES.get(n, "--" + n.replace("_", "-")) for n in ignored)
            state.err.print(plain(f"ignored: {names}: the tenant comes from {state.sandbox_state}"))
    # Prints the URL and the bot credentials; with a state file, loads and saves the tenant.
    sandbox.serve(options, host=host, port=port, state=state.sandbox_state)
