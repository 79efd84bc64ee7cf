"""Backoffice user list — ``GET /user[/<page>]`` (protocol §12)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import PageStructureError
from ._common import Html, clean_text, parse_page, require
from .employee_list import Pager, parse_pager

__all__ = ["UserListPage", "UserRow", "parse_user_list"]

PAGE = "user_list"
TABLE = "table.table-users-list"
ROWS = "table.table-users-list > tbody > tr"
COL_FIRST = "users-col-first-name"
COL_LAST = "users-col-last-name"
COL_USERNAME = "users-col-username"
COL_PHONE = "users-col-phone"
COL_EMAIL = "users-col-email"
COL_ACTIVE = "users-col-active"
ACTIVE_ICON = "i.fa-check"
ID_LINKS = "a[href^='/user/edit/'], a[href^='/user/permissions/']"
PAGER = "nav#pager-users"
_ID_IN_HREF = re.compile(r"/user/(?:edit|permissions)/(\d+)")


@dataclass(frozen=True, slots=True)
class UserRow:
    """One BO user row; ``user_id`` from the action links."""

    user_id: int
    first_name: str
    last_name: str
    username: str
    phone: str
    email: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class UserListPage:
    """Rows and pager (an out-of-range page has no rows, §12.3)."""

    rows: tuple[UserRow, ...]
    pager: Pager


def parse_user_list(html: Html) -> UserListPage:
    """Parse a BO user list page.

    Args:
        html: Page text or parsed tree.

    Returns:
        Rows in page order and the pager.

    Raises:
        PageStructureError: No user table, or a row lacks a column or its id link.
    """
    tree = parse_page(html, page=PAGE)
    require(tree, TABLE, page=PAGE)
    rows: list[UserRow] = []
    for tr in tree.css(ROWS):
        cells: dict[str, str] = {}
        active = False
        for td in tr.css("td"):
            classes = (td.attributes.get("class") or "").split()
            for cls in classes:
                cells.setdefault(cls, clean_text(td))
            if COL_ACTIVE in classes:
                active = td.css_first(ACTIVE_ICON) is not None
        if COL_FIRST not in cells:
            if tr.css_first("td[colspan]") is not None:
                continue  # "No Back Office Users found ..." row
            raise PageStructureError(page=PAGE, landmark=f"td.{COL_FIRST}")
        for col in (COL_LAST, COL_USERNAME, COL_EMAIL, COL_ACTIVE):
            if col not in cells:
                raise PageStructureError(page=PAGE, landmark=f"td.{col}")
        link = tr.css_first(ID_LINKS)
        match = _ID_IN_HREF.search(link.attributes.get("href") or "") if link else None
        if match is None:
            raise PageStructureError(page=PAGE, landmark="row action link /user/edit/<id>")
        rows.append(
            UserRow(
                user_id=int(match.group(1)),
                first_name=cells[COL_FIRST],
                last_name=cells[COL_LAST],
                username=cells[COL_USERNAME],
                phone=cells.get(COL_PHONE, ""),
                email=cells[COL_EMAIL],
                is_active=active,
            )
        )
    return UserListPage(tuple(rows), parse_pager(tree, PAGER, "pager-users", page=PAGE))
