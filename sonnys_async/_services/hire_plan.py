"""A hire resolved against the tenant before any write: names to ids, the PIN drawn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._secrets import generate_pos_pin
from ..core import payloads as P
from ..core import sites
from ..domain import ALL, BoTemplate, Department, PosTemplate, SiteSelection, SiteTree
from ..errors import FieldIssue, InputValidationError, NotFoundError
from ..models import CreateEmployeeRequest, EmployeeCreated
from .catalogue import Catalogue, NoEmployeeYet, PosCatalogue

__all__ = ["CreatePlan", "HirePlanner"]


@dataclass(frozen=True, slots=True)
class CreatePlan:
    """A create resolved against the tenant before any write (names -> ids, PIN drawn)."""

    req: CreateEmployeeRequest
    tree: SiteTree
    selection: SiteSelection
    deps: tuple[Department, ...]
    wage_site_id: int
    template: PosTemplate
    #: ``None`` on a tenant without employees: read from the new one's page after the insert.
    catalogue: PosCatalogue | None
    bo_template: BoTemplate | None
    pin: int

    def result(self, employee_id: int, **extra: Any) -> EmployeeCreated:
        """The :class:`EmployeeCreated` of this plan, with ``extra`` fields overriding."""
        req = self.req
        fields: dict[str, Any] = {
            "employee_id": employee_id,
            "pos_user_id": req.pos_user_id,
            "pos_pin": self.pin,
            "first_name": req.first_name,
            "last_name": req.last_name,
            "email": req.email,
            "permission_applied": self.template.name,
            "sites_granted": P.selection_names(self.tree, self.selection),
            "site_ids": self.selection,
            "departments": tuple(d.name for d in self.deps),
            "wage_site": self.tree.site(self.wage_site_id).name,
            "wage_rate": req.wage_rate,
            "overtime_wage_rate": req.effective_overtime_rate,
            **extra,
        }
        return EmployeeCreated(**fields)

    def insert_pairs(self) -> list[tuple[str, str]]:
        """The ``/employee/insert`` body of this plan (§6.3)."""
        req = self.req
        return P.employee_insert_pairs(
            tree=self.tree,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
            email=req.email,
            start_date=req.start_date,
            pos_user_id=req.pos_user_id,
            pos_pin=self.pin,
            wage_rate=req.wage_rate,
            overtime_rate=req.effective_overtime_rate,
            wage_site_id=self.wage_site_id,
            departments=self.deps,
            selection=self.selection,
            adp_employee_id=req.adp_employee_id,
            emergency_contact_name=req.emergency_contact_name,
            emergency_contact_phone=req.emergency_contact_phone,
        )


def wage_site_id(
    tree: SiteTree, selection: SiteSelection, wage_site: int | str | None, requested: Any
) -> int:
    """The site the wage is booked to: ``wage_site`` (one of the available sites), else the
    first requested site (the tree's first site for ``"all"``).

    Raises:
        InputValidationError: ``wage_site`` is not an available site.
    """
    if wage_site is not None:
        chosen = sites.resolve(tree, [wage_site])
        assert chosen != ALL
        (site_id,) = tuple(chosen)
        if selection != ALL and site_id not in selection:
            raise InputValidationError(
                [FieldIssue("wage_site", "must be one of the employee's available sites")]
            )
        return site_id
    if selection == ALL:
        return tree.sites[0].id
    first = sites.resolve(tree, [requested[0]])
    assert first != ALL
    return next(iter(first))


class HirePlanner:
    """Resolves every name of a create against the cached tenant data (reads only).

    Args:
        catalogue: Sites, departments and templates.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    async def plan(self, req: CreateEmployeeRequest) -> CreatePlan:
        """The plan of ``req``; an unknown name raises before anything is written.

        Raises:
            NotFoundError: Unknown site, department or template (the valid ones listed).
            InputValidationError: No site selected; departments required but omitted.
        """
        create_page = await self._catalogue.employee_create_page()
        tree = create_page.tree
        selection = sites.resolve(tree, req.available_sites)
        if selection != ALL and not selection:
            raise InputValidationError([FieldIssue("available_sites", "selects no site")])
        dep_request: Sequence[int | str] = req.departments or ("Greeter",)
        try:
            deps = P.resolve_departments(create_page.departments, dep_request)
        except NotFoundError as exc:
            if req.departments is None:
                raise InputValidationError(
                    [FieldIssue("departments", f"required on this tenant ({exc})")]
                ) from exc
            raise
        wage_site = wage_site_id(tree, selection, req.wage_site, req.available_sites)
        catalogue: PosCatalogue | None
        try:
            catalogue = await self._catalogue.pos()
            template = P.resolve_pos_template(catalogue.templates, req.permission)
        except NoEmployeeYet:
            # First employee of a tenant: check the name against the template list now, read
            # the grant sets from the new employee's own permissions page after the insert.
            stubs = await self._catalogue.pos_template_stubs()
            template = P.resolve_pos_template(stubs, req.permission)
            catalogue = None
        bo_template: BoTemplate | None = None
        if req.requires_backoffice:
            bo = await self._catalogue.backoffice()
            bo_template = P.resolve_bo_template(
                bo.templates, req.backoffice_permission or req.permission
            )
        pin = req.pos_pin if req.pos_pin is not None else generate_pos_pin()
        return CreatePlan(
            req, tree, selection, deps, wage_site, template, catalogue, bo_template, pin
        )
