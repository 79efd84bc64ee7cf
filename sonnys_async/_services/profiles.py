"""Employee snapshots: profile (edit page), compensation, POS permission, or all three."""

from __future__ import annotations

from typing import Any

from ..core import pages
from ..core import payloads as P
from ..core.text import digits
from ..domain import ALL, SiteTree
from ..errors import FieldIssue, InputValidationError
from ..models import (
    Employee,
    EmployeeCompensation,
    EmployeePermission,
    EmployeeProfile,
    WageRecord,
)
from .catalogue import Catalogue
from .gateway import Gateway
from .roster import Roster, Target

__all__ = ["Profiles"]


def _wage(row: pages.WageRow) -> WageRecord:
    return WageRecord(
        wage_type=row.wage_type,
        rate=row.rate,
        overtime_eligible=row.overtime_eligible,
        overtime_rate=row.overtime_rate,
        effective_date=row.effective_date,
        end_date=row.end_date,
        is_current=row.is_current,
    )


def _profile_fields(edit: pages.EmployeeEditPage, tree: SiteTree) -> dict[str, Any]:
    selection = edit.available_sites
    return {
        "employee_id": edit.employee_id,
        "pos_user_id": edit.pos_user_id,
        "pos_pin": edit.pos_pin,
        "first_name": edit.first_name,
        "last_name": edit.last_name,
        "email": edit.email or None,
        "phone": digits(edit.phone) or None,
        "departments": tuple(edit.departments),
        "department_ids": tuple(edit.department_ids),
        "available_sites": "all" if selection == ALL else P.selection_names(tree, selection),
        "available_site_ids": selection,
        "start_date": edit.start_date,
        "adp_employee_id": edit.adp_employee_id or None,
        "emergency_contact_name": edit.emergency_contact_name or None,
        "emergency_contact_phone": digits(edit.emergency_contact_phone) or None,
        "is_active": edit.active,
    }


class Profiles:
    """Read-only snapshots of one employee, by POS User ID or e-mail.

    Args:
        gateway: Page reads.
        catalogue: The site tree (site names of the profile).
        roster: Lookups and the edit page.
    """

    def __init__(self, gateway: Gateway, catalogue: Catalogue, roster: Roster) -> None:
        self._gateway = gateway
        self._catalogue = catalogue
        self._roster = roster

    async def _target(self, pos_user_id: int | None, email: str | None) -> Target:
        if (pos_user_id is None) == (email is None):
            raise InputValidationError(
                [FieldIssue("pos_user_id", "give exactly one of pos_user_id / email")]
            )
        return await self._roster.resolve(pos_user_id=pos_user_id, email=email)

    async def compensation(self, employee_id: int) -> EmployeeCompensation:
        """The wage history of an employee by id."""
        resp = await self._gateway.page(
            f"/employee/compensation/{employee_id}", what="compensation page"
        )
        history = tuple(_wage(w) for w in pages.parse_compensation(resp.text).history)
        current = next((w for w in history if w.is_current), None)
        return EmployeeCompensation(current=current, history=history)

    async def permission(self, employee_id: int) -> EmployeePermission:
        """The POS grants of an employee by id, and the templates they match."""
        resp = await self._gateway.page(
            f"/employee/permissions/{employee_id}", what="employee permissions page"
        )
        page = pages.parse_pos_permissions(resp.text)
        granted, overrides = frozenset(page.granted), frozenset(page.overrides)
        names = P.match_template_names(page.templates, granted, overrides)
        return EmployeePermission(
            template_name=names[0] if names else None,
            is_custom=not names and bool(granted),
            granted_permission_ids=granted,
            override_permission_ids=overrides,
            matching_templates=names,
        )

    async def get_employee_profile(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeeProfile:
        """The employee's edit page as a profile (2 requests by POS User ID, warm).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The profile (``pos_pin`` hidden in repr).
        """
        target = await self._target(pos_user_id, email)
        edit = await self._roster.edit_page(target.employee_id)
        return EmployeeProfile(**_profile_fields(edit, await self._catalogue.get_site_tree()))

    async def get_employee_compensation(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeeCompensation:
        """Wage history (newest first) and the current record.

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The compensation.
        """
        target = await self._target(pos_user_id, email)
        return await self.compensation(target.employee_id)

    async def get_employee_permission(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> EmployeePermission:
        """POS grants and the template they match (best effort: the server stores no
        template, §7.6).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The permission snapshot.
        """
        target = await self._target(pos_user_id, email)
        return await self.permission(target.employee_id)

    async def get_employee(
        self, *, pos_user_id: int | None = None, email: str | None = None
    ) -> Employee:
        """Profile, compensation and permission in one snapshot (4 requests, warm).

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.

        Returns:
            The employee.
        """
        target = await self._target(pos_user_id, email)
        tree = await self._catalogue.get_site_tree()
        edit = await self._roster.edit_page(target.employee_id)
        comp = await self.compensation(target.employee_id)
        perm = await self.permission(target.employee_id)
        return Employee(
            **_profile_fields(edit, tree),
            current_wage=comp.current,
            wage_history=comp.history,
            permission=perm,
        )
