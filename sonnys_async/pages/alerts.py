"""Server alerts (``div.alerts.alerts-server``, protocol §2.5 / §16.2).

Decision on whitespace (§16.2): the server's strings contain meaningful oddities (two spaces in
"must be  between", a newline plus 12 spaces inside one message). :attr:`Alerts.errors` keeps
each message exactly as rendered, only stripped at both ends, so it can be matched against the
documented strings byte for byte. :func:`normalized` collapses whitespace runs to one space for
tolerant matching (``normalized(msg) == normalized(expected)``), and
:meth:`Alerts.normalized_errors` applies it to every error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._common import Html, parse_html

__all__ = ["ALERTS_SERVER", "ALERT_DANGER", "ALERT_SUCCESS", "Alerts", "normalized", "parse_alerts"]

ALERTS_SERVER = "div.alerts.alerts-server"
ALERT_DANGER = "div.alert.alert-danger"
ALERT_SUCCESS = "div.alert.alert-success"
_MESSAGES = "li, p"
_WS = re.compile(r"\s+")


def normalized(message: str) -> str:
    """Collapse every whitespace run to one space and strip the ends (for matching)."""
    return _WS.sub(" ", message).strip()


@dataclass(frozen=True, slots=True)
class Alerts:
    """Messages of the server alert block: each as rendered, ends stripped."""

    errors: tuple[str, ...] = ()
    successes: tuple[str, ...] = ()

    def normalized_errors(self) -> tuple[str, ...]:
        """``errors`` with whitespace runs collapsed (see :func:`normalized`)."""
        return tuple(normalized(e) for e in self.errors)

    def normalized_successes(self) -> tuple[str, ...]:
        """``successes`` with whitespace runs collapsed."""
        return tuple(normalized(s) for s in self.successes)


def parse_alerts(html: Html) -> Alerts:
    """Read the server alerts of a page (none, or the page has no alert block -> empty).

    Pages without the block (login, redirect shells) simply have no alerts; this parser never
    raises, because "no message" is a valid answer on every page.

    Args:
        html: Page text or parsed tree.

    Returns:
        The error and success messages, in page order.
    """
    tree = parse_html(html)
    errors: list[str] = []
    successes: list[str] = []
    for block in tree.css(ALERTS_SERVER):
        for alert in block.css(f"{ALERT_DANGER}, {ALERT_SUCCESS}"):
            cls = (alert.attributes.get("class") or "").split()
            target = errors if "alert-danger" in cls else successes
            for msg in alert.css(_MESSAGES):
                text = msg.text(deep=True).strip()
                if text:
                    target.append(text)
    return Alerts(tuple(errors), tuple(successes))
