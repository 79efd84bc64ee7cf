"""Offline tools behind the CLI's ``inspect`` and ``replay`` commands.

For the day the Backoffice markup changes: a user saves a page from the browser and sees what
the library understands (``inspect_page``) or which body it would submit (``replay_page``).
Pure functions, no I/O. PINs and passwords are never part of ``inspect_page``'s output.

A page saved from the browser's DOM (DevTools "Copy outerHTML", or a snapshot tool) is not what
the server sent: there the ``checked`` attribute of a toggle does not show its live state
(protocol §0: a grant the template script switched on keeps no ``checked``); the
bootstrap-toggle wrapper around it does (``div.toggle`` carries ``off`` when it is off). Both
tools read toggles from their wrapper when the page has them (:func:`live_toggles`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from selectolax.lexbor import LexborHTMLParser

from .core import pages
from .core.forms import FormData, parse_form, parse_html
from .core.text import is_digits
from .errors import FieldIssue, InputValidationError

__all__ = ["check_html", "inspect_page", "live_toggles", "replay_page"]

#: A tag any saved page has (a redirect shell, a page, a fragment of one).
_MARKUP = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|div|form|table|input|meta|title)\b", re.I
)
#: A bootstrap-toggle checkbox: the wrapper's classes tell its live state.
_TOGGLE = "div.toggle > input[type=checkbox]"
#: Access pages whose template select runs a script that ticks the template's permissions:
#: page kind -> (parser, the function doing what the script does, the select's name).
_Access = tuple[Callable[[LexborHTMLParser], object], Callable[..., FormData], str]
_TEMPLATE_PAGES: dict[str, _Access] = {
    "employee_permissions": (pages.parse_pos_permissions, pages.apply_pos_template, "templateId"),
    "user_permissions": (pages.parse_user_permissions, pages.apply_bo_template, "template"),
}

#: Page kind -> its parser (the kinds ``detect_kind`` reports and a parser exists for).
_PARSERS: dict[str, Callable[[str | LexborHTMLParser], object]] = {
    "employee_edit": pages.parse_employee_edit,
    "employee_create": pages.parse_employee_create,
    "employee_list": pages.parse_employee_list,
    "employee_permissions": pages.parse_pos_permissions,
    "compensation": pages.parse_compensation,
    "user_list": pages.parse_user_list,
    "user_create": pages.parse_user_create,
    "user_edit": pages.parse_user_edit,
    "user_permissions": pages.parse_user_permissions,
    "pos_template_list": pages.parse_pos_template_list,
    "bo_template_list": pages.parse_bo_template_list,
}
#: Site selections are shown as ids ("all" or a sorted list) under an explicit name.
_RENAMED = {"available_sites": "available_site_ids", "accessible_sites": "accessible_site_ids"}


def _json(value: object) -> object:
    """Parsed page objects as plain JSON types.

    The replayable ``form`` is left out (``replay`` shows it), and so is every field a page
    object keeps out of its repr: that is where PINs and passwords live.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _RENAMED.get(f.name, f.name): _json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.repr and f.name != "form"
        }
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value, key=_number_first)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def inspect_page(html: str) -> dict[str, object]:
    """What the parsers extract from a saved page, as JSON-ready data.

    The page kind is detected first; for an employee edit page the keys include ``kind``,
    ``employee_id``, ``first_name``, ``last_name``, ``active``, ``pos_user_id``,
    ``departments`` and ``available_site_ids`` (``"all"`` or sorted ids). The POS PIN is
    never included.

    Args:
        html: The page text.

    Returns:
        A dict of plain JSON types.

    Raises:
        InputValidationError: Not an HTML page (:func:`check_html`).
        PageStructureError: The page looks like a known kind but lacks a landmark.
    """
    check_html(html)
    tree = live_toggles(parse_html(html))
    kind = pages.detect_kind(html)
    out: dict[str, object] = {"kind": kind}
    alerts = pages.parse_alerts(tree)
    if alerts.errors or alerts.successes:
        out["alerts"] = {"errors": list(alerts.errors), "successes": list(alerts.successes)}
    parser = _PARSERS.get(kind)
    if parser is not None:
        parsed = _json(parser(tree))
        out.update(parsed if isinstance(parsed, dict) else {"rows": parsed})
    elif kind == "redirect":
        out["target"] = pages.redirect_target(html)
    else:
        out["forms"] = [
            {"id": f.attributes.get("id"), "action": f.attributes.get("action")}
            for f in tree.css("form")
        ]
    return out


def replay_page(
    html: str,
    form_id: str | None = None,
    *,
    template: str | None = None,
    sets: Iterable[tuple[str, str]] = (),
    unchecks: Iterable[str] = (),
    checks: Iterable[tuple[str, str | None]] = (),
    plain: bool = False,
) -> bytes:
    """The urlencoded body a browser would submit for a form after the given edits.

    Edits apply in this order: ``template``, ``sets``, ``unchecks``, then ``checks``. On a POS
    access page (``/employee/permissions/<id>``) or a Backoffice access page
    (``/user/permissions/<id>``), choosing a template does what the page's own script does: the
    template is selected and exactly its permissions are ticked (the POS page: its grants and
    manager overrides; the Backoffice page: its tokens), as in the bodies browsers sent. In the
    browser mode a ``sets`` entry for the template select (``templateId`` / ``template``) is a
    template choice too; with ``plain`` it only sets the select's value, as plain HTML would.

    Args:
        html: The saved page.
        form_id: The form's ``id`` (e.g. ``employee-create-edit-form``); default, with a
            ``template``, the access page's form.
        template: A template of an access page, by name (case-insensitive) or id.
        sets: ``(name, value)`` pairs (selects are validated against their options).
        unchecks: Names of boxes to uncheck.
        checks: ``(name, value)`` pairs of boxes to check (``value`` None = the box's own).
        plain: The HTML-standard entry list instead of the browser-equivalent one.

    Returns:
        The body bytes.

    Raises:
        InputValidationError: Not an HTML page, no form named, or a template on a page that has
            none.
        NotFoundError: No such template.
        PageStructureError: No such form.
        ControlNotFoundError / ItemNotFoundError: An edit names an unknown control or value.
    """
    check_html(html)
    tree = live_toggles(parse_html(html))
    kind = pages.detect_kind(html)
    access = _TEMPLATE_PAGES.get(kind)
    sets = list(sets)
    if access is not None and not plain:  # the select's change runs the page's script
        chosen = [value for name, value in sets if name == access[2]]
        sets = [(name, value) for name, value in sets if name != access[2]]
        template = chosen[-1] if chosen else template
    if template is not None and access is None:
        why = f"only a POS or Backoffice access page has templates; this page is {kind!r}"
        raise InputValidationError([FieldIssue("template", why)])
    if form_id is None:
        if access is None:
            raise InputValidationError([FieldIssue("form", "name the form (its id attribute)")])
        form_id = _form_id(tree, kind)
    form = parse_form(
        tree, form_id, mode="plain" if plain else "browser", omit=pages.BROWSER_OMISSIONS
    )
    data = form.replay()
    if template is not None and access is not None:
        data = _choose_template(tree, access, template, data)
    for name, value in sets:
        data.set(name, value)
    for name in unchecks:
        data.uncheck(name)
    for name, check_value in checks:
        data.check(name, check_value)
    return data.encode()


def check_html(text: str) -> None:
    """Refuse what is not a saved HTML page (a CSV, a JSON capture, a binary file).

    Raises:
        InputValidationError: The text has NUL bytes or no HTML markup at all.
    """
    if "\x00" in text:
        why = "a binary file, not a saved HTML page (save the page from the browser as HTML)"
        raise InputValidationError([FieldIssue("page", why)])
    if not _MARKUP.search(text):
        why = "no HTML markup found: not a saved Backoffice page (save it from the browser as HTML)"
        raise InputValidationError([FieldIssue("page", why)])


def live_toggles(tree: LexborHTMLParser) -> LexborHTMLParser:
    """Set every bootstrap-toggle checkbox's ``checked`` from its wrapper (in place).

    In a DOM snapshot the wrapper ``div.toggle`` has class ``off`` when the toggle is off; its
    checkbox's ``checked`` attribute is whatever the server rendered, not the live state
    (protocol §0). Raw server pages have no wrappers and are left as they are.

    Returns:
        The same tree.
    """
    for box in tree.css(_TOGGLE):
        wrapper = box.parent
        off = wrapper is not None and "off" in (wrapper.attributes.get("class") or "").split()
        if off and "checked" in box.attributes:
            del box.attrs["checked"]
        elif not off:
            box.attrs["checked"] = ""
    return tree


def _number_first(value: object) -> tuple[int, int | float, str]:
    """Sort key: numbers by value (``2`` before ``10``), then everything else as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


def _form_id(tree: LexborHTMLParser, kind: str) -> str:
    form = tree.css_first(
        "form#employee-permission-update-form"
        if kind == "employee_permissions"
        else "form#user-permissions-update-form"
    )
    return str(form.attributes.get("id")) if form is not None else kind


def _choose_template(
    tree: LexborHTMLParser,
    access: _Access,
    template: str,
    data: FormData,
) -> FormData:
    parse, apply, _ = access
    page = parse(tree)
    chosen: int | str = int(template) if is_digits(template.strip()) else template
    return apply(page, chosen, data)
