"""Login page, login check (credentials, throttling, single session) and logout (§3)."""

from __future__ import annotations

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.responses import Response, html_page, redirect
from sonnys_async.sandbox.rules.body import parse_body
from sonnys_async.sandbox.rules.messages import MSG_INVALID_CREDENTIALS, MSG_THROTTLED
from sonnys_async.sandbox.rules.outcome import Flash

__all__ = ["login_check", "login_page", "logout"]


def login_page(server: Server, request: Request) -> Response:
    """``GET /login``: the logged-out page with the pending alert."""
    return html_page(server.views.login(server.take_flash(request.session)))


def logout(server: Server, request: Request) -> Response:
    """``GET /logout``: the session forgets its user; 302 ``/login``."""
    request.session.user_id = None
    return redirect("/login")


def login_check(server: Server, request: Request) -> Response:
    """``POST /login_check``: 302 ``/`` on success, else 302 ``/login`` with an alert (§20.1)."""
    session = request.session
    body = parse_body(request.body)
    username, password = body.get("_username"), body.get("_password")
    options = server.options
    now = options.now()
    key = username.lower()
    if options.login_throttle is not None:
        attempts, window = options.login_throttle
        recent = [t for t in server.login_failures.get(key, []) if t > now - window]
        server.login_failures[key] = recent
        if len(recent) >= attempts:
            recent.append(now)  # a refused attempt counts too: one who keeps trying stays out
            session.flash = Flash("danger", (MSG_THROTTLED,))
            return redirect("/login")
    user = server.state.user_by_username(username) if username else None
    ok = (
        user is not None
        and user.password == password
        and (not user.is_deleted or options.deleted_user_can_login)
    )
    if not ok or user is None:
        server.login_failures.setdefault(key, []).append(now)
        session.user_id = None
        session.flash = Flash("danger", (MSG_INVALID_CREDENTIALS,))
        return redirect("/login")
    if options.single_session_per_user:
        server.sessions.end_other_sessions_of(user.id, keep=session)
    server.login_failures.pop(key, None)
    session.user_id = user.id
    session.requests = 0
    return redirect("/")
