"""What a roster sync reads from the tenant, once: the roster, and the records in scope.

The roster list (every employee, active or not: ids, names, phone, status, site codes,
departments, the template its Access column names) decides who is in scope. Only the employees
in scope are read further: their edit pages (e-mail, ADP id, sites, department ids) and, for
those whose roster row names a wage, their compensation page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

import anyio

from ..core import pages, sites
from ..core.text import digits, norm
from ..domain import ALL, BoTemplate, Department, PosTemplate, SiteSelection, SiteTree
from ..models import SyncScope
from .catalogue import Catalogue
from .gateway import Gateway
from .roster import Roster

__all__ = ["Snapshot", "SnapshotReader", "fingerprint"]

T = TypeVar("T")
K = TypeVar("K")


def fingerprint(edit: pages.EmployeeEditPage) -> str:
    """A short hash of what a sync compares on an employee's edit page: a record whose hash
    changed between planning and applying is stale."""
    site_ids = "all" if edit.available_sites == ALL else sorted(edit.available_sites)
    parts = (
        edit.pos_user_id,
        norm(edit.first_name),
        norm(edit.last_name),
        digits(edit.phone),
        norm(edit.email),
        edit.active,
        site_ids,
        sorted(edit.department_ids),
        edit.adp_employee_id,
        norm(edit.emergency_contact_name),
        digits(edit.emergency_contact_phone),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Snapshot:
    """The tenant as one sync saw it."""

    tree: SiteTree
    departments: tuple[Department, ...]
    pos_templates: tuple[PosTemplate, ...]
    rows: dict[int, pages.EmployeeRow]
    in_scope: frozenset[int]
    #: Read only when a row asks for a Backoffice login.
    bo_templates: tuple[BoTemplate, ...] = ()
    edits: dict[int, pages.EmployeeEditPage] = field(default_factory=dict)
    wages: dict[int, Decimal | None] = field(default_factory=dict)
    #: E-mails of active employees outside the scope (the ``/user/create`` list).
    other_emails: dict[str, set[int]] = field(default_factory=dict)

    def sites_of(self, employee_id: int) -> SiteSelection:
        """An employee's available sites: from its edit page when read, else its row's codes."""
        edit = self.edits.get(employee_id)
        if edit is not None:
            return edit.available_sites
        by_code = {s.code.casefold(): s.id for s in self.tree.sites if s.code}
        codes = self.rows[employee_id].site_codes
        return frozenset(by_code[c.casefold()] for c in codes if c.casefold() in by_code)


async def _gather(
    keys: Iterable[K], fetch: Callable[[K], Awaitable[T]], max_at_once: int
) -> dict[K, T]:
    """``fetch`` for every key, ``max_at_once`` at a time; the first error is raised."""
    found: dict[K, T] = {}
    limiter = anyio.CapacityLimiter(max_at_once)

    async def one(key: K) -> None:
        async with limiter:
            found[key] = await fetch(key)

    try:
        async with anyio.create_task_group() as group:
            for key in keys:
                group.start_soon(one, key)
    except BaseExceptionGroup as errors:
        first: BaseException = errors
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return found


class SnapshotReader:
    """Reads a :class:`Snapshot`.

    Args:
        gateway: Compensation pages.
        catalogue: Site tree, departments, POS templates.
        roster: The roster list, edit pages, the ``/user/create`` list.
    """

    def __init__(self, gateway: Gateway, catalogue: Catalogue, roster: Roster) -> None:
        self._gateway = gateway
        self._catalogue = catalogue
        self._roster = roster

    async def read(self, scope: SyncScope, *, max_at_once: int, logins: bool = False) -> Snapshot:
        """The roster, and the edit pages of the employees in ``scope`` (with ``logins``, the
        Backoffice templates too)."""
        create_page = await self._catalogue.employee_create_page()
        templates = tuple(await self._catalogue.list_pos_templates())
        rows = {r.employee_id: r for r in await self._roster.rows(active="all")}
        snap = Snapshot(create_page.tree, create_page.departments, templates, rows, frozenset())
        if logins:
            snap.bo_templates = tuple(await self._catalogue.list_backoffice_templates())
        snap.in_scope = frozenset(i for i, r in rows.items() if _in_scope(snap, r, scope))
        snap.edits = await _gather(sorted(snap.in_scope), self._roster.edit_page, max_at_once)
        for option in await self._roster.employee_options():
            if option.employee_id not in snap.in_scope and option.email:
                snap.other_emails.setdefault(norm(option.email), set()).add(option.employee_id)
        return snap

    async def read_wages(
        self, snap: Snapshot, employee_ids: Iterable[int], max_at_once: int
    ) -> None:
        """Add the current hourly rate of these employees (``None``: no current record)."""
        snap.wages.update(await _gather(set(employee_ids), self._current_rate, max_at_once))

    async def _current_rate(self, employee_id: int) -> Decimal | None:
        resp = await self._gateway.page(
            f"/employee/compensation/{employee_id}", what="compensation page"
        )
        page = pages.parse_compensation(resp.text)
        return next((w.rate for w in page.history if w.is_current), None)


def _in_scope(snap: Snapshot, row: pages.EmployeeRow, scope: SyncScope) -> bool:
    if scope.sites is not None:
        wanted = sites.selection_ids(snap.tree, sites.resolve(snap.tree, scope.sites))
        if not snap.sites_of(row.employee_id) or not (
            sites.selection_ids(snap.tree, snap.sites_of(row.employee_id)) & wanted
        ):
            return False
    if scope.departments is not None:
        wanted_deps = {norm(d) for d in scope.departments}
        if not wanted_deps & {norm(d) for d in row.departments}:
            return False
    return scope.templates is None or norm(row.access) in {norm(t) for t in scope.templates}
