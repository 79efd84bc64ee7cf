"""Employee edit page — ``GET /employee/edit/<id>`` (protocol §8.1, site state §5.3/§5.5).

Its form is parsed in browser mode with the page's one script omission (no
``employee[sites][S][isAvailable]`` key, §8.3, see :mod:`.scripts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...domain import Department, SiteSelection, SiteTree
from ...errors import PageStructureError
from ..forms import Form
from ..sites import parse_site_tree, read_employee_sites
from ..text import is_digits
from ._common import (
    Html,
    control,
    control_value,
    optional_int,
    parse_date,
    parse_page,
    require_form,
)
from .scripts import UPDATE_ACTION, omitted_by_update_script

__all__ = [
    "EMPLOYEE_FORM",
    "EmployeeEditPage",
    "omitted_by_update_script",
    "parse_employee_edit",
]

PAGE = "employee_edit"
SUBMIT = "button#btn-user-save"
EMPLOYEE_FORM = "form#employee-create-edit-form"
F_ID = "employee[id]"
F_CREDENTIAL_ID = "posCredential[id]"
F_FIRST = "employee[firstName]"
F_LAST = "employee[lastName]"
F_PHONE = "employee[phone]"
F_EMAIL = "employee[email]"
F_DEPARTMENTS = "employee[departments][]"
F_START = "employee[startDate]"
F_ACTIVE = "employee[isActive]"
F_POS_ID = "posCredential[POSLoginID]"
F_POS_PIN = "posCredential[POSLoginPassword]"
F_EMERGENCY_NAME = "employee[emergencyContactName]"
F_EMERGENCY_PHONE = "employee[emergencyContactPhone]"
F_ADP = "employee[adpEmployeeId]"


@dataclass(frozen=True, slots=True)
class EmployeeEditPage:
    """What the edit page shows about one employee; ``form`` replays it (browser mode)."""

    form: Form
    employee_id: int
    pos_credential_id: int | None
    first_name: str
    last_name: str
    phone: str
    email: str
    department_ids: tuple[int, ...]
    departments: tuple[str, ...]
    start_date: date | None
    active: bool
    available_sites: SiteSelection
    pos_user_id: int | None
    pos_pin: int | None = field(repr=False)
    emergency_contact_name: str
    emergency_contact_phone: str
    adp_employee_id: str
    tree: SiteTree = field(repr=False)
    department_options: tuple[Department, ...] = field(default=(), repr=False)


def department_options(form: Form, *, page: str) -> tuple[Department, ...]:
    """Every department the select offers (id, name), in page order."""
    select = control(form, F_DEPARTMENTS, page=page)
    out: list[Department] = []
    for option in select.options:
        if is_digits(option.value):
            out.append(Department(int(option.value), option.text))
    return tuple(out)


def parse_employee_edit(html: Html) -> EmployeeEditPage:
    """Parse ``/employee/edit/<id>`` (raw server HTML or a browser DOM snapshot).

    Args:
        html: Page text or parsed tree.

    Returns:
        The employee as the page shows it.

    Raises:
        PageStructureError: The form, one of its named controls, or the site tree is missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, EMPLOYEE_FORM, page=PAGE, action=UPDATE_ACTION, submit=SUBMIT)
    employee_id = optional_int(control_value(form, F_ID, page=PAGE), page=PAGE, landmark=F_ID)
    if employee_id is None:
        raise PageStructureError(page=PAGE, landmark=F_ID, detail="empty")
    select = control(form, F_DEPARTMENTS, page=PAGE)
    chosen = [o for o in select.options if o.selected]
    site_tree = parse_site_tree(tree, page=PAGE)
    for name in (F_POS_ID, F_POS_PIN, F_ACTIVE, F_ADP, F_EMERGENCY_NAME, F_EMERGENCY_PHONE):
        control(form, name, page=PAGE)
    return EmployeeEditPage(
        form=form,
        employee_id=employee_id,
        pos_credential_id=optional_int(
            control_value(form, F_CREDENTIAL_ID, page=PAGE), page=PAGE, landmark=F_CREDENTIAL_ID
        ),
        first_name=control_value(form, F_FIRST, page=PAGE),
        last_name=control_value(form, F_LAST, page=PAGE),
        phone=control_value(form, F_PHONE, page=PAGE),
        email=control_value(form, F_EMAIL, page=PAGE),
        department_ids=tuple(int(o.value) for o in chosen if is_digits(o.value)),
        departments=tuple(o.text for o in chosen),
        start_date=parse_date(control_value(form, F_START, page=PAGE), page=PAGE, landmark=F_START),
        active=control(form, F_ACTIVE, page=PAGE).checked,
        available_sites=read_employee_sites(form),
        pos_user_id=optional_int(
            control_value(form, F_POS_ID, page=PAGE), page=PAGE, landmark=F_POS_ID
        ),
        pos_pin=optional_int(
            control_value(form, F_POS_PIN, page=PAGE), page=PAGE, landmark=F_POS_PIN
        ),
        emergency_contact_name=control_value(form, F_EMERGENCY_NAME, page=PAGE),
        emergency_contact_phone=control_value(form, F_EMERGENCY_PHONE, page=PAGE),
        adp_employee_id=control_value(form, F_ADP, page=PAGE),
        tree=site_tree,
        department_options=department_options(form, page=PAGE),
    )
