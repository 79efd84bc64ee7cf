"""The sandbox ASGI application: sessions, routing, Symfony-style responses, realism and faults."""

from __future__ import annotations

import math
import random
import re
import string
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, time
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx

from sonnys_async.sandbox import render
from sonnys_async.sandbox.faults import DropFault, FaultControls, LoggedRequest
from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.reference import Tenant, flat_tenant, hierarchical_tenant
from sonnys_async.sandbox.rules.body import parse_body
from sonnys_async.sandbox.rules.employees import (
    employee_compensation_update,
    employee_insert,
    employee_permissions_update,
    employee_update,
)
from sonnys_async.sandbox.rules.messages import MSG_UNKNOWN_EMPLOYEE, MSG_UNKNOWN_USER
from sonnys_async.sandbox.rules.outcome import Flash, PostResult
from sonnys_async.sandbox.rules.users import user_insert, user_permissions_update, user_update
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState

__all__ = ["ConnectionDropped", "Sandbox", "SandboxTransport", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MSG_INVALID_CREDENTIALS = "Invalid credentials."
MSG_THROTTLED = "Too many failed login attempts, please try again in 1 minute."
_PUBLIC = frozenset({"/login", "/login_check", "/logout", "/forgot-password"})
_ALNUM = string.ascii_letters + string.digits
_PAGE_RE = re.compile(r"(\d{1,12})(?::(\d{1,9}))?", re.ASCII)


class ConnectionDropped(Exception):
    """Raised by the app to simulate a dropped connection (converted by the transport)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"sandbox dropped the connection ({kind})")
        self.kind = kind


@dataclass(slots=True)
class _Session:
    id: str
    last_seen: float
    user_id: int | None = None
    requests: int = 0
    flash: Flash | None = None
    lock: anyio.Lock = field(default_factory=anyio.Lock)


@dataclass(slots=True)
class _Response:
    status: int
    body: bytes
    location: str | None = None
    content_type: str = "text/html; charset=UTF-8"


class Sandbox:
    """One simulated Backoffice tenant, usable in-process or served over HTTP.

    Args:
        options: configuration (``None`` = defaults).
    """

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        tenant: Tenant = flat_tenant() if self.options.tenant == "flat" else hierarchical_tenant()
        self.state = TenantState(tenant, self.options)
        self.faults = FaultControls()
        self.request_log: list[LoggedRequest] = []
        self._sessions: dict[str, _Session] = {}
        self._rng = random.Random(self.options.seed ^ 0x5EED)
        self._fault_rng = random.Random(self.options.seed ^ 0xFA17)
        self._login_failures: dict[str, list[float]] = {}
        self._layout = render.Layout(self.state.bot.full_name, self.options.sidebar_kb)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            # A plain coroutine function, so servers detect the ASGI 3 interface.
            await self._asgi(scope, receive, send)

        #: The ASGI application.
        self.app: Callable[[Scope, Receive, Send], Awaitable[None]] = app

    # --- public surface
    @property
    def base_url(self) -> str:
        """The in-process base URL (``http://washu.sandbox.test`` by default)."""
        return self.options.base_url

    @property
    def username(self) -> str:
        """The bot account's username."""
        return self.options.username

    @property
    def password(self) -> str:
        """The bot account's password."""
        return self.options.password

    def transport(self) -> SandboxTransport:
        """An in-process ``httpx.AsyncBaseTransport`` bound to this sandbox."""
        return SandboxTransport(self)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A plain ``httpx.AsyncClient`` on the in-process transport (no redirect following)."""
        return httpx.AsyncClient(transport=self.transport(), base_url=self.base_url, **kwargs)

    def expire_sessions(self) -> None:
        """End every live session: the next request of any client is sent to ``/login``."""
        self._sessions.clear()

    @property
    def session_count(self) -> int:
        """Number of live sessions (anonymous ones included)."""
        return len(self._sessions)

    # --- ASGI
    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > 8 * 1024 * 1024:
                body = b"\xff" * (8 * 1024 * 1024 + 1)  # rejected as oversized by parse_body
                break
        cookie_sid = _cookie(scope, "PHPSESSID")
        opts = self.options
        if opts.latency_ms or opts.jitter_ms:
            delay = opts.latency_ms + opts.jitter_ms * self._fault_rng.random()
            await anyio.sleep(delay / 1000.0)
        fail = self.faults.take_fail(method, path)
        # An after-apply fail handles the request in full and replaces only its answer.
        late_status = fail.status if fail is not None and fail.after_apply else None
        fail_status = fail.status if fail is not None and not fail.after_apply else None
        if fail is None and opts.error_rate > 0 and self._fault_rng.random() < opts.error_rate:
            fail_status = opts.error_status
        if fail_status is not None:
            self.request_log.append(LoggedRequest(method, path, query, cookie_sid, fail_status))
            await _send(send, fail_status, _error_body(fail_status), [])
            return
        # One injected fault per request: a request failed after applying is not also dropped.
        drop = self.faults.take_drop(method, path) if late_status is None else None
        if drop is not None and not drop.after_apply:
            self.request_log.append(LoggedRequest(method, path, query, cookie_sid, 0))
            await _abort(send, drop)
        session, new_cookie = self._session_for(cookie_sid)
        lock = session.lock if opts.serialize_sessions else None
        if lock is not None:
            async with lock:
                response = await self._handle(session, method, path, query, body)
        else:
            response = await self._handle(session, method, path, query, body)
        if late_status is not None:
            # The state change (and flash) stands; the client sees only the gateway's 5xx page,
            # without Location or Set-Cookie.
            self.request_log.append(LoggedRequest(method, path, query, session.id, late_status))
            await _send(send, late_status, _error_body(late_status), [])
            return
        self.request_log.append(LoggedRequest(method, path, query, session.id, response.status))
        if drop is not None:
            await _abort(send, drop)
        headers: list[tuple[bytes, bytes]] = []
        if new_cookie:
            headers.append((b"set-cookie", f"PHPSESSID={session.id}; path=/; HttpOnly".encode()))
        if response.location is not None:
            headers.append((b"location", response.location.encode("latin-1", "replace")))
        await _send(send, response.status, response.body, headers, response.content_type)

    def _session_for(self, sid: str | None) -> tuple[_Session, bool]:
        now = self.options.now()
        session = self._sessions.get(sid) if sid else None
        if session is not None:
            idle = self.options.session_idle_timeout
            limit = self.options.session_max_requests
            expired = (idle is not None and now - session.last_seen > idle) or (
                limit is not None and session.user_id is not None and session.requests >= limit
            )
            if expired:
                del self._sessions[session.id]
                session = None
        if session is None:
            new_id = "".join(
                self._rng.choice(string.ascii_lowercase + string.digits) for _ in range(26)
            )
            session = _Session(new_id, now)
            self._sessions[new_id] = session
            return session, True
        session.last_seen = now
        return session, False

    async def _handle(
        self, session: _Session, method: str, path: str, query: str, body: bytes
    ) -> _Response:
        if self.options.processing_ms:
            await anyio.sleep(self.options.processing_ms / 1000.0)
        if path not in _PUBLIC:
            if session.user_id is None or session.user_id not in self.state.users:
                session.user_id = None
                return _redirect("/login")
            session.requests += 1
        try:
            return self._route(session, method, path, query, body)
        except Exception:  # pragma: no cover - a bug; never leak a traceback as a 500 page
            if method == "POST":
                session.flash = Flash("danger", ("An unexpected error occurred.",))
                return _redirect("/")
            raise

    # --- routing
    def _route(
        self, session: _Session, method: str, path: str, query: str, body: bytes
    ) -> _Response:
        parts = [p for p in path.split("/") if p]
        if method == "POST":
            return self._post(session, path, body)
        if method not in ("GET", "HEAD"):
            return _Response(405, b"Method Not Allowed", content_type="text/plain")
        layout = self._layout
        if path == "/login":
            return _page(render.login_page(self._take_flash(session)))
        if path == "/logout":
            session.user_id = None
            return _redirect("/login")
        if path == "/":
            return _page(render.dashboard(layout, self._take_flash(session)))
        if not parts:
            return _not_found(layout)
        head = parts[0]
        params = parse_qsl(query, keep_blank_values=True)
        if head == "employee":
            if len(parts) == 1:
                return self._employee_list(session, 1, None, params)
            if len(parts) == 2 and parts[1] == "create":
                return _page(
                    render.employee_form(
                        layout, self.state, None, self._take_flash(session), self._today()
                    )
                )
            if len(parts) == 2 and (m := _PAGE_RE.fullmatch(parts[1])):
                return self._employee_list(
                    session, int(m.group(1)), int(m.group(2)) if m.group(2) else None, params
                )
            if len(parts) == 3 and parts[1] in ("edit", "permissions", "compensation"):
                emp = self._employee(parts[2])
                if emp is None:
                    # Mirrors the captured "Unable to locate user." answer of the BO pages
                    # (§13.4, §16.2); the employee wording is a sandbox choice.
                    session.flash = Flash("danger", (MSG_UNKNOWN_EMPLOYEE,))
                    return _redirect("/employee")
                flash = self._take_flash(session)
                if parts[1] == "edit":
                    return _page(
                        render.employee_form(layout, self.state, emp, flash, self._today())
                    )
                if parts[1] == "permissions":
                    return _page(render.employee_permissions(layout, emp, flash))
                return _page(render.compensation(layout, self.state, emp, flash, self._today()))
        if head == "user":
            if len(parts) == 1:
                return self._user_list(session, 1, None, params, "/user")
            if len(parts) == 2 and parts[1] == "create":
                return _page(render.user_create(layout, self.state, self._take_flash(session)))
            if len(parts) == 2 and (m := _PAGE_RE.fullmatch(parts[1])):
                # /user/<n> is a list page, even when <n> is a user id (§12.3).
                return self._user_list(
                    session,
                    int(m.group(1)),
                    int(m.group(2)) if m.group(2) else None,
                    params,
                    "/user",
                )
            if len(parts) == 3 and parts[1] in ("edit", "permissions"):
                user = self._user(parts[2])
                if user is None:
                    session.flash = Flash("danger", (MSG_UNKNOWN_USER,))
                    return _redirect("/user")
                flash = self._take_flash(session)
                if parts[1] == "edit":
                    return _page(render.user_edit(layout, user, flash))
                return _page(render.user_permissions(layout, self.state, user, flash))
        if path == "/pos-permission-template/list":
            return _page(render.template_list(layout, bo=False))
        if path == "/bo-permission-template/list":
            return _page(render.template_list(layout, bo=True))
        if head == "timesheet" and len(parts) == 2:
            return _page(render.simple_page(layout, "Timesheet", "Not simulated by the sandbox."))
        return _not_found(layout)

    def _post(self, session: _Session, path: str, raw: bytes) -> _Response:
        now = self._server_now()
        if path == "/login_check":
            return self._login(session, raw)
        body = parse_body(raw)
        handlers: dict[str, Callable[[], PostResult]] = {
            "/employee/insert": lambda: employee_insert(self.state, body, now),
            "/employee/update": lambda: employee_update(self.state, body, now),
            "/employee/permissions/update": lambda: employee_permissions_update(self.state, body),
            "/employee/compensation/update": lambda: employee_compensation_update(self.state, body),
            "/user/insert": lambda: user_insert(self.state, body),
            "/user/update": lambda: user_update(self.state, body),
            "/user/permissions/update": lambda: user_permissions_update(self.state, body),
        }
        handler = handlers.get(path)
        if handler is None:
            return _not_found(self._layout, status=405 if path in _GET_ONLY else 404)
        result = handler()
        location = result.location
        if result.failed:
            token = "".join(self._rng.choice(_ALNUM) for _ in range(8))
            location += ("&" if "?" in location else "?") + f"actionXfer={token}"
        session.flash = result.flash
        return _redirect(location)

    def _login(self, session: _Session, raw: bytes) -> _Response:
        body = parse_body(raw)
        username, password = body.get("_username"), body.get("_password")
        now = self.options.now()
        throttle = self.options.login_throttle
        key = username.lower()
        if throttle is not None:
            window_start = now - throttle[1]
            recent = [t for t in self._login_failures.get(key, []) if t > window_start]
            self._login_failures[key] = recent
            if len(recent) >= throttle[0]:
                session.flash = Flash("danger", (MSG_THROTTLED,))
                return _redirect("/login")
        user = self.state.user_by_username(username) if username else None
        ok = (
            user is not None
            and user.password == password
            and (not user.is_deleted or self.options.deleted_user_can_login)
        )
        if not ok or user is None:
            self._login_failures.setdefault(key, []).append(now)
            session.user_id = None
            session.flash = Flash("danger", (MSG_INVALID_CREDENTIALS,))
            return _redirect("/login")
        if self.options.single_session_per_user:
            for other in [s for s in self._sessions.values() if s.user_id == user.id]:
                if other is not session:
                    del self._sessions[other.id]
        self._login_failures.pop(key, None)
        session.user_id = user.id
        session.requests = 0
        return _redirect("/")

    # --- list pages
    def _employee_list(
        self, session: _Session, page: int, path_limit: int | None, params: list[tuple[str, str]]
    ) -> _Response:
        single = dict(params)
        first = single.get("first_name", "").strip().lower()
        last = single.get("last_name", "").strip().lower()
        pos_raw = single.get("posUserId", "").strip()
        active = single.get("active", "active")
        if active not in ("active", "inactive", "all"):
            active = "active"
        site_filter: list[int] = []
        for k, v in params:
            if re.fullmatch(r"sites\[\d*\]", k) and (sid := _record_id(v.strip())) is not None:
                site_filter.append(sid)
        limit = _limit(single.get("limit"), path_limit)
        sort_type = single.get("sort_type", "first_name")
        if sort_type not in ("first_name", "last_name"):
            sort_type = "first_name"
        sort_dir = -1 if single.get("sort_dir") == "-1" else 1
        user = self.state.users.get(session.user_id or -1)
        visible = self.state.site_ids_of(user.sites) if user else frozenset()
        wanted = set(site_filter)
        rows: list[StoredEmployee] = []
        for e in self.state.employees.values():
            sites = self.state.site_ids_of(e.sites)
            if not sites & visible:
                continue  # employees without an available (visible) site are not listed
            if (active == "active" and not e.active) or (active == "inactive" and e.active):
                continue
            if first and not e.first_name.lower().startswith(first):
                continue
            if last and not e.last_name.lower().startswith(last):
                continue
            if pos_raw and str(e.pos_user_id) != pos_raw.lstrip("0"):
                continue
            if wanted and not sites & wanted:
                continue
            rows.append(e)
        by_first = sort_type == "first_name"

        def sort_key(e: StoredEmployee) -> tuple[str, str, str, int]:
            primary = e.first_name.lower() if by_first else e.last_name.lower()
            return (primary, e.last_name.lower(), e.first_name.lower(), e.id)

        rows.sort(key=sort_key)
        if sort_dir == -1:
            rows.reverse()
        last_page = max(1, math.ceil(len(rows) / limit))
        chunk = rows[(page - 1) * limit : page * limit] if page >= 1 else []
        query: list[tuple[str, str]] = [("sort_type", sort_type), ("sort_dir", str(sort_dir))]
        for name in ("first_name", "last_name", "posUserId"):
            if single.get(name):
                query.append((name, single[name]))
        query.append(("active", active))
        # Without a site filter the server writes every site the user can see into its pager
        # and sort links, in option (short-code) order (§10.2, employee_search_by_name.html).
        link_sites = site_filter or [
            s.id
            for s in sorted(self.state.tenant.tree.sites, key=lambda s: (s.code or s.name).lower())
            if s.id in visible
        ]
        query += [(f"sites[{i}]", str(s)) for i, s in enumerate(link_sites)]
        if limit != 25:
            query.append(("limit", str(limit)))
        filters = {k: single.get(k, "") for k in ("first_name", "last_name", "posUserId")}
        filters["active"] = active
        html = render.employee_list(
            self._layout,
            self.state,
            chunk,
            flash=self._take_flash(session),
            filters=filters,
            sites_filter=site_filter,
            page=page,
            last_page=last_page,
            query=query,
            sort_type=sort_type,
            sort_dir=sort_dir,
        )
        return _page(html)

    def _user_list(
        self,
        session: _Session,
        page: int,
        path_limit: int | None,
        params: list[tuple[str, str]],
        base: str,
    ) -> _Response:
        single = dict(params)
        needles = {
            k: single.get(k, "").strip().lower()
            for k in ("firstNameSearch", "lastNameSearch", "userNameSearch", "emailSearch")
        }
        status = single.get("statusSearch", "all")
        if status not in ("all", "active", "inactive"):
            status = "all"
        limit = _limit(single.get("limit"), path_limit)
        rows: list[StoredUser] = []
        for u in self.state.users.values():
            if (status == "active" and u.is_deleted) or (status == "inactive" and not u.is_deleted):
                continue
            fields = {
                "firstNameSearch": u.first_name,
                "lastNameSearch": u.last_name,
                "userNameSearch": u.username,
                "emailSearch": u.email,
            }
            if any(n and n not in fields[k].lower() for k, n in needles.items()):
                continue
            rows.append(u)
        if single.get("sort_type") == "active":
            rows.sort(key=lambda u: (u.is_deleted, u.username.lower()))
        else:
            rows.sort(key=lambda u: u.username.lower())
        if single.get("sort_dir") == "-1":
            rows.reverse()
        last_page = max(1, math.ceil(len(rows) / limit))
        chunk = rows[(page - 1) * limit : page * limit] if page >= 1 else []
        query: list[tuple[str, str]] = [
            ("sort_type", single.get("sort_type", "username")),
            ("sort_dir", single.get("sort_dir", "1")),
        ]
        query += [(k, single[k]) for k in needles if single.get(k)]
        query.append(("statusSearch", status))
        if limit != 25:
            query.append(("limit", str(limit)))
        html = render.user_list(
            self._layout,
            self.state,
            chunk,
            flash=self._take_flash(session),
            filters={**{k: single.get(k, "") for k in needles}, "statusSearch": status},
            page=page,
            last_page=last_page,
            query=query,
            base=base,
        )
        return _page(html)

    # --- helpers
    def _take_flash(self, session: _Session) -> Flash | None:
        flash = session.flash
        if self.options.one_shot_flash:
            session.flash = None
        return flash

    def _server_now(self) -> datetime:
        # A pinned ``today`` pins record timestamps too ("active since"), so two sandboxes with
        # the same options and requests render identical pages.
        if self.options.today is not None:
            return datetime.combine(self.options.today, time(12, 0))
        return datetime.now().replace(microsecond=0)

    def _today(self) -> Any:
        return self.options.today_date()

    def _employee(self, raw: str) -> StoredEmployee | None:
        return self.state.employees.get(_record_id(raw) or -1)

    def _user(self, raw: str) -> StoredUser | None:
        return self.state.users.get(_record_id(raw) or -1)


_GET_ONLY = frozenset({"/employee", "/user", "/employee/create", "/user/create", "/"})


def _record_id(raw: str) -> int | None:
    # ASCII digits only: str.isdigit() also accepts e.g. "¹", which int() rejects.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _limit(raw: str | None, path_limit: int | None) -> int:
    value = path_limit
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 9:
        value = int(text)
    return value if value and value > 0 else 25


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return str(v)
    return None


def _redirect(target: str) -> _Response:
    return _Response(302, render.redirect_body(target), location=target)


def _page(html: str) -> _Response:
    return _Response(200, html.encode("utf-8"))


def _not_found(layout: render.Layout, status: int = 404) -> _Response:
    return _Response(status, render.not_found(layout).encode("utf-8"))


def _error_body(status: int) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{status} Service Unavailable</title></head>"
        f"<body><h1>{status}</h1><p>The server is temporarily unable to service your request."
        "</p></body></html>"
    ).encode()


def _std_headers(content_type: str) -> list[tuple[bytes, bytes]]:
    now = formatdate(usegmt=True).encode()
    return [
        (b"date", now),
        (b"content-type", content_type.encode()),
        (b"server", b"Sonnys Controls"),
        (b"cache-control", b"max-age=0, must-revalidate, no-cache, no-store, private"),
        (b"pragma", b"no-cache"),
        (b"expires", now),
        (b"strict-transport-security", b"max-age=15768000"),
        (b"x-content-type-options", b"nosniff"),
        (b"vary", b"User-Agent"),
    ]


async def _send(
    send: Send,
    status: int,
    body: bytes,
    extra: list[tuple[bytes, bytes]],
    content_type: str = "text/html; charset=UTF-8",
) -> None:
    # No Content-Length: served over uvicorn the body goes out chunked, as on the real server.
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _std_headers(content_type) + extra,
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _abort(send: Send, drop: DropFault) -> None:
    # Start a response, then fail: uvicorn closes the connection mid-response (a drop for the
    # client); the in-process transport turns the exception into an httpx error.
    await send({"type": "http.response.start", "status": 302, "headers": []})
    raise ConnectionDropped(drop.kind)


class SandboxTransport(httpx.AsyncBaseTransport):
    """In-process transport: ASGI calls into the sandbox; injected drops become httpx errors."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._inner = httpx.ASGITransport(app=sandbox.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the app; map a simulated drop to ``RemoteProtocolError``/``ReadTimeout``."""
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped as exc:
            if exc.kind == "timeout":
                raise httpx.ReadTimeout(
                    "sandbox: simulated read timeout", request=request
                ) from None
            raise httpx.RemoteProtocolError(
                "sandbox: server disconnected without sending a complete response",
                request=request,
            ) from None

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()


def create_app(
    options: SandboxOptions | None = None,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """A fresh sandbox's ASGI app (for ``uvicorn`` factories).

    Args:
        options: configuration (``None`` = defaults).

    Returns:
        The ASGI callable.
    """
    return Sandbox(options).app
