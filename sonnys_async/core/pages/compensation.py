"""Compensation page — ``GET /employee/compensation/<id>`` (protocol §9.1, §9.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...errors import PageStructureError
from ..forms import Form
from ..text import is_digits
from ._common import (
    Html,
    clean_text,
    control,
    control_value,
    optional_int,
    parse_date,
    parse_money,
    parse_page,
    require,
    require_form,
)

__all__ = ["CompensationPage", "WageRow", "parse_compensation"]

PAGE = "compensation"
FORM = "form#employee-compensation-edit-form"
ACTION = "/employee/compensation/update"
SUBMIT = "button#btn-employee-compensation-submit"
HISTORY = "table.table-employee-compensation-history"
HISTORY_ROWS = "table.table-employee-compensation-history > tbody > tr"
EFFECTIVE_DATE_INPUT = "input#employee-compensation-effective-date, input[data-pickadate-min]"
COL_TYPE = "employee-compensation-col-wage-type"
COL_WAGE = "employee-compensation-col-wage"
COL_OT = "employee-compensation-col-overtime-eligible"
COL_OT_RATE = "employee-compensation-col-overtime-rate"
COL_EFFECTIVE = "employee-compensation-col-effective-date"
COL_END = "employee-compensation-col-end-date"
OT_YES_ICON = "i.fa-check"
F_EMPLOYEE = "employeeId"
F_WAGE_SITE = "wage[siteId]"


@dataclass(frozen=True, slots=True)
class WageRow:
    """One wage-history record; ``is_current`` = the open-ended record (empty end date)."""

    wage_type: str
    rate: Decimal
    overtime_eligible: bool
    overtime_rate: Decimal | None
    effective_date: date | None
    end_date: date | None
    is_current: bool


@dataclass(frozen=True, slots=True)
class CompensationPage:
    """The Add-Wage form, its limits and the history (newest first)."""

    form: Form
    employee_id: int
    min_effective_date: date | None
    wage_site_ids: tuple[int, ...]
    history: tuple[WageRow, ...]

    @property
    def current(self) -> WageRow | None:
        """The current (open-ended) record, if any (§9.2)."""
        return next((r for r in self.history if r.is_current), None)


def parse_compensation(html: Html) -> CompensationPage:
    """Parse ``/employee/compensation/<id>``.

    Args:
        html: Page text or parsed tree.

    Returns:
        Form, employee id, minimum effective date (``data-pickadate-min``), the wage-site ids
        offered (the employee's sites) and the wage history.

    Raises:
        PageStructureError: Form, history table or a history column is missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    employee_id = optional_int(
        control_value(form, F_EMPLOYEE, page=PAGE), page=PAGE, landmark=F_EMPLOYEE
    )
    if employee_id is None:
        raise PageStructureError(page=PAGE, landmark=F_EMPLOYEE, detail="empty")
    min_node = tree.css_first(EFFECTIVE_DATE_INPUT)
    min_date = parse_date(
        min_node.attributes.get("data-pickadate-min") if min_node is not None else None,
        page=PAGE,
        landmark="data-pickadate-min",
    )
    sites = control(form, F_WAGE_SITE, page=PAGE)
    require(tree, HISTORY, page=PAGE)
    rows: list[WageRow] = []
    for tr in tree.css(HISTORY_ROWS):
        cells: dict[str, str] = {}
        ot = False
        for td in tr.css("td"):
            classes = (td.attributes.get("class") or "").split()
            for cls in classes:
                cells.setdefault(cls, clean_text(td))
            if COL_OT in classes:
                ot = td.css_first(OT_YES_ICON) is not None
        if not cells:
            continue
        if COL_WAGE not in cells:
            if len(tr.css("td")) == 1:
                continue  # an empty-history message row
            raise PageStructureError(page=PAGE, landmark=f"td.{COL_WAGE}")
        for col in (COL_TYPE, COL_OT, COL_EFFECTIVE, COL_END):
            if col not in cells:
                raise PageStructureError(page=PAGE, landmark=f"td.{col}")
        rate = parse_money(cells[COL_WAGE], page=PAGE, landmark=f"td.{COL_WAGE}")
        if rate is None:
            raise PageStructureError(page=PAGE, landmark=f"td.{COL_WAGE}", detail="empty")
        end = parse_date(cells[COL_END], page=PAGE, landmark=f"td.{COL_END}")
        rows.append(
            WageRow(
                wage_type=cells[COL_TYPE],
                rate=rate,
                overtime_eligible=ot,
                overtime_rate=parse_money(
                    cells.get(COL_OT_RATE, ""), page=PAGE, landmark=f"td.{COL_OT_RATE}"
                ),
                effective_date=parse_date(
                    cells[COL_EFFECTIVE], page=PAGE, landmark=f"td.{COL_EFFECTIVE}"
                ),
                end_date=end,
                is_current=end is None,
            )
        )
    return CompensationPage(
        form=form,
        employee_id=employee_id,
        min_effective_date=min_date,
        wage_site_ids=tuple(int(o.value) for o in sites.options if is_digits(o.value)),
        history=tuple(rows),
    )
