"""The login page, ``GET /login`` (protocol §3.1): why a login was refused.

A refused ``POST /login_check`` (§3.2) ends on the login page, whose danger alert (§2.5) says
why: on the page itself when the server re-renders it, or on the next ``GET /login`` when it
redirects there with a flash message (the sandbox's behaviour; the real server's failure answer
was never observed). Telling a login page from any other page is
:func:`~.detect.is_login_page` (§3.3, §21.2).
"""

from __future__ import annotations

from ._common import Html, parse_html

__all__ = ["ALERT_LABEL", "ANY_DANGER_ALERT", "LOGIN_ALERT", "login_alert"]

#: The danger alert of the server alert block (§2.5).
LOGIN_ALERT = ".alerts-server .alert-danger"
#: Any danger alert: the fallback for a page that shows it outside the server alert block.
ANY_DANGER_ALERT = ".alert-danger"
#: The screen-reader label inside an alert (``Error:``, §2.5); not part of the message.
ALERT_LABEL = ".sr-only"


def login_alert(html: Html) -> str | None:
    """The message of the login page's danger alert, without its ``Error:`` label (§2.5).

    Every message of the alert is kept, joined by single spaces (whitespace runs collapsed).

    Args:
        html: The login page, as text or parsed tree.

    Returns:
        The message (``"Invalid credentials."``), or ``None`` when the page shows no danger
        alert or an empty one.
    """
    tree = parse_html(html)
    node = tree.css_first(LOGIN_ALERT) or tree.css_first(ANY_DANGER_ALERT)
    if node is None:
        return None
    label = node.css_first(ALERT_LABEL)
    words = node.text(separator=" ")
    if label is not None:
        words = words.replace(label.text(), "", 1)
    message = " ".join(words.split())
    return message or None
