"""Template administration lists (protocol §15): POS and BO template list pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import PageStructureError
from ._common import Html, clean_text, parse_page, require

__all__ = ["TemplateListRow", "parse_bo_template_list", "parse_pos_template_list"]

TABLE = "#main-column table"
EDIT_LINK = "a.link-edit"
EDITABLE_TITLE = "Edit"
_POS_HREF = re.compile(r"/pos-permission-template/edit/(\d+)")
_BO_HREF = re.compile(r"/bo-permission-template/edit/(\d+)")


@dataclass(frozen=True, slots=True)
class TemplateListRow:
    """One template row: id (from the edit link), list name, description, editable flag."""

    id: int
    name: str
    description: str
    editable: bool


def _parse(html: Html, page: str, href: re.Pattern[str]) -> tuple[TemplateListRow, ...]:
    tree = parse_page(html, page=page)
    table = require(tree, TABLE, page=page)
    rows: list[TemplateListRow] = []
    for tr in table.css("tr"):
        tds = tr.css("td")
        if not tds:
            continue  # header row
        link = tr.css_first(EDIT_LINK)
        match = href.search(link.attributes.get("href") or "") if link is not None else None
        if match is None or len(tds) < 2 or link is None:
            raise PageStructureError(page=page, landmark="template row edit link")
        rows.append(
            TemplateListRow(
                id=int(match.group(1)),
                name=clean_text(tds[0]),
                description=clean_text(tds[1]),
                editable=(link.attributes.get("title") or "").strip() == EDITABLE_TITLE,
            )
        )
    return tuple(rows)


def parse_pos_template_list(html: Html) -> tuple[TemplateListRow, ...]:
    """Parse ``/pos-permission-template/list``.

    Raises:
        PageStructureError: No table or a row without its edit link.
    """
    return _parse(html, "pos_template_list", _POS_HREF)


def parse_bo_template_list(html: Html) -> tuple[TemplateListRow, ...]:
    """Parse ``/bo-permission-template/list``.

    Raises:
        PageStructureError: No table or a row without its edit link.
    """
    return _parse(html, "bo_template_list", _BO_HREF)
