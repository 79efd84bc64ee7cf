"""The ``modify`` and ``rehire`` commands: change employees, or bring leavers back, from a
CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..models import ModifyEmployeeRequest, RehireEmployeeRequest
from ._app import AppState, cli, pass_state
from ._lifecycle_checks import check_changes, check_rehires
from ._lifecycle_cmd import Command, bulk_options, options_of, run_command
from ._lifecycle_csv import MODIFY_COLUMNS, REHIRE_COLUMNS, parse_changes, parse_rehires
from ._lifecycle_jobs import MODIFY, REHIRE
from ._options import EXISTING

MODIFY_COMMAND = Command(
    name="modify",
    kind=MODIFY,
    columns=MODIFY_COLUMNS,
    parse=parse_changes,
    check=check_changes,
    verb="checked and changed where they differ",
    summary="Modify summary",
    model=ModifyEmployeeRequest,
    pos_permission=True,
)

REHIRE_COMMAND = Command(
    name="rehire",
    kind=REHIRE,
    columns=REHIRE_COLUMNS,
    parse=parse_rehires,
    check=check_rehires,
    verb="rehired",
    summary="Rehire summary",
    model=RehireEmployeeRequest,
    pos_permission=True,
)


@cli.command("modify", short_help="Change the employees of CHANGES.csv.")
@click.argument("changes_csv", metavar="CHANGES.csv", type=EXISTING)
@bulk_options(out_required=False)
@pass_state
def modify_cmd(state: AppState, changes_csv: Path, **options: Any) -> None:
    """Change the employees of CHANGES.csv (see `template-csv modify --describe`).

    Each row names an employee (pos_user_id, or email, or first_name + last_name [+ phone])
    and gives only what changes: a blank cell means "no change" ((clear) clears an ADP id or
    an emergency contact). Changes are idempotent by value: every row is read first and only
    what differs is written, on every run, so re-running the same file (after a kill, or
    twice) never applies a change twice (a pay raise is one wage record).
    """
    run_command(state, MODIFY_COMMAND, changes_csv, options_of(options))


@cli.command("rehire", short_help="Rehire the former employees of REHIRES.csv.")
@click.argument("rehires_csv", metavar="REHIRES.csv", type=EXISTING)
@bulk_options(out_required=True)
@pass_state
def rehire_cmd(state: AppState, rehires_csv: Path, **options: Any) -> None:
    """Rehire the former employees of REHIRES.csv (see `template-csv rehire --describe`).

    Each row names a leaver (pos_user_id or email): they are reactivated with what the row
    changes (sites, departments, template, wage), and their Backoffice login is reactivated
    and given a new password (or, with backoffice_username, created when none is linked).
    The passwords go to --out. Re-running the same command skips rehires done earlier
    (their passwords stay in --out; a password is never reset twice) and finishes
    interrupted ones with the password journaled for them.
    """
    run_command(state, REHIRE_COMMAND, rehires_csv, options_of(options))
