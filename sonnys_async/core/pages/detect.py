"""Page kind detection, the login-page test, form bounces and Symfony redirect shells.

Protocol §2.3 (redirect shells), §2.4 (bounces), §3.3 and §21.2 (the login page).
"""

from __future__ import annotations

import html as htmllib
import re

from ._common import Html, parse_html

__all__ = ["KINDS", "detect_kind", "is_bounce", "is_login_page", "redirect_target"]

KINDS = (
    "login",
    "dashboard",
    "employee_list",
    "employee_create",
    "employee_edit",
    "employee_permissions",
    "compensation",
    "user_list",
    "user_create",
    "user_edit",
    "user_permissions",
    "pos_template_list",
    "bo_template_list",
    "redirect",
    "unknown",
)

LOGIN_USERNAME = "input[name='_username']"
LOGIN_PASSWORD = "input[name='_password']"
REFRESH_META = "meta[http-equiv='refresh']"
_REFRESH_URL = re.compile(r"url\s*=\s*'?([^']*)'?", re.IGNORECASE)
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
#: The query parameter of a bounced form's redirect target (§2.4), first or appended with ``&``.
_BOUNCE = re.compile(r"[?&]actionXfer=")

# Landmarks checked on the raw text, most specific first (cheap: no parse needed).
_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("employee_permissions", ('id="employee-permission-update-form"',)),
    ("compensation", ('id="employee-compensation-edit-form"',)),
    ("user_permissions", ('id="user-permissions-update-form"',)),
    ("user_edit", ('id="user-edit-edit-form"',)),
    ("user_create", ('id="user-create-edit-form"',)),
    ("employee_list", ("table-employees-list",)),
    ("user_list", ("table-users-list", 'id="frm-user-list-search"')),
)


def is_login_page(html: Html) -> bool:
    """True iff the page has both ``_username`` and ``_password`` inputs (§3.3, §21.2).

    The transport's session-expiry test: a login page served for another page means the session
    was logged out. Pages without both names skip the parse (a cheap test on large pages).
    """
    if isinstance(html, str) and ("_username" not in html or "_password" not in html):
        return False
    tree = parse_html(html)
    return tree.css_first(LOGIN_USERNAME) is not None and tree.css_first(LOGIN_PASSWORD) is not None


def is_bounce(location: str) -> bool:
    """True iff a form POST's redirect target sends the form back with messages (§2.4, §21.4).

    A rejected POST redirects to its form page plus an ``actionXfer=<token>`` query parameter
    (appended with ``&`` when the target already has a query); the next GET of that target
    shows the errors. Success targets never carry it.

    Args:
        location: The ``Location`` of the answer (or a redirect shell's target), relative or
            absolute.
    """
    return _BOUNCE.search(location) is not None


def redirect_target(html: Html) -> str | None:
    """The target of a Symfony redirect shell (§2.3), unescaped; None for any other page."""
    if isinstance(html, str) and "refresh" not in html.lower():
        return None
    tree = parse_html(html)
    meta = tree.css_first(REFRESH_META)
    if meta is None:
        return None
    match = _REFRESH_URL.search(meta.attributes.get("content") or "")
    if match is None:
        return None
    # selectolax already decoded entities in the attribute; unescape again is harmless only
    # for text without '&', so decode just once here.
    target = match.group(1)
    return htmllib.unescape(target) if "&amp;" in target else target


def detect_kind(html: Html) -> str:
    """Which Backoffice page this is (one of :data:`KINDS`).

    Args:
        html: Page text (fast path: landmark substrings) or parsed tree.

    Returns:
        The kind, ``"unknown"`` when nothing matches.
    """
    text = html if isinstance(html, str) else (html.html or "")
    if redirect_target(html) is not None:
        return "redirect"
    if is_login_page(html):
        return "login"
    if 'id="employee-create-edit-form"' in text:
        tree = parse_html(html)
        form = tree.css_first("form#employee-create-edit-form")
        action = form.attributes.get("action") if form is not None else None
        if action == "/employee/insert":
            return "employee_create"
        if action == "/employee/update":
            return "employee_edit"
    for kind, markers in _MARKERS:
        if any(m in text for m in markers):
            return kind
    title_match = _TITLE.search(text)
    title = " ".join(title_match.group(1).split()) if title_match else ""
    if title.endswith("| POS Permission Templates List"):
        return "pos_template_list"
    if title.endswith("| BO Permission Templates List"):
        return "bo_template_list"
    if title in ("Sonny's Controls", "Sonny&#039;s Controls") and 'id="main-column"' in text:
        return "dashboard"
    return "unknown"
