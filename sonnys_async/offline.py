"""Offline tools behind the CLI's ``inspect`` and ``replay`` commands (issue 3, item 5).

For the day the Backoffice markup changes: a user saves a page from the browser and sees what
the library understands (``inspect_page``) or which body it would submit (``replay_page``).
Pure functions, no I/O. PINs and passwords are never part of ``inspect_page``'s output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from .core import pages
from .core.forms import parse_form, parse_html

__all__ = ["inspect_page", "replay_page"]

#: Page kind -> its parser (the kinds ``detect_kind`` reports and a parser exists for).
_PARSERS: dict[str, Callable[[str], object]] = {
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
        return sorted(value, key=str)
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
        PageStructureError: The page looks like a known kind but lacks a landmark.
    """
    tree = parse_html(html)
    kind = pages.detect_kind(html)
    out: dict[str, object] = {"kind": kind}
    alerts = pages.parse_alerts(tree)
    if alerts.errors or alerts.successes:
        out["alerts"] = {"errors": list(alerts.errors), "successes": list(alerts.successes)}
    parser = _PARSERS.get(kind)
    if parser is not None:
        parsed = _json(parser(html))
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
    form_id: str,
    *,
    sets: Iterable[tuple[str, str]] = (),
    unchecks: Iterable[str] = (),
    checks: Iterable[tuple[str, str | None]] = (),
    plain: bool = False,
) -> bytes:
    """The urlencoded body a browser would submit for a form after the given edits.

    Edits apply in this order: ``sets``, then ``unchecks``, then ``checks``.

    Args:
        html: The saved page.
        form_id: The form's ``id`` (e.g. ``employee-create-edit-form``).
        sets: ``(name, value)`` pairs (selects are validated against their options).
        unchecks: Names of boxes to uncheck.
        checks: ``(name, value)`` pairs of boxes to check (``value`` None = the box's own).
        plain: The HTML-standard entry list instead of the browser-equivalent one.

    Returns:
        The body bytes.

    Raises:
        PageStructureError: No such form.
        ControlNotFoundError / ItemNotFoundError: An edit names an unknown control or value.
    """
    form = parse_form(
        html, form_id, mode="plain" if plain else "browser", omit=pages.BROWSER_OMISSIONS
    )
    data = form.replay()
    for name, value in sets:
        data.set(name, value)
    for name in unchecks:
        data.uncheck(name)
    for name, check_value in checks:
        data.check(name, check_value)
    return data.encode()
