"""Parsers of Backoffice pages: text in, frozen objects out (protocol §0; one module per page).

Every parser accepts page text or an already parsed ``LexborHTMLParser`` tree, handles both
raw server HTML and browser DOM snapshots, and raises
:class:`~sonnys_async.errors.PageStructureError` naming the page kind and the missing landmark
rather than return wrong data.
"""

from __future__ import annotations

from .alerts import Alerts, normalized, parse_alerts
from .detect import KINDS, detect_kind, is_login_page, redirect_target
from .employee_create import EmployeeCreatePage, parse_employee_create
from .employee_edit import EmployeeEditPage, parse_employee_edit
from .employee_list import EmployeeListPage, EmployeeRow, Pager, parse_employee_list

__all__ = [
    "KINDS",
    "Alerts",
    "EmployeeCreatePage",
    "EmployeeEditPage",
    "EmployeeListPage",
    "EmployeeRow",
    "Pager",
    "detect_kind",
    "is_login_page",
    "normalized",
    "parse_alerts",
    "parse_employee_create",
    "parse_employee_edit",
    "parse_employee_list",
    "redirect_target",
]
