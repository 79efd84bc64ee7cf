"""Helpers shared by the page parsers (one parse per page; fail loudly on missing landmarks)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...errors import PageStructureError
from ..forms import Control, Form, form_from_node, parse_html
from .scripts import BROWSER_OMISSIONS

__all__ = [
    "MAIN_COLUMN",
    "Html",
    "clean_text",
    "control",
    "control_value",
    "main_column",
    "optional_int",
    "parse_date",
    "parse_html",
    "parse_money",
    "parse_page",
    "require",
    "require_form",
]

Html = str | LexborHTMLParser

#: Where a page's own markup starts (protocol §2.6); the sidebar comes before it.
MAIN_COLUMN = '<div id="main-column"'

_WS = re.compile(r"\s+")
_MONEY = re.compile(r"-?[\d,]*\.?\d+")


def main_column(html: str) -> str:
    """The page from ``<div id="main-column">`` on (the whole text when it has none).

    Every authenticated page carries a ~130 KB navigation sidebar before its main column
    (protocol §0, §2.6) that no parser reads: leaving it out makes a parse 3 ms cheaper.
    """
    cut = html.find(MAIN_COLUMN)
    return html[cut:] if cut > 0 else html


def parse_page(html: Html, *, page: str) -> LexborHTMLParser:
    """Parse a page once, from its main column on, refusing text cut off before ``</html>``.

    A truncated page can still hold a plausible prefix of a table or tree; the end-of-document
    landmark makes that an error instead of silently short data. (A tree parsed by the caller
    is trusted; the form parsers additionally require their submit button, the form's end.)
    Parsers read only what ``#main-column`` holds (forms, tables, alerts, their scripts), so
    the head and the sidebar before it are not parsed (:func:`main_column`).
    """
    if isinstance(html, str):
        if "</html>" not in html[-1024:].lower():
            raise PageStructureError(page=page, landmark="end of document (</html>)")
        return LexborHTMLParser(main_column(html))
    return html


def clean_text(node: LexborNode | None) -> str:
    """The node's text with whitespace runs collapsed and ends stripped (``""`` for None)."""
    if node is None:
        return ""
    return _WS.sub(" ", node.text(deep=True)).strip()


def require(root: LexborHTMLParser | LexborNode, selector: str, *, page: str) -> LexborNode:
    """``css_first`` that raises :class:`PageStructureError` naming the page and selector."""
    node = root.css_first(selector)
    if node is None:
        raise PageStructureError(page=page, landmark=selector)
    return node


def require_form(
    tree: LexborHTMLParser,
    selector: str,
    *,
    page: str,
    action: str | None = None,
    submit: str | None = None,
) -> Form:
    """Parse the page's form (browser mode), checking its action and end landmark.

    Args:
        tree: Parsed page.
        selector: CSS selector of the ``<form>``.
        page: Page kind for errors.
        action: Expected ``action`` attribute.
        submit: Selector of the submit button, the last thing a complete form renders.
    """
    node = require(tree, selector, page=page)
    if submit is not None:
        require(tree, submit, page=page)
    form = form_from_node(tree, node, mode="browser", omit=BROWSER_OMISSIONS)
    if action is not None and form.action != action:
        raise PageStructureError(
            page=page, landmark=f"{selector}[action={action}]", detail=f"found {form.action!r}"
        )
    return form


def control(form: Form, name: str, *, page: str) -> Control:
    """The first control named ``name`` (raises when the form lacks it)."""
    for c in form.controls:
        if c.name == name:
            return c
    raise PageStructureError(page=page, landmark=f"control {name}")


def control_value(form: Form, name: str, *, page: str) -> str:
    """The current value of the first control named ``name`` (``""`` when it has none)."""
    return control(form, name, page=page).value or ""


def optional_int(text: str | None, *, page: str, landmark: str) -> int | None:
    """``None`` for an empty string, else the integer (raise on anything else)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise PageStructureError(page=page, landmark=landmark, detail="not an integer") from None


def parse_date(text: str | None, *, page: str, landmark: str) -> date | None:
    """``MM/DD/YYYY`` -> date; empty -> None; anything else raises."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise PageStructureError(page=page, landmark=landmark, detail="not MM/DD/YYYY") from None


def parse_money(text: str, *, page: str, landmark: str) -> Decimal | None:
    """``$14.75/hr`` -> Decimal('14.75'); empty -> None."""
    text = text.strip()
    if not text:
        return None
    match = _MONEY.search(text)
    if match is None:
        raise PageStructureError(page=page, landmark=landmark, detail="no amount")
    try:
        return Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        raise PageStructureError(page=page, landmark=landmark, detail="bad amount") from None
