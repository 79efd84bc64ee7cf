"""Backoffice user create — ``GET /user/create`` (protocol §11)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import PageStructureError
from ..forms import Form, FormData
from ..text import is_digits
from ._common import Html, parse_page, require_form

__all__ = ["EmployeeOption", "UserCreatePage", "linked_user_insert", "parse_user_create"]

PAGE = "user_create"
FORM = "form#user-create-edit-form"
ACTION = "/user/insert"
SUBMIT = "button#btn-user-save"
EMPLOYEE_OPTIONS = "select#user-employee option"
F_ON_SITE = "employee[isOnSiteEmployee]"
F_EMPLOYEE = "user[employeeId]"
F_FIRST = "employee[firstName]"
F_LAST = "employee[lastName]"
F_EMAIL = "employee[email]"
F_USERNAME = "user[username]"
F_PASSWORD = "user[password]"
F_CONFIRM = "user[confirmPassword]"


@dataclass(frozen=True, slots=True)
class EmployeeOption:
    """One ``user[employeeId]`` option (the only place employee e-mails appear, §11.2)."""

    employee_id: int
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True, slots=True)
class UserCreatePage:
    """The create form and its employee dropdown."""

    form: Form
    employees: tuple[EmployeeOption, ...]


def parse_user_create(html: Html) -> UserCreatePage:
    """Parse ``/user/create``.

    Args:
        html: Page text or parsed tree.

    Returns:
        Form and employee options (``data-email`` may be empty).

    Raises:
        PageStructureError: Form or employee select missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    if not any(c.name == F_EMPLOYEE for c in form.controls):
        raise PageStructureError(page=PAGE, landmark=f"control {F_EMPLOYEE}")
    employees: list[EmployeeOption] = []
    for opt in tree.css(EMPLOYEE_OPTIONS):
        a = opt.attributes
        value = (a.get("value") or "").strip()
        if is_digits(value):
            employees.append(
                EmployeeOption(
                    int(value),
                    (a.get("data-first-name") or "").strip(),
                    (a.get("data-last-name") or "").strip(),
                    (a.get("data-email") or "").strip(),
                )
            )
    return UserCreatePage(form=form, employees=tuple(employees))


def linked_user_insert(
    page: UserCreatePage, *, employee_id: int, email: str, username: str, password: str
) -> FormData:
    """The linked-mode insert replay (§11.3: the verified six-key body).

    The standalone name fields sit in a hidden block in linked mode; the verified bodies do
    not carry them, so they are removed.

    Raises:
        ItemNotFoundError: The employee is not offered by the dropdown.
    """
    data = page.form.replay()
    data.check(F_ON_SITE)
    data.select(F_EMPLOYEE, str(employee_id))
    data.remove(F_FIRST).remove(F_LAST)
    data.set(F_EMAIL, email).set(F_USERNAME, username)
    data.set(F_PASSWORD, password).set(F_CONFIRM, password)
    return data
