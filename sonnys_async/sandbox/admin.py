"""The admin view: the stored state and the counters as JSON, for tests in another process.

Served only with ``SandboxOptions(admin=True)``, under ``/_sandbox/`` (no Backoffice page uses
that prefix), without login, without faults or latency, and not counted:

* ``GET /_sandbox/state``: ``employees``, ``users``, ``counters``, ``sessions``;
* ``GET /_sandbox/counters``: ``counters`` and ``sessions`` only (cheap enough to poll);
* ``POST /_sandbox/check-passwords`` with a JSON object ``{username: password}``: for each
  username ``true`` / ``false`` (whether it is that Backoffice user's password) or ``null`` (no
  such user). Passwords are never served; PINs are (the employee edit page shows them too).
"""

from __future__ import annotations

import json
from typing import Any

from sonnys_async.domain import ALL, SiteSelection
from sonnys_async.sandbox.context import Server
from sonnys_async.sandbox.counters import Counters
from sonnys_async.sandbox.state import StoredEmployee, StoredUser

__all__ = ["ADMIN_PREFIX", "admin_answer"]

#: Path prefix of the admin view.
ADMIN_PREFIX = "/_sandbox/"


def _sites(selection: SiteSelection) -> str | list[int]:
    return ALL if selection == ALL else sorted(selection)


def _employee(e: StoredEmployee) -> dict[str, Any]:
    return {
        "id": e.id,
        "pos_user_id": e.pos_user_id,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "email": e.email,
        "phone": e.phone,
        "active": e.active,
        "pos_pin": e.pos_pin,
        "grants": sorted(e.grants),
        "overrides": sorted(e.overrides),
        "template_id": e.template_id,
        "sites": _sites(e.sites),
        "department_ids": list(e.department_ids),
        "wage_rates": [str(w.rate) for w in e.wages],
    }


def _user(u: StoredUser) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "employee_id": u.employee_id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "is_deleted": u.is_deleted,
        "template_id": u.template_id,
        "sites": _sites(u.sites),
        "tokens": len(u.tokens),
    }


def _sessions(server: Server) -> dict[str, Any]:
    store = server.sessions
    options = server.options
    throttled: list[str] = []
    if options.login_throttle is not None:
        attempts, window = options.login_throttle
        now = options.now()
        throttled = sorted(
            name
            for name, times in server.login_failures.items()
            if sum(1 for t in times if t > now - window) >= attempts
        )
    ended: dict[str, int] = {}
    for reason in store.ended.values():
        ended[reason] = ended.get(reason, 0) + 1
    return {
        "live": len(store),
        "issued": len(store.issued),
        "ids": list(store.issued),
        "ended": dict(sorted(ended.items())),
        "observed": dict(sorted(store.observed.items())),
        "throttled_usernames": throttled,
    }


def _check_passwords(server: Server, body: bytes) -> tuple[int, Any]:
    try:
        asked = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return 400, {"error": "the body must be a JSON object {username: password}"}
    if not isinstance(asked, dict) or not all(isinstance(v, str) for v in asked.values()):
        return 400, {"error": "the body must be a JSON object {username: password}"}
    answer: dict[str, bool | None] = {}
    for username, password in asked.items():
        user = server.state.user_by_username(str(username))
        answer[str(username)] = None if user is None else user.password == password
    return 200, answer


def admin_answer(
    server: Server, counters: Counters, method: str, path: str, body: bytes
) -> tuple[int, bytes]:
    """The admin view's answer to one request: (status, JSON body)."""
    status: int
    payload: Any
    if method == "GET" and path == ADMIN_PREFIX + "state":
        status = 200
        payload = {
            "employees": [_employee(e) for e in server.state.employees.values()],
            "users": [_user(u) for u in server.state.users.values()],
            "counters": counters.as_json(),
            "sessions": _sessions(server),
        }
    elif method == "GET" and path == ADMIN_PREFIX + "counters":
        status, payload = 200, {"counters": counters.as_json(), "sessions": _sessions(server)}
    elif method == "POST" and path == ADMIN_PREFIX + "check-passwords":
        status, payload = _check_passwords(server, body)
    else:
        status, payload = 404, {"error": f"no admin endpoint {method} {path}"}
    return status, json.dumps(payload).encode()
