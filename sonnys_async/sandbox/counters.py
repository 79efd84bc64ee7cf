"""What the sandbox counts for tests: requests per method and path, logins, injected faults.

The admin view (:mod:`.admin`) serves these to tests in another process; in-process tests read
``sb.counters`` directly. Counting never changes what a request does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Counters", "LoginCounts", "UserLogins", "route_key"]

_ID_SEGMENT = re.compile(r"/\d+(?=/|:|$)")


def route_key(method: str, path: str) -> str:
    """``"GET /employee/edit/{id}"``: the method and the path with numeric segments folded."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


@dataclass(slots=True)
class LoginCounts:
    """``POST /login_check`` requests of one username with the right (or a wrong) password."""

    #: Every such login POST that reached the sandbox (faulted ones included).
    attempted: int = 0
    #: Answered with a logged-in session (302 ``/``), even if the answer was then lost.
    succeeded: int = 0
    #: Refused as invalid credentials (wrong password, unknown or deleted user).
    refused_invalid: int = 0
    #: Refused by ``login_throttle``.
    refused_throttled: int = 0
    #: Given an injected fault: a 5xx, a dropped connection (before or after) or a delay.
    faulted: int = 0


@dataclass(slots=True)
class UserLogins:
    """The login POSTs of one username, split by whether they carried its password."""

    right_password: LoginCounts = field(default_factory=LoginCounts)
    wrong_password: LoginCounts = field(default_factory=LoginCounts)


@dataclass(slots=True)
class Counters:
    """Counts of one sandbox since it started."""

    #: Requests that reached the application, by :func:`route_key` (faulted ones included).
    requests: Counter[str] = field(default_factory=Counter)
    #: Login POSTs by lower-cased username.
    logins: dict[str, UserLogins] = field(default_factory=dict)
    #: Injected faults by kind: ``fail_next``, ``error_rate``, ``drop_before``, ``drop_after``,
    #: ``post_delay``, ``spike``.
    faults: Counter[str] = field(default_factory=Counter)
    #: Delayed POSTs still held (not yet received by the server).
    delayed_pending: int = 0

    def login(self, username: str, *, right_password: bool) -> LoginCounts:
        """The (created on first use) counts of ``username``'s logins with the right or a
        wrong password."""
        user = self.logins.setdefault(username.lower(), UserLogins())
        return user.right_password if right_password else user.wrong_password

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "requests": dict(sorted(self.requests.items())),
            "requests_total": sum(self.requests.values()),
            "logins": {name: asdict(c) for name, c in sorted(self.logins.items())},
            "faults": dict(sorted(self.faults.items())),
            "delayed_pending": self.delayed_pending,
        }
