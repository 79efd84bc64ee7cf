"""Employee list — ``GET /employee[/<page>]`` (protocol §10.3 table, §10.5 pager)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...errors import PageStructureError
from ..text import is_digits
from ._common import Html, clean_text, optional_int, parse_page, require

__all__ = ["EmployeeListPage", "EmployeeRow", "Pager", "parse_employee_list", "parse_pager"]

PAGE = "employee_list"
TABLE = "table.table-employees-list"
ROWS = "table.table-employees-list > tbody > tr"
COL_FIRST = "employees-col-first-name"
COL_LAST = "employees-col-last-name"
COL_SITES = "employees-col-sites"
COL_ACCESS = "employees-col-template"
COL_POS = "employees-col-pos-user-id"
COL_DEPARTMENTS = "employees-col-departments"
COL_PHONE = "employees-col-phone"
COL_WAGE = "employees-col-wage-type"
COL_ACTIVE = "employees-col-active"
ACTIVE_ICON = "i.fa-check"
ID_LINKS = "a[href^='/employee/edit/'], a[href^='/employee/permissions/']"
PAGER = "nav#pager-employees"
_ID_IN_HREF = re.compile(r"/employee/(?:edit|permissions|compensation)/(\d+)")


@dataclass(frozen=True, slots=True)
class EmployeeRow:
    """One list row; ``employee_id`` comes from the action links (rows carry no data ids)."""

    employee_id: int
    first_name: str
    last_name: str
    site_codes: tuple[str, ...]
    access: str
    pos_user_id: int | None
    departments: tuple[str, ...]
    phone: str
    wage_type: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class Pager:
    """Pagination state: page N lives at ``/<list>/<N>?<query>`` (§10.5)."""

    current: int
    last: int | None
    has_next: bool


@dataclass(frozen=True, slots=True)
class EmployeeListPage:
    """Rows of one list page plus its pager."""

    rows: tuple[EmployeeRow, ...]
    pager: Pager


def parse_pager(tree: LexborHTMLParser, nav_selector: str, prefix: str, *, page: str) -> Pager:
    """Read ``nav#pager-<x>``; no pager at all means a single page.

    ``has_next`` is true only for a next link that can be followed: present, with an ``href``
    other than ``#``, and not disabled (itself or a wrapping ``li.disabled``).
    """
    nav = tree.css_first(nav_selector)
    if nav is None:
        return Pager(current=1, last=1, has_next=False)
    current = 1
    last: int | None = None
    for link in nav.css(f"a[id^='{prefix}-page-']"):
        ident = link.attributes.get("id") or ""
        number = ident.rsplit("-", 1)[-1]
        if is_digits(number):
            n = int(number)
            last = n if last is None or n > last else last
            parent = link.parent
            if parent is not None and "active" in (parent.attributes.get("class") or "").split():
                current = n
    return Pager(current=current, last=last, has_next=_next_usable(nav, prefix))


def _next_usable(nav: LexborNode, prefix: str) -> bool:
    # The captured pager simply omits ``#pager-<x>-next`` on the last page (§10.5), but a
    # Bootstrap pager may instead keep the button disabled (``li.disabled``, ``.disabled``,
    # ``aria-disabled``) or without a target; following such a link would re-read a page.
    link = nav.css_first(f"#{prefix}-next")
    if link is None:
        return False
    href = (link.attributes.get("href") or "").strip()
    if not href or href == "#" or href.lower().startswith("javascript:"):
        return False
    node: LexborNode | None = link
    while node is not None:
        attrs = node.attributes
        if "disabled" in (attrs.get("class") or "").split() or "disabled" in attrs:
            return False
        if (attrs.get("aria-disabled") or "").strip().lower() == "true":
            return False
        if node is nav or node.tag == "nav":
            break
        node = node.parent
    return True


def _cells(row: LexborNode) -> dict[str, LexborNode]:
    out: dict[str, LexborNode] = {}
    for td in row.css("td"):
        for cls in (td.attributes.get("class") or "").split():
            out.setdefault(cls, td)
    return out


def _row(row: LexborNode) -> EmployeeRow | None:
    cells = _cells(row)
    if COL_FIRST not in cells:
        if row.css_first("td[colspan]") is not None:
            return None  # the "nothing found" row
        raise PageStructureError(page=PAGE, landmark=f"td.{COL_FIRST}")
    link = row.css_first(ID_LINKS)
    match = _ID_IN_HREF.search(link.attributes.get("href") or "") if link is not None else None
    if match is None:
        raise PageStructureError(page=PAGE, landmark="row action link /employee/edit/<id>")
    for col in (COL_LAST, COL_SITES, COL_ACCESS, COL_POS, COL_DEPARTMENTS, COL_ACTIVE):
        if col not in cells:
            raise PageStructureError(page=PAGE, landmark=f"td.{col}")
    sites = clean_text(cells[COL_SITES])
    phone_cell = cells.get(COL_PHONE)
    return EmployeeRow(
        employee_id=int(match.group(1)),
        first_name=cells[COL_FIRST].text(deep=True).strip(),
        last_name=cells[COL_LAST].text(deep=True).strip(),
        site_codes=tuple(s.strip() for s in sites.split(",") if s.strip()),
        access=clean_text(cells[COL_ACCESS]),
        pos_user_id=optional_int(clean_text(cells[COL_POS]), page=PAGE, landmark=f"td.{COL_POS}"),
        departments=tuple(clean_text(li) for li in cells[COL_DEPARTMENTS].css("li")),
        phone=clean_text(phone_cell),
        wage_type=clean_text(cells.get(COL_WAGE)),
        is_active=cells[COL_ACTIVE].css_first(ACTIVE_ICON) is not None,
    )


def parse_employee_list(html: Html) -> EmployeeListPage:
    """Parse an employee list page.

    Args:
        html: Page text or parsed tree.

    Returns:
        The rows (in page order) and the pager.

    Raises:
        PageStructureError: No employee table, or a row lacks a column or its id link.
    """
    tree = parse_page(html, page=PAGE)
    require(tree, TABLE, page=PAGE)
    rows = [r for r in (_row(tr) for tr in tree.css(ROWS)) if r is not None]
    return EmployeeListPage(tuple(rows), parse_pager(tree, PAGER, "pager-employees", page=PAGE))
