"""What the transport counts (:class:`TransportStats`) and the logger it writes to.

Every module of the transport logs on :data:`logger` (``sonnys_async``), which carries
:data:`redacting_filter`: anything logged there is scrubbed of secrets even if a message slipped
(defence in depth; log lines are built from redacted URLs and bodies in the first place). The
transport registers each client's password with the filter while the client is open.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from .._constants import LOGGER_NAME, LOGIN_CHECK_PATH, LOGIN_PATH
from ..redaction import RedactingFilter

__all__ = ["TransportStats", "logger", "path_template", "redacting_filter"]

logger: Final = logging.getLogger(LOGGER_NAME)
redacting_filter: Final = RedactingFilter()
if not any(isinstance(f, RedactingFilter) for f in logger.filters):
    logger.addFilter(redacting_filter)

_DIGITS_SEGMENT: Final = re.compile(r"/\d+(?=/|$)")


def path_template(path: str) -> str:
    """``/employee/edit/485?x=1`` -> ``/employee/edit/{id}`` (query dropped)."""
    return _DIGITS_SEGMENT.sub("/{id}", urlsplit(path).path or "/")


@dataclass
class TransportStats:
    """Counters for request-count tests and diagnostics.

    ``requests`` counts every HTTP request sent (login traffic and retries included) by
    ``(method, path template)``, where numeric path segments read ``{id}``
    (``("GET", "/employee/edit/{id}")``).
    """

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    logins: int = 0
    relogins: int = 0
    retries: int = 0
    replays: int = 0

    @property
    def total(self) -> int:
        """Every request sent."""
        return sum(self.requests.values())

    @property
    def total_without_login(self) -> int:
        """Requests sent, minus ``GET /login`` and ``POST /login_check``."""
        login = self.requests[("GET", LOGIN_PATH)] + self.requests[("POST", LOGIN_CHECK_PATH)]
        return self.total - login

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests matching a method and/or a path template (``None`` matches anything)."""
        return sum(
            n
            for (m, p), n in self.requests.items()
            if (method is None or m == method) and (path is None or p == path)
        )

    def reset(self) -> None:
        """Zero every counter."""
        self.requests.clear()
        self.logins = self.relogins = self.retries = self.replays = 0
