"""Employee create page — ``GET /employee/create`` (protocol §6.1/§6.2, tree §5.2)."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain import Department, SiteTree
from ..forms import Form
from ..sites import REGION_INPUT, parse_site_tree
from ..text import is_digits
from ._common import Html, control, parse_page, require_form
from .employee_edit import EMPLOYEE_FORM, F_DEPARTMENTS, department_options

__all__ = ["EmployeeCreatePage", "parse_employee_create", "wage_site_codes"]

PAGE = "employee_create"
SUBMIT = "button#btn-user-save"
INSERT_ACTION = "/employee/insert"
F_WAGE_SITE = "wage[siteId]"


@dataclass(frozen=True, slots=True)
class EmployeeCreatePage:
    """The blank create form, the tenant's departments and site tree (with short codes)."""

    form: Form
    departments: tuple[Department, ...]
    tree: SiteTree
    hierarchical: bool


def wage_site_codes(form: Form) -> dict[int, str]:
    """Short codes by site id from the ``wage[siteId]`` select (empty if the form has none)."""
    for c in form.controls:
        if c.name == F_WAGE_SITE:
            return {int(o.value): o.text for o in c.options if is_digits(o.value)}
    return {}


def parse_employee_create(html: Html) -> EmployeeCreatePage:
    """Parse ``/employee/create``.

    Args:
        html: Page text or parsed tree.

    Returns:
        Form, departments, site tree (long names from the tree, short codes from the wage-site
        select) and the tenant shape (hierarchical iff region controls exist, §5.4).

    Raises:
        PageStructureError: The form, the departments select or the site tree is missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, EMPLOYEE_FORM, page=PAGE, action=INSERT_ACTION, submit=SUBMIT)
    control(form, F_DEPARTMENTS, page=PAGE)
    site_tree = parse_site_tree(tree, page=PAGE, codes=wage_site_codes(form))
    return EmployeeCreatePage(
        form=form,
        departments=department_options(form, page=PAGE),
        tree=site_tree,
        hierarchical=tree.css_first(REGION_INPUT) is not None,
    )
