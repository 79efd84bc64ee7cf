"""Server alerts (``div.alerts.alerts-server``, protocol §2.5 / §16.2).

Decision on whitespace (§16.2): the server's strings contain layout oddities (two spaces in
"must be  between", a newline plus 12 spaces inside one message). :attr:`Alerts.errors` and
:attr:`Alerts.successes` hold each message with every whitespace run collapsed to one space and
the ends stripped (see :func:`normalized`), which is what callers compare and show.
:attr:`Alerts.raw_errors` / :attr:`Alerts.raw_successes` keep the element text exactly as
rendered (entities decoded, nothing collapsed or stripped), for byte-for-byte checks against
the documented strings.

Message elements (§21.4): an alert holding a ``<ul>`` lists one message per ``<li>``; otherwise
each ``<p>`` is a message. Selecting both would count an ``<li>`` that wraps a ``<p>`` twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from ._common import Html, parse_html

__all__ = ["ALERTS_SERVER", "ALERT_DANGER", "ALERT_SUCCESS", "Alerts", "normalized", "parse_alerts"]

ALERTS_SERVER = "div.alerts.alerts-server"
ALERT_DANGER = "div.alert.alert-danger"
ALERT_SUCCESS = "div.alert.alert-success"
_WS = re.compile(r"\s+")


def normalized(message: str) -> str:
    """Collapse every whitespace run to one space and strip the ends (§16.2).

    Args:
        message: A message as rendered.

    Returns:
        The message with single spaces, e.g. ``"First Name must be between 1 and 64 ..."``.
    """
    return _WS.sub(" ", message).strip()


@dataclass(frozen=True, slots=True)
class Alerts:
    """Messages of the server alert block, in page order.

    Attributes:
        errors: Danger messages, whitespace-normalised (:func:`normalized`).
        successes: Success messages, whitespace-normalised.
        raw_errors: Danger messages exactly as rendered (same order and length as ``errors``).
        raw_successes: Success messages exactly as rendered.
    """

    errors: tuple[str, ...] = ()
    successes: tuple[str, ...] = ()
    raw_errors: tuple[str, ...] = ()
    raw_successes: tuple[str, ...] = ()


def _messages(alert: LexborNode) -> list[LexborNode]:
    # A list alert is <ul><li>…; a single message is <p> (§21.4). Never both selectors at
    # once: an <li> wrapping a <p> would yield the same message twice.
    if alert.css_first("ul") is not None:
        return list(alert.css("li"))
    return list(alert.css("p"))


def parse_alerts(html: Html) -> Alerts:
    """Read the server alerts of a page (none, or the page has no alert block -> empty).

    Pages without the block (login, redirect shells) simply have no alerts; this parser never
    raises, because "no message" is a valid answer on every page.

    Args:
        html: Page text or parsed tree.

    Returns:
        The error and success messages, normalised and raw, in page order.
    """
    tree = parse_html(html)
    errors: list[str] = []
    successes: list[str] = []
    for block in tree.css(ALERTS_SERVER):
        for alert in block.css(f"{ALERT_DANGER}, {ALERT_SUCCESS}"):
            cls = (alert.attributes.get("class") or "").split()
            target = errors if "alert-danger" in cls else successes
            for msg in _messages(alert):
                text = msg.text(deep=True)
                if text.strip():
                    target.append(text)
    return Alerts(
        errors=tuple(normalized(e) for e in errors),
        successes=tuple(normalized(s) for s in successes),
        raw_errors=tuple(errors),
        raw_successes=tuple(successes),
    )
