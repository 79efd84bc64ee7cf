"""Parsers of Backoffice pages: text in, frozen objects out (protocol §0; one module per page).

Every parser accepts page text or an already parsed ``LexborHTMLParser`` tree (parse once,
reuse), handles both raw server HTML and browser DOM snapshots, and raises
:class:`~sonnys_async.errors.PageStructureError` naming the page kind and the missing landmark
rather than return wrong data. Text that ends before ``</html>`` is refused as truncated.
"""

from __future__ import annotations

from ._common import MAIN_COLUMN, main_column
from .alerts import Alerts, normalized, parse_alerts
from .compensation import CompensationPage, WageRow, parse_compensation
from .detect import KINDS, detect_kind, is_bounce, is_login_page, redirect_target
from .employee_create import EmployeeCreatePage, parse_employee_create
from .employee_edit import EmployeeEditPage, parse_employee_edit
from .employee_list import EmployeeListPage, EmployeeRow, Pager, parse_employee_list
from .login import login_alert
from .pos_permissions import PosPermissionsPage, apply_pos_template, parse_pos_permissions
from .scripts import BROWSER_OMISSIONS, omitted_by_update_script
from .template_lists import TemplateListRow, parse_bo_template_list, parse_pos_template_list
from .user_create import (
    EmployeeOption,
    UserCreatePage,
    linked_user_insert,
    parse_employee_options,
    parse_user_create,
)
from .user_edit import UserEditPage, parse_user_edit
from .user_list import UserListPage, UserRow, parse_user_list
from .user_permissions import UserPermissionsPage, apply_bo_template, parse_user_permissions

__all__ = [
    "BROWSER_OMISSIONS",
    "KINDS",
    "MAIN_COLUMN",
    "Alerts",
    "CompensationPage",
    "EmployeeCreatePage",
    "EmployeeEditPage",
    "EmployeeListPage",
    "EmployeeOption",
    "EmployeeRow",
    "Pager",
    "PosPermissionsPage",
    "TemplateListRow",
    "UserCreatePage",
    "UserEditPage",
    "UserListPage",
    "UserPermissionsPage",
    "UserRow",
    "WageRow",
    "apply_bo_template",
    "apply_pos_template",
    "detect_kind",
    "is_bounce",
    "is_login_page",
    "linked_user_insert",
    "login_alert",
    "main_column",
    "normalized",
    "omitted_by_update_script",
    "parse_alerts",
    "parse_bo_template_list",
    "parse_compensation",
    "parse_employee_create",
    "parse_employee_edit",
    "parse_employee_list",
    "parse_employee_options",
    "parse_pos_permissions",
    "parse_pos_template_list",
    "parse_user_create",
    "parse_user_edit",
    "parse_user_list",
    "parse_user_permissions",
    "redirect_target",
]
