"""Template contexts of the employee pages: list (§10), create/edit (§6, §8), access (§7),
compensation (§9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from markupsafe import Markup

from sonnys_async.domain import Department, PosTemplate, Site
from sonnys_async.sandbox.listing import (
    EmployeeListing,
    Pager,
    SortLink,
    employee_pager,
    employee_sort_link,
)
from sonnys_async.sandbox.reference import (
    APPROVAL_AUTHORITY_DESCRIPTION,
    APPROVAL_AUTHORITY_LABEL,
    POS_BY_ID,
    POS_GROUPS,
    POS_TEMPLATES,
)
from sonnys_async.sandbox.state import StoredEmployee, StoredWage, TenantState
from sonnys_async.sandbox.views.common import FlashPage, TenantLookups
from sonnys_async.sandbox.views.env import FragmentCache, macro

__all__ = [
    "CompensationPage",
    "EmployeeFormPage",
    "EmployeeListPage",
    "EmployeePermissionsPage",
    "EmployeeRow",
    "PosGroup",
    "PosGroupKey",
    "WageRow",
    "compensation_context",
    "employee_form_context",
    "employee_list_context",
    "employee_permissions_context",
    "pos_groups",
    "wage_sites",
]


@dataclass(frozen=True, slots=True)
class EmployeeRow:
    """One row of the employee list, as displayed."""

    id: int
    first_name: str
    last_name: str
    full_name: str
    site_codes: str
    access: str
    pos_user_id: int
    departments: tuple[str, ...]
    phone: str
    wage_type: str
    #: ``YYYY-mm-dd HH:MM:SS`` ("Employee is Active since", ``data-date-utc``).
    since: str
    active: bool


class EmployeeListPage(FlashPage):
    """Context of ``employee_list.html.j2``."""

    listing: EmployeeListing
    site_options: tuple[Site, ...]
    #: Rendered ``employee_row()`` per employee.
    rows: list[Markup]
    sort_first_name: SortLink
    sort_last_name: SortLink
    page_links: Pager | None


def _row(state: TenantState, lookups: TenantLookups, e: StoredEmployee) -> EmployeeRow:
    names = lookups.department_name
    codes = sorted((lookups.code_of[i] for i in state.site_ids_of(e.sites)), key=str.lower)
    current_wage = max(e.wages, key=lambda w: w.effective_date, default=None)
    return EmployeeRow(
        id=e.id,
        first_name=e.first_name,
        last_name=e.last_name,
        full_name=e.full_name,
        site_codes=", ".join(codes),
        access=state.access_label(e),
        pos_user_id=e.pos_user_id,
        departments=tuple(
            names.get(d, str(d))
            for d in sorted(e.department_ids, key=lambda d: names.get(d, "").lower())
        ),
        phone=e.phone,
        wage_type=""
        if current_wage is None
        else ("Hourly" if current_wage.is_hourly else "Salary"),
        since=e.active_since.strftime("%Y-%m-%d %H:%M:%S"),
        active=e.active,
    )


_employee_row = macro("macros/rows.html.j2", "employee_row")


def employee_list_context(
    base: FlashPage,
    state: TenantState,
    lookups: TenantLookups,
    listing: EmployeeListing,
    row_cache: FragmentCache[EmployeeRow],
) -> EmployeeListPage:
    """The employee list page for one :class:`EmployeeListing` (rows cached per display)."""
    rows = []
    for e in listing.rows:
        row = _row(state, lookups, e)
        rows.append(row_cache.get(row, partial(_employee_row, row)))
    return {
        **base,
        "listing": listing,
        "site_options": lookups.sites_by_code,
        "rows": rows,
        "sort_first_name": employee_sort_link(listing, "first_name"),
        "sort_last_name": employee_sort_link(listing, "last_name"),
        "page_links": employee_pager(listing),
    }


def _mdy(value: date | None) -> str:
    """``mm/dd/YYYY`` as in ``data-value``; empty for no date."""
    return value.strftime("%m/%d/%Y") if value else ""


def wage_sites(lookups: TenantLookups, site_ids: frozenset[int]) -> tuple[Site, ...]:
    """The wage site options (``wage[siteId]``): the given sites in short-code order."""
    return tuple(s for s in lookups.sites_by_code if s.id in site_ids)


class EmployeeFormPage(FlashPage):
    """Context of ``employee_form.html.j2`` (``emp`` None = the create form)."""

    emp: StoredEmployee | None
    departments: tuple[Department, ...]
    selected_departments: frozenset[int]
    start_date: str
    site_tree: Markup
    wage_sites: tuple[Site, ...]


def employee_form_context(
    base: FlashPage,
    departments: tuple[Department, ...],
    emp: StoredEmployee | None,
    today: date,
    site_tree: Markup,
    all_wage_sites: tuple[Site, ...],
) -> EmployeeFormPage:
    """The create form (``emp`` None: blank, start date today) or an employee's edit form."""
    return {
        **base,
        "emp": emp,
        "departments": departments,
        "selected_departments": frozenset(emp.department_ids) if emp else frozenset(),
        "start_date": _mdy(today if emp is None else emp.start_date),
        "site_tree": site_tree,
        "wage_sites": all_wage_sites,
    }


@dataclass(frozen=True, slots=True)
class PosPermissionView:
    """One POS permission row: id, label, help text."""

    id: int
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class PosGroup:
    """A collapsible group of the POS permission matrix (§7.2)."""

    key: str
    title: str
    permissions: tuple[PosPermissionView, ...]


def pos_groups() -> tuple[PosGroup, ...]:
    """The matrix groups in document order (static reference data)."""
    return tuple(
        PosGroup(
            key,
            title,
            tuple(PosPermissionView(i, POS_BY_ID[i].label, POS_BY_ID[i].description) for i in ids),
        )
        for key, title, ids in POS_GROUPS
    )


class EmployeePermissionsPage(FlashPage):
    """Context of ``employee_permissions.html.j2``."""

    emp: StoredEmployee
    templates: tuple[PosTemplate, ...]
    approval_label: str
    approval_description: str
    #: Rendered ``pos_permission_group()`` per group.
    groups: list[Markup]


#: Cache key of a rendered matrix group: (group key, its granted ids, its override ids).
PosGroupKey = tuple[str, frozenset[int], frozenset[int]]
_pos_permission_group = macro("macros/permissions.html.j2", "pos_permission_group")


def employee_permissions_context(
    base: FlashPage,
    emp: StoredEmployee,
    groups: tuple[PosGroup, ...],
    group_cache: FragmentCache[PosGroupKey],
) -> EmployeePermissionsPage:
    """The access page of one employee (grants and overrides as stored; groups cached)."""
    rendered = []
    for group in groups:
        ids = frozenset(p.id for p in group.permissions)
        grants, overrides = emp.grants & ids, emp.overrides & ids
        rendered.append(
            group_cache.get(
                (group.key, grants, overrides),
                partial(_pos_permission_group, group, grants, overrides),
            )
        )
    return {
        **base,
        "emp": emp,
        "templates": POS_TEMPLATES,
        "approval_label": APPROVAL_AUTHORITY_LABEL,
        "approval_description": APPROVAL_AUTHORITY_DESCRIPTION,
        "groups": rendered,
    }


@dataclass(frozen=True, slots=True)
class WageRow:
    """One row of the wage history, as displayed."""

    wage_type: str
    rate: str
    overtime_eligible: bool
    overtime_rate: str
    effective_date: str
    end_date: str


def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,.2f}/hr".replace(",", "")


def _wage_row(w: StoredWage) -> WageRow:
    eligible_rate = w.overtime_rate if w.overtime_eligible else None
    return WageRow(
        wage_type="Hourly" if w.is_hourly else "Salary",
        rate=_money(w.rate),
        overtime_eligible=w.overtime_eligible,
        overtime_rate="" if eligible_rate is None else _money(eligible_rate),
        effective_date=_mdy(w.effective_date),
        end_date=_mdy(w.end_date),
    )


class CompensationPage(FlashPage):
    """Context of ``employee_compensation.html.j2``."""

    emp: StoredEmployee
    today: str
    minimum_date: str | None
    wage_sites: tuple[Site, ...]
    wages: list[WageRow]


def compensation_context(
    base: FlashPage,
    state: TenantState,
    lookups: TenantLookups,
    emp: StoredEmployee,
    today: date,
) -> CompensationPage:
    """The compensation page: Add-Wage form (minimum = a day after the latest), history."""
    latest = max((w.effective_date for w in emp.wages), default=None)
    minimum = None if latest is None else _mdy(date.fromordinal(latest.toordinal() + 1))
    history = sorted(emp.wages, key=lambda w: w.effective_date, reverse=True)
    return {
        **base,
        "emp": emp,
        "today": _mdy(today),
        "minimum_date": minimum,
        "wage_sites": wage_sites(lookups, state.site_ids_of(emp.sites)),
        "wages": [_wage_row(w) for w in history],
    }
