"""The ``users`` commands: export the Backoffice users, and create, change, disable or
reactivate them from a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..models import (
    BackofficeStatus,
    BackofficeUser,
    BackofficeUserSummary,
    CreateBackofficeUserRequest,
    ModifyBackofficeUserRequest,
)
from ._app import AppState, cli, pass_state
from ._lifecycle_checks import check_user_changes, check_user_keys, check_users
from ._lifecycle_cmd import Command, bulk_options, options_of, run_command
from ._lifecycle_csv import (
    USERS_CREATE_COLUMNS,
    USERS_KEY_COLUMNS,
    USERS_MODIFY_COLUMNS,
    parse_user_changes,
    parse_user_keys,
    parse_users,
)
from ._lifecycle_jobs import USERS_CREATE, USERS_DISABLE, USERS_MODIFY, USERS_REACTIVATE
from ._options import EXISTING, PATH
from ._safety import plain
from ._tenant import check_export_out, each_limited, overwrite_option, read_tenant, write_export

USERS_CREATE_COMMAND = Command(
    name="users create",
    kind=USERS_CREATE,
    columns=USERS_CREATE_COLUMNS,
    parse=parse_users,
    check=check_users,
    verb="created",
    summary="Backoffice users: create summary",
    model=CreateBackofficeUserRequest,
    pos_permission=False,
)
USERS_MODIFY_COMMAND = Command(
    name="users modify",
    kind=USERS_MODIFY,
    columns=USERS_MODIFY_COLUMNS,
    parse=parse_user_changes,
    check=check_user_changes,
    verb="checked and changed where they differ",
    summary="Backoffice users: modify summary",
    model=ModifyBackofficeUserRequest,
    pos_permission=False,
)
USERS_DISABLE_COMMAND = Command(
    name="users disable",
    kind=USERS_DISABLE,
    columns=USERS_KEY_COLUMNS,
    parse=parse_user_keys,
    check=check_user_keys,
    verb="disabled",
    summary="Backoffice users: disable summary",
)
USERS_REACTIVATE_COMMAND = Command(
    name="users reactivate",
    kind=USERS_REACTIVATE,
    columns=USERS_KEY_COLUMNS,
    parse=parse_user_keys,
    check=check_user_keys,
    verb="reactivated",
    summary="Backoffice users: reactivate summary",
)


@cli.group("users")
def users_group() -> None:
    """Backoffice users (web logins): export, create, modify, disable, reactivate."""


EXPORT_FIELDS = (
    "user_id",
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "is_active",
)
DETAIL_FIELDS = ("linked_employee_id", "permission", "accessible_sites")


@users_group.command("export")
@click.argument("out", metavar="OUT.csv", type=PATH)
@click.option(
    "--status",
    type=click.Choice(["active", "inactive", "all"]),
    default="active",
    show_default=True,
    help="Which users.",
)
@click.option(
    "--details",
    is_flag=True,
    help="Also each user's linked employee, template and sites (3 more reads per user).",
)
@overwrite_option
@pass_state
def users_export(state: AppState, out: Path, status: str, details: bool, overwrite: bool) -> None:
    """Write the Backoffice users to OUT.csv (mode 0600: it holds personal data).

    Columns: user_id, username, first_name, last_name, email, phone, is_active; with
    --details also linked_employee_id, permission (the template whose permissions the user
    has exactly; blank when none or several) and accessible_sites. Cells a spreadsheet would
    run as formulas get a leading '. An existing OUT.csv is only replaced when it is an
    earlier users export (or with --overwrite).
    """
    check_export_out(
        state,
        out,
        [EXPORT_FIELDS, EXPORT_FIELDS + DETAIL_FIELDS],
        what="an earlier users export",
        overwrite=overwrite,
    )
    which: BackofficeStatus = (
        "all" if status == "all" else "inactive" if status == "inactive" else "active"
    )

    async def read(client: Any) -> list[tuple[BackofficeUserSummary, BackofficeUser | None]]:
        users = await client.list_backoffice_users(status=which)
        if not details:
            return [(u, None) for u in users]

        async def detail(u: BackofficeUserSummary) -> BackofficeUser:
            found: BackofficeUser = await client.get_backoffice_user(user_id=u.user_id)
            return found

        return list(zip(users, await each_limited(users, detail), strict=True))

    users = read_tenant(state, read)
    fields = EXPORT_FIELDS + (DETAIL_FIELDS if details else ())

    def row(summary: BackofficeUserSummary, user: BackofficeUser | None) -> list[object]:
        values: list[object] = [getattr(summary, name) for name in EXPORT_FIELDS]
        if user is not None:
            values += [user.linked_employee_id, user.permission, user.accessible_sites]
        return values

    write_export(out, fields, (row(s, u) for s, u in users))
    state.console.print(plain(f"{len(users)} Backoffice user(s) written to {out}"))


@users_group.command("create", short_help="Create the Backoffice users of USERS.csv.")
@click.argument("users_csv", metavar="USERS.csv", type=EXISTING)
@bulk_options(out_required=True)
@pass_state
def users_create(state: AppState, users_csv: Path, **options: Any) -> None:
    """Create the Backoffice logins of USERS.csv (see `template-csv users create --describe`).

    A row links the login to an employee (link_to_employee_pos_user_id or
    link_to_employee_email) or makes a standalone one (first_name, last_name, email). Blank
    passwords are generated; the passwords go to --out. Re-running the same command skips
    logins created earlier and settles interrupted ones (a login an earlier attempt created
    is finished with the journaled password; a username someone else holds fails the row).
    """
    run_command(state, USERS_CREATE_COMMAND, users_csv, options_of(options))


@users_group.command("modify", short_help="Change the Backoffice users of USERS.csv.")
@click.argument("users_csv", metavar="USERS.csv", type=EXISTING)
@bulk_options(out_required=False)
@pass_state
def users_modify(state: AppState, users_csv: Path, **options: Any) -> None:
    """Change the Backoffice logins of USERS.csv (see `template-csv users modify --describe`).

    Each row names a user (user_id or username) and what changes: permission,
    available_sites, new_email, new_username (blank: no change). Idempotent by value: every
    row is read first and only what differs is written, on every run.
    """
    run_command(state, USERS_MODIFY_COMMAND, users_csv, options_of(options))


@users_group.command("disable", short_help="Deactivate the Backoffice users of USERS.csv.")
@click.argument("users_csv", metavar="USERS.csv", type=EXISTING)
@bulk_options(out_required=False)
@pass_state
def users_disable(state: AppState, users_csv: Path, **options: Any) -> None:
    """Deactivate the Backoffice logins of USERS.csv (a user_id or username column).

    Idempotent: a user already inactive is reported as such and nothing is sent; every row
    is checked again on every run.
    """
    run_command(state, USERS_DISABLE_COMMAND, users_csv, options_of(options))


@users_group.command("reactivate", short_help="Reactivate the Backoffice users of USERS.csv.")
@click.argument("users_csv", metavar="USERS.csv", type=EXISTING)
@bulk_options(out_required=False)
@pass_state
def users_reactivate(state: AppState, users_csv: Path, **options: Any) -> None:
    """Let the Backoffice logins of USERS.csv log in again (a user_id or username column).

    Their passwords are not changed (use `rehire` to rehire an employee with a new
    password). Idempotent: a user already active is reported as such and nothing is sent.
    """
    run_command(state, USERS_REACTIVATE_COMMAND, users_csv, options_of(options))
