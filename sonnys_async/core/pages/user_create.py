"""Backoffice user create — ``GET /user/create`` (protocol §11)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from ...errors import PageStructureError
from ..forms import Form, FormData
from ._common import Html, parse_page, require_form
from ._dropdown import Dropdown, OptionAttrs, cut_select, narrowed, read_options, read_shaped

__all__ = [
    "EmployeeOption",
    "UserCreatePage",
    "linked_user_insert",
    "parse_employee_options",
    "parse_user_create",
]

PAGE = "user_create"
FORM = "form#user-create-edit-form"
ACTION = "/user/insert"
SUBMIT = "button#btn-user-save"
SELECT_ID = "user-employee"
EMPLOYEE_OPTIONS = f"select#{SELECT_ID} option"
F_ON_SITE = "employee[isOnSiteEmployee]"
F_EMPLOYEE = "user[employeeId]"
F_FIRST = "employee[firstName]"
F_LAST = "employee[lastName]"
F_EMAIL = "employee[email]"
F_USERNAME = "user[username]"
F_PASSWORD = "user[password]"
F_CONFIRM = "user[confirmPassword]"

_SPACE = "[ \t\n\f]"
_VALUE = '"([^"&\r\x00]*)"'
_RUN_VALUE = '"([^"&<\r\x00]*+)"'
#: An employee option as the server renders every one (§11.2; the capture's attribute order),
#: after ``<option``: read without the HTML parser where it matches (``_dropdown.read_shaped``).
_SHAPE: Final = re.compile(
    f"{_SPACE}+value={_VALUE}{_SPACE}+data-email={_VALUE}"
    f"{_SPACE}+data-first-name={_VALUE}{_SPACE}+data-last-name={_VALUE}"
    f"{_SPACE}*>[^<&\r\x00]*</option>{_SPACE}*"
)

#: One whole employee option in that shape, for a select of nothing else from some option on
#: (``_dropdown.read_shaped``'s ``run``): no ``<`` in any value, so each match holds two.
#: Possessive quantifiers (nothing here needs backtracking) make it a quarter faster.
_RUN: Final = re.compile(
    f"<option{_SPACE}++value={_RUN_VALUE}{_SPACE}++data-email={_RUN_VALUE}"
    f"{_SPACE}++data-first-name={_RUN_VALUE}{_SPACE}++data-last-name={_RUN_VALUE}"
    f"{_SPACE}*+>[^<&\r\x00]*+</option>"
)


class EmployeeOption(NamedTuple):
    """One ``user[employeeId]`` option (the only place employee e-mails appear, §11.2).

    A named tuple rather than a frozen dataclass: a tenant's dropdown holds one per employee,
    and a tuple is built in a fifth of the time.
    """

    employee_id: int
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True, slots=True)
class UserCreatePage:
    """The create form and its employee dropdown.

    ``form``'s employee select holds only its non-employee options (the placeholder) and any
    preselected one: a tenant's dropdown has one option per employee, which the HTML parser
    cannot read in linear time (:mod:`._dropdown`); :func:`linked_user_insert` replays the form
    with the chosen employee's option.
    """

    form: Form
    employees: tuple[EmployeeOption, ...]
    #: The page and its dropdown, to narrow the select to one employee (``None``: parsed whole).
    _dropdown: tuple[Dropdown, tuple[OptionAttrs, ...]] | None = field(
        default=None, repr=False, compare=False
    )


def _option(
    value: str | None, first: str | None, last: str | None, email: str | None
) -> EmployeeOption | None:
    value = (value or "").strip()
    if not (value.isdigit() and value.isascii()):  # core.text.is_digits, inlined (20,000 calls)
        return None
    return EmployeeOption(
        int(value), (first or "").strip(), (last or "").strip(), (email or "").strip()
    )


def _employees(options: Iterable[OptionAttrs]) -> tuple[EmployeeOption, ...]:
    found = (
        _option(
            a.get("value"), a.get("data-first-name"), a.get("data-last-name"), a.get("data-email")
        )
        for a in options
    )
    return tuple(option for option in found if option is not None)


def parse_employee_options(html: str) -> tuple[EmployeeOption, ...]:
    """The employee dropdown of ``/user/create`` alone, for lookups (the form is not read).

    The same options as :func:`parse_user_create`'s ``employees``, in page order. An option
    in the server's usual shape is read by a pattern, any other by the HTML parser; where the
    select cannot be read piecewise, the whole page is parsed.

    Raises:
        PageStructureError: The employee select is missing.
    """
    read = read_shaped(html, SELECT_ID, _SHAPE, run=_RUN)
    if read is None:
        return parse_user_create(parse_page(html, page=PAGE)).employees
    out: list[EmployeeOption] = []
    add = out.append
    make = EmployeeOption._make
    for item in read:
        if isinstance(item, tuple):  # the shape's groups: value, e-mail, first, last name
            value = item[0].strip()
            if value.isdigit() and value.isascii():  # _option, inlined (20,000 options)
                add(make((int(value), item[2].strip(), item[3].strip(), item[1].strip())))
        else:
            get = item.get
            option = _option(
                get("value"), get("data-first-name"), get("data-last-name"), get("data-email")
            )
            if option is not None:
                add(option)
    return tuple(out)


def _form(html: Html) -> Form:
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    if not any(c.name == F_EMPLOYEE for c in form.controls):
        raise PageStructureError(page=PAGE, landmark=f"control {F_EMPLOYEE}")
    return form


def parse_user_create(html: Html) -> UserCreatePage:
    """Parse ``/user/create``, in time linear in the number of employees it offers.

    Args:
        html: Page text or parsed tree.

    Returns:
        Form and employee options (``data-email`` may be empty).

    Raises:
        PageStructureError: Form or employee select missing.
    """
    if isinstance(html, str):
        dropdown = cut_select(html, SELECT_ID)
        options = read_options(dropdown) if dropdown is not None else None
        if dropdown is not None and options is not None:
            page = narrowed(dropdown, options)
            return UserCreatePage(
                form=_form(page),
                employees=_employees(options),
                _dropdown=(dropdown, tuple(options)),
            )
    tree = parse_page(html, page=PAGE)
    employees = _employees(o.attributes for o in tree.css(EMPLOYEE_OPTIONS))
    return UserCreatePage(form=_form(tree), employees=employees)


def linked_user_insert(
    page: UserCreatePage, *, employee_id: int, email: str, username: str, password: str
) -> FormData:
    """The linked-mode insert replay (§11.3: the verified six-key body).

    The standalone name fields sit in a hidden block in linked mode; the verified bodies do
    not carry them, so they are removed.

    Raises:
        ItemNotFoundError: The employee is not offered by the dropdown.
    """
    form = page.form
    if page._dropdown is not None:
        dropdown, options = page._dropdown
        form = _form(narrowed(dropdown, list(options), str(employee_id)))
    data = form.replay()
    data.check(F_ON_SITE)
    data.select(F_EMPLOYEE, str(employee_id))
    data.remove(F_FIRST).remove(F_LAST)
    data.set(F_EMAIL, email).set(F_USERNAME, username)
    data.set(F_PASSWORD, password).set(F_CONFIRM, password)
    return data
