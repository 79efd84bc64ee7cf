"""Commands that read the tenant: ``employees export``, ``sites``, ``departments``,
``templates``."""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import AsyncBackofficeClient
from ..journal import open_private
from ..models import ActiveFilter
from ._app import AppState, cli, open_client, pass_state, run_async
from ._options import PATH
from ._output import table
from ._safety import csv_cell, plain

T = TypeVar("T")


def _read(state: AppState, read: Callable[[AsyncBackofficeClient], Awaitable[T]]) -> T:
    """Log in (credentials first: prompting blocks), run one read, return its result."""
    credentials = state.credentials()

    async def job() -> T:
        async with open_client(state, credentials) as client:
            return await read(client)

    return run_async(state, job)


@cli.group("employees")
def employees_group() -> None:
    """Read the employee roster."""


_EXPORT_FIELDS = (
    "employee_id",
    "pos_user_id",
    "first_name",
    "last_name",
    "phone",
    "is_active",
    "site_codes",
    "departments",
    "access",
    "wage_type",
)


@employees_group.command("export")
@click.argument("out", metavar="OUT.csv", type=PATH)
@click.option(
    "--active",
    type=click.Choice(["all", "active", "inactive"]),
    default="active",
    show_default=True,
    help="Which employees.",
)
@pass_state
def employees_export(state: AppState, out: Path, active: str) -> None:
    """Write the roster to OUT.csv (mode 0600: it holds personal data).

    Cells a spreadsheet would run as formulas (starting with =, +, -, @) get a leading '.
    """
    which: ActiveFilter = (
        "all" if active == "all" else "inactive" if active == "inactive" else "active"
    )
    employees = _read(state, lambda client: client.list_employees(active=which))
    with open_private(out) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(_EXPORT_FIELDS)
        for e in employees:
            values = (getattr(e, name) for name in _EXPORT_FIELDS)
            # is_active as True/False, as the export always wrote it.
            writer.writerow([csv_cell(str(v) if isinstance(v, bool) else v) for v in values])
    state.console.print(plain(f"{len(employees)} employee(s) written to {out}"))


@cli.command("sites", short_help="List the tenant's sites.")
@pass_state
def sites_cmd(state: AppState) -> None:
    """List the tenant's sites (id, long name, short code, district, region)."""
    tree = _read(state, lambda client: client.get_site_tree())
    regions = {r.id: r.name for r in tree.regions}
    districts = {d.id: d.name for d in tree.districts}
    rows = (
        (
            s.id,
            s.name,
            s.code or "",
            districts.get(s.district_id, "") if s.district_id is not None else "",
            regions.get(s.region_id, "") if s.region_id is not None else "",
        )
        for s in tree.sites
    )
    state.console.print(table("Sites", ["id", "name", "code", "district", "region"], rows))


@cli.command("departments")
@pass_state
def departments_cmd(state: AppState) -> None:
    """List the tenant's departments."""
    departments = _read(state, lambda client: client.list_departments())
    state.console.print(table("Departments", ["id", "name"], ((d.id, d.name) for d in departments)))


@cli.command("templates")
@pass_state
def templates_cmd(state: AppState) -> None:
    """List the POS and Backoffice permission templates."""

    async def both(client: AsyncBackofficeClient) -> tuple[Any, Any]:
        return await client.list_pos_templates(), await client.list_backoffice_templates()

    pos, bo = _read(state, both)
    state.console.print(
        table(
            "POS templates",
            ["id", "name", "permissions", "manager overrides"],
            ((t.id, t.name, len(t.grants), len(t.overrides)) for t in pos),
        )
    )
    state.console.print(
        table(
            "Backoffice templates",
            ["id", "name", "permissions"],
            ((t.id, t.name, len(t.tokens)) for t in bo),
        )
    )
