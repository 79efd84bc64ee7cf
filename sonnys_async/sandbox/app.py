"""The sandbox ASGI application: faults and latency, sessions, authentication, dispatch.

One request goes: (the admin view, when enabled) -> read the body -> a delayed POST's hold ->
latency and spikes -> injected faults (fail before, drop before) -> session (cookie) -> session
lock -> authentication -> the route table (:mod:`.routes`) -> handler -> after-apply faults ->
the Symfony-style answer (:mod:`.responses`).
"""

from __future__ import annotations

import functools
import os
import random
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import anyio
import httpx

from sonnys_async.sandbox.admin import ADMIN_PREFIX, admin_answer
from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.counters import Counters, LoginCounts, route_key
from sonnys_async.sandbox.faults import DropFault, FaultControls, LoggedRequest, RandomFaults
from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.reference import Tenant, flat_tenant, hierarchical_tenant
from sonnys_async.sandbox.responses import (
    ConnectionDropped,
    Receive,
    Response,
    Scope,
    Send,
    abort,
    error_body,
    read_cookie,
    redirect,
    send_response,
)
from sonnys_async.sandbox.routes import PUBLIC_PATHS, ROUTER
from sonnys_async.sandbox.rules.body import parse_body
from sonnys_async.sandbox.rules.messages import MSG_THROTTLED
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.sessions import Session, SessionStore
from sonnys_async.sandbox.snapshot import options_of, read_snapshot, restore, write_snapshot
from sonnys_async.sandbox.state import TenantState
from sonnys_async.sandbox.views.pages import Views

__all__ = ["STYLESHEET_PATH", "ConnectionDropped", "Sandbox", "SandboxTransport", "create_app"]

#: Bodies are read up to this size; a larger one is replaced by an oversized marker.
_MAX_READ = 8 * 1024 * 1024
_LOGIN_CHECK = "/login_check"
#: The sandbox's own stylesheet, linked from every page (a path no Backoffice page uses).
STYLESHEET_PATH = "/_sandbox/static/sandbox.css"


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
        #: Requests, logins and injected faults counted so far (also served by the admin view).
        self.counters = Counters()
        # One seeded generator draws session ids and actionXfer tokens, another error_rate and
        # jitter, a third the drop/delay/spike rates: each sequence is fixed by the seed and the
        # request order, and a new fault's draws leave the older sequences as they were.
        rng = random.Random(self.options.seed ^ 0x5EED)
        self._fault_rng = random.Random(self.options.seed ^ 0xFA17)
        self._random_faults = RandomFaults(self.options, random.Random(self.options.seed ^ 0xD20B))
        self._sessions = SessionStore(self.options, rng)
        self._server = Server(
            state=self.state,
            options=self.options,
            sessions=self._sessions,
            views=Views(self.state, self.options.sidebar_kb),
            rng=rng,
        )

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

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the tenant (every stored record, the options that shape it) to ``path``.

        Mode 0600 (it holds the sandbox's PINs and passwords), replaced atomically.
        :meth:`load` reads it back; sessions, counters and faults are not kept.
        """
        write_snapshot(self.state, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], options: SandboxOptions | None = None) -> Sandbox:
        """A sandbox holding the tenant :meth:`save` wrote to ``path``.

        Args:
            path: The state file.
            options: Latency, faults and switches for this run (default: the defaults); the
                tenant's shape, roster size, seed, bot login and ``today`` come from the file.

        Raises:
            ValueError: Not a sandbox state file, or a damaged one.
            OSError: The file cannot be read.
        """
        data = read_snapshot(path)
        sandbox = cls(options_of(data, options))
        restore(sandbox.state, data)
        return sandbox

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
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        body = await _read_body(receive)
        opts = self.options
        if path == STYLESHEET_PATH and method in ("GET", "HEAD"):
            # The sandbox's own look for browsers: no login, faults, latency or counting.
            await send_response(send, 200, _stylesheet(), [], "text/css; charset=UTF-8")
            return
        if opts.admin and path.startswith(ADMIN_PREFIX):
            status, payload = admin_answer(self._server, self.counters, method, path, body)
            await send_response(send, status, payload, [], "application/json")
            return
        held = self._random_faults.post_delay(method)
        if held:
            # A slow network: the server has not received the request yet (no session lock).
            self.counters.faults["post_delay"] += 1
            self.counters.delayed_pending += 1
            try:
                await anyio.sleep(held)
            finally:
                self.counters.delayed_pending -= 1
        cookie_sid = read_cookie(scope, "PHPSESSID")
        login = self._count_arrival(method, path, body, faulted=bool(held))
        if opts.latency_ms or opts.jitter_ms:
            delay = opts.latency_ms + opts.jitter_ms * self._fault_rng.random()
            await anyio.sleep(delay / 1000.0)
        spike = self._random_faults.spike()
        if spike:
            self.counters.faults["spike"] += 1
            await anyio.sleep(spike)
        fail = self.faults.take_fail(method, path)
        # An after-apply fail handles the request in full and replaces only its answer.
        late_status = fail.status if fail is not None and fail.after_apply else None
        fail_status = fail.status if fail is not None and not fail.after_apply else None
        if fail is not None:
            self.counters.faults["fail_next"] += 1
        if fail is None and opts.error_rate > 0 and self._fault_rng.random() < opts.error_rate:
            fail_status = opts.error_status
            self.counters.faults["error_rate"] += 1
        if login is not None and (fail is not None or fail_status is not None):
            login.faulted += 1
        if fail_status is not None:
            self.request_log.append(LoggedRequest(method, path, query, cookie_sid, fail_status))
            await send_response(send, fail_status, error_body(fail_status), [])
            return
        # One injected fault per request: a request failed after applying is not also dropped.
        drop = self._take_drop(method, path) if late_status is None else None
        if drop is not None and login is not None:
            login.faulted += 1
        if drop is not None and not drop.after_apply:
            self.request_log.append(LoggedRequest(method, path, query, cookie_sid, 0))
            await abort(send, drop.kind)
        session, new_cookie = self._sessions.session_for(cookie_sid)
        if opts.serialize_sessions:
            async with session.lock:
                response = await self._handle(session, method, path, query, body)
        else:
            response = await self._handle(session, method, path, query, body)
        if login is not None:
            if response.location == "/":
                login.succeeded += 1
            elif session.flash is not None and MSG_THROTTLED in session.flash.messages:
                login.refused_throttled += 1
            else:
                login.refused_invalid += 1
        if late_status is not None:
            # The state change (and flash) stands; the client sees only the gateway's 5xx page,
            # without Location or Set-Cookie.
            self.request_log.append(LoggedRequest(method, path, query, session.id, late_status))
            await send_response(send, late_status, error_body(late_status), [])
            return
        self.request_log.append(LoggedRequest(method, path, query, session.id, response.status))
        if drop is not None:
            await abort(send, drop.kind)
        headers: list[tuple[bytes, bytes]] = []
        if new_cookie:
            headers.append((b"set-cookie", f"PHPSESSID={session.id}; path=/; HttpOnly".encode()))
        if response.location is not None:
            headers.append((b"location", response.location.encode("latin-1", "replace")))
        await send_response(send, response.status, response.body, headers, response.content_type)

    def _count_arrival(
        self, method: str, path: str, body: bytes, *, faulted: bool
    ) -> LoginCounts | None:
        """Count a request as it reaches the server; a login POST's counts, else ``None``."""
        self.counters.requests[route_key(method, path)] += 1
        if method != "POST" or path != _LOGIN_CHECK:
            return None
        form = parse_body(body)
        username, password = form.get("_username"), form.get("_password")
        user = self.state.user_by_username(username) if username else None
        right = user is not None and user.password == password
        counts = self.counters.login(username, right_password=right)
        counts.attempted += 1
        if faulted:
            counts.faulted += 1
        return counts

    def _take_drop(self, method: str, path: str) -> DropFault | None:
        drop = self.faults.take_drop(method, path) or self._random_faults.drop(method, path)
        if drop is not None:
            self.counters.faults["drop_after" if drop.after_apply else "drop_before"] += 1
        return drop

    async def _handle(
        self, session: Session, method: str, path: str, query: str, body: bytes
    ) -> Response:
        if self.options.processing_ms:
            await anyio.sleep(self.options.processing_ms / 1000.0)
        if path not in PUBLIC_PATHS:
            if session.user_id is None or session.user_id not in self.state.users:
                session.user_id = None
                return redirect("/login")
            session.requests += 1
        handler, args = ROUTER.resolve(method, path)
        try:
            return handler(self._server, Request(method, path, query, body, session, args))
        except Exception:  # pragma: no cover - a bug; never leak a traceback as a 500 page
            if method == "POST":
                session.flash = Flash("danger", ("An unexpected error occurred.",))
                return redirect("/")
            raise


@functools.cache
def _stylesheet() -> bytes:
    """``static/sandbox.css``, read once per process."""
    return (resources.files("sonnys_async.sandbox") / "static" / "sandbox.css").read_bytes()


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> bytes:
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        if len(body) > _MAX_READ:
            return b"\xff" * (_MAX_READ + 1)  # rejected as oversized by parse_body
    return body


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
