"""Backoffice user edit — ``GET /user/edit/<id>`` (protocol §14; inverted toggles §21.26)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import PageStructureError
from ..forms import Form
from ._common import Html, control, control_value, optional_int, parse_page, require_form

__all__ = ["UserEditPage", "parse_user_edit"]

PAGE = "user_edit"
FORM = "form#user-edit-edit-form"
ACTION = "/user/update"
SUBMIT = "button#btn-user-save"
F_USER = "user[userId]"
F_EMPLOYEE = "user[employeeId]"
F_USERNAME = "user[username]"
F_EMAIL = "employee[email]"
F_DELETED = "user[isDeleted]"
F_UNIVERSAL = "universalSiteAccess"


@dataclass(frozen=True, slots=True)
class UserEditPage:
    """A BO user's edit form; ``is_deleted`` = ``user[isDeleted]`` checked (shown as "No")."""

    form: Form
    user_id: int
    employee_id: int | None
    username: str
    email: str
    is_deleted: bool
    universal_access: bool


def parse_user_edit(html: Html) -> UserEditPage:
    """Parse ``/user/edit/<id>``.

    Args:
        html: Page text or parsed tree.

    Returns:
        The user's identity and flags.

    Raises:
        PageStructureError: Form or one of its named controls missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    user_id = optional_int(control_value(form, F_USER, page=PAGE), page=PAGE, landmark=F_USER)
    if user_id is None:
        raise PageStructureError(page=PAGE, landmark=F_USER, detail="empty")
    employee = next((c for c in form.controls if c.name == F_EMPLOYEE), None)
    universal = next((c for c in form.controls if c.name == F_UNIVERSAL), None)
    return UserEditPage(
        form=form,
        user_id=user_id,
        employee_id=optional_int(
            employee.value if employee is not None else None, page=PAGE, landmark=F_EMPLOYEE
        ),
        username=control_value(form, F_USERNAME, page=PAGE),
        email=control_value(form, F_EMAIL, page=PAGE),
        is_deleted=control(form, F_DELETED, page=PAGE).checked,
        universal_access=bool(universal is not None and universal.checked),
    )
