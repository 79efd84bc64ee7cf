"""Commands that read the tenant: ``employees export``, ``sites``, ``departments``,
``templates``; and what the exports share (``users export`` too)."""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click

from .. import AsyncBackofficeClient
from ..journal import open_private
from ..models import ActiveFilter, EmployeeSummary
from ._app import EXIT_INVALID_INPUT, AppState, cli, fail, open_client, pass_state, run_async
from ._options import PATH
from ._output import read_header, table
from ._safety import csv_cell, plain

__all__ = ["check_export_out", "each_limited", "overwrite_option", "read_tenant", "write_export"]

T = TypeVar("T")
X = TypeVar("X")

#: Reads in flight at once for an export's per-record reads.
EXPORT_READS_AT_ONCE = 4


def read_tenant(state: AppState, read: Callable[[AsyncBackofficeClient], Awaitable[T]]) -> T:
    """Log in (credentials first: prompting blocks), run one read, return its result."""
    credentials = state.credentials()

    async def job() -> T:
        async with open_client(state, credentials) as client:
            return await read(client)

    return run_async(state, job)


async def each_limited(
    items: Sequence[X], read: Callable[[X], Awaitable[T]], limit: int = EXPORT_READS_AT_ONCE
) -> list[T]:
    """``read`` of every item, ``limit`` at a time, results in the items' order."""
    results: list[Any] = [None] * len(items)
    gate = anyio.Semaphore(limit)

    async def one(i: int, item: X) -> None:
        async with gate:
            results[i] = await read(item)

    async with anyio.create_task_group() as tg:
        for i, item in enumerate(items):
            tg.start_soon(one, i, item)
    return results


#: ``--overwrite`` of the export commands.
overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace OUT.csv even when it is not an earlier export of this kind.",
)


def check_export_out(
    state: AppState,
    out: Path,
    headers: Iterable[Sequence[str]],
    *,
    what: str,
    overwrite: bool,
) -> None:
    """Exit 2 (before any login) when the export would land somewhere wrong: a folder that
    does not exist, something that is not a regular file, or an existing file that is not an
    earlier export of this kind (one of ``headers``) unless ``--overwrite``.

    Another command's results file may hold the only copy of Backoffice passwords: it is never
    replaced by an export silently, as ``onboard --out`` and ``sync plan --out`` never replace
    a file they did not write.
    """
    if not out.parent.is_dir():
        fail(state, f"{out}: the folder {out.parent} does not exist", EXIT_INVALID_INPUT)
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        fail(
            state,
            f"{out} exists and is not a regular file: choose another OUT.csv",
            EXIT_INVALID_INPUT,
        )
    if overwrite or st.st_size == 0:
        return
    try:
        header = read_header(out)
    except (OSError, UnicodeDecodeError, csv.Error):
        header = None
    if header is not None and tuple(header) in {tuple(h) for h in headers}:
        return  # an earlier export of the same kind: replaced by the new one
    fail(
        state,
        f"{out} exists and is not {what}; it may hold the only copy of something (a results "
        "file's passwords). Choose another OUT.csv, or pass --overwrite to replace it",
        EXIT_INVALID_INPUT,
    )


def write_export(out: Path, fields: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write an export (mode 0600: personal data); booleans as True/False (as the roster
    export always wrote them), every cell neutralised against formula injection.

    The file is written whole to a sibling, then renamed over ``out``: an interrupted export
    leaves the earlier one as it was.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for values in rows:
        writer.writerow([csv_cell(str(v) if isinstance(v, bool) else v) for v in values])
    tmp = out.with_name(out.name + ".tmp")
    try:
        with open_private(tmp) as f:
            f.write(buf.getvalue())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


def _with_email(fields: Sequence[str]) -> list[str]:
    out = list(fields)
    out.insert(out.index("last_name") + 1, "email")
    return out


@employees_group.command("export")
@click.argument("out", metavar="OUT.csv", type=PATH)
@click.option(
    "--active",
    type=click.Choice(["all", "active", "inactive"]),
    default="active",
    show_default=True,
    help="Which employees.",
)
@click.option(
    "--with-email",
    is_flag=True,
    help="Add an email column: 2 more reads per employee (its edit page, found by POS User ID).",
)
@overwrite_option
@pass_state
def employees_export(
    state: AppState, out: Path, active: str, with_email: bool, overwrite: bool
) -> None:
    """Write the roster to OUT.csv (mode 0600: it holds personal data).

    The roster list has no e-mail column: --with-email reads each employee's edit page (2
    reads per employee, 4 at a time) and adds an email column after last_name; an employee
    without a POS User ID gets a blank one. Cells a spreadsheet would run as formulas
    (starting with =, +, -, @) get a leading '. An existing OUT.csv is only replaced when it
    is an earlier roster export (or with --overwrite).
    """
    check_export_out(
        state,
        out,
        [_EXPORT_FIELDS, _with_email(_EXPORT_FIELDS)],
        what="an earlier roster export",
        overwrite=overwrite,
    )
    which: ActiveFilter = (
        "all" if active == "all" else "inactive" if active == "inactive" else "active"
    )

    async def read(client: AsyncBackofficeClient) -> list[tuple[EmployeeSummary, str | None]]:
        employees = await client.list_employees(active=which)
        if not with_email:
            return [(e, None) for e in employees]

        async def email(e: EmployeeSummary) -> str | None:
            if e.pos_user_id is None:
                return None
            return (await client.get_employee_profile(pos_user_id=e.pos_user_id)).email

        return list(zip(employees, await each_limited(employees, email), strict=True))

    employees = read_tenant(state, read)
    fields = _with_email(_EXPORT_FIELDS) if with_email else list(_EXPORT_FIELDS)

    def row(e: EmployeeSummary, address: str | None) -> list[object]:
        return [address if name == "email" else getattr(e, name) for name in fields]

    write_export(out, fields, (row(e, address) for e, address in employees))
    state.console.print(plain(f"{len(employees)} employee(s) written to {out}"))


@cli.command("sites", short_help="List the tenant's sites.")
@pass_state
def sites_cmd(state: AppState) -> None:
    """List the tenant's sites (id, long name, short code, district, region)."""
    tree = read_tenant(state, lambda client: client.get_site_tree())
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
    departments = read_tenant(state, lambda client: client.list_departments())
    state.console.print(table("Departments", ["id", "name"], ((d.id, d.name) for d in departments)))


@cli.command("templates")
@pass_state
def templates_cmd(state: AppState) -> None:
    """List the POS and Backoffice permission templates."""

    async def both(client: AsyncBackofficeClient) -> tuple[Any, Any]:
        return await client.list_pos_templates(), await client.list_backoffice_templates()

    pos, bo = read_tenant(state, both)
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
