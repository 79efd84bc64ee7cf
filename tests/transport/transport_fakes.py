"""A tiny stateful Backoffice stand-in built on respx, for transport edge cases.

It implements only what the transport cares about (protocol §3 and the sandbox contract):
``GET /login`` issues PHPSESSID and shows a flash alert, ``POST /login_check`` answers 302 to
``/`` or back to ``/login``, and every other path answers 302 to ``/login`` for a session that is
not logged in. Tests plug page behaviour in with :meth:`FakeBackoffice.on`.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import anyio
import httpx
import respx

from sonnys_async._transport import Limits, RetryPolicy, Transport

BASE = "http://washu.test"
USERNAME = "automation-bot"
PASSWORD = "Tr0ub4dor&3-secret"

LOGIN_HTML = """<html><body><div id="main-column-logged-out">
<div class="alerts alerts-server">{alert}</div>
<form id="login-form" action="/login_check" method="POST" data-submit-once>
<input type="text" name="_username" id="login-username">
<input type="password" name="_password" id="login-password">
<button type="submit">Login</button></form></div></body></html>"""

ALERT = (
    '<div class="alert alert-danger with-glyph" role="alert">'
    '<span class="glyphicon glyphicon-exclamation-sign" aria-hidden="true"></span>'
    '<span class="sr-only">Error:</span><p>{text}</p></div><!-- /alert-danger -->'
)

PageHandler = Callable[[httpx.Request, str], "httpx.Response | Awaitable[httpx.Response]"]


def redirect(location: str) -> httpx.Response:
    return httpx.Response(302, headers={"Location": location}, text=f"Redirecting to {location}")


@dataclass
class FakeBackoffice:
    """Login, sessions and a catch-all page route on a respx router."""

    password: str = PASSWORD
    single_session: bool = False  # a new login ends every other session of the user
    throttled: bool = False
    yields: int = 0  # checkpoints inside each page handler, to overlap concurrent requests
    router: respx.Router = field(init=False)  # per-test overrides, consulted first
    base: respx.Router = field(init=False)  # login + the session-checking catch-all
    requests: list[httpx.Request] = field(default_factory=list)
    authenticated: set[str] = field(default_factory=set)
    flash: dict[str, str] = field(default_factory=dict)
    pages: dict[str, PageHandler] = field(default_factory=dict)
    page_sessions: list[str] = field(default_factory=list)
    login_bodies: list[bytes] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.router = respx.Router(base_url=BASE, assert_all_called=False, assert_all_mocked=False)
        self.base = respx.Router(base_url=BASE, assert_all_called=False)
        self.base.get("/login").mock(side_effect=self._login_page)
        self.base.post("/login_check").mock(side_effect=self._login_check)
        self.base.route().mock(side_effect=self._page)

    # -- helpers for tests
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        resolved = await self.router.aresolve(request)
        if resolved.route is not None:
            assert isinstance(resolved.response, httpx.Response)
            return resolved.response
        return await self.base.async_handler(request)

    def on(self, path: str, handler: PageHandler) -> None:
        self.pages[path] = handler

    def expire_all(self) -> None:
        self.authenticated.clear()

    def calls(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.url.path == path)

    # -- server behaviour
    def _sid(self, request: httpx.Request) -> str | None:
        for part in request.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "PHPSESSID":
                return value
        return None

    def _login_page(self, request: httpx.Request) -> httpx.Response:
        sid = self._sid(request)
        headers = {}
        if sid is None:
            sid = f"sess{next(self._ids)}"
            headers["Set-Cookie"] = f"PHPSESSID={sid}; path=/; HttpOnly"
        message = self.flash.pop(sid, None)
        alert = ALERT.format(text=message) if message else ""
        return httpx.Response(200, headers=headers, text=LOGIN_HTML.format(alert=alert))

    def _login_check(self, request: httpx.Request) -> httpx.Response:
        self.login_bodies.append(request.content)
        sid = self._sid(request)
        assert sid is not None, "login POST must carry the PHPSESSID from GET /login"
        form = dict(parse_qsl(request.content.decode()))
        if self.throttled:
            self.flash[sid] = "Too many failed login attempts, please try again in 1 minute."
            return redirect("/login")
        if form.get("_username") != USERNAME or form.get("_password") != self.password:
            self.flash[sid] = "Invalid credentials."
            return redirect("/login")
        if self.single_session:
            self.authenticated.clear()
        self.authenticated.add(sid)
        return redirect("/")

    async def _page(self, request: httpx.Request) -> httpx.Response:
        sid = self._sid(request)
        logged_in = sid in self.authenticated
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(self.yields):
                await anyio.lowlevel.checkpoint()
        finally:
            self.in_flight -= 1
        if not logged_in or sid is None:
            return redirect("/login")
        self.page_sessions.append(sid)
        handler = self.pages.get(request.url.path)
        if handler is None:
            return httpx.Response(200, text=f"<html>page {request.url.path}</html>")
        result = handler(request, sid)
        if isinstance(result, httpx.Response):
            return result
        return await result


class SleepRecorder:
    """An awaitable sleep that records waits and advances a fake clock instead of waiting."""

    def __init__(self, advance: bool = True) -> None:
        self.now = 1000.0
        self.advance = advance  # False: a frozen clock, to see the waits concurrent callers get
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.advance:
            self.now += seconds
        await anyio.lowlevel.checkpoint()


def make_transport(
    fake: FakeBackoffice,
    *,
    sleeper: SleepRecorder | None = None,
    retry: RetryPolicy | None = None,
    password: str = PASSWORD,
    **kwargs: object,
) -> Transport:
    extra: dict[str, object] = {}
    if sleeper is not None:
        extra = {"sleep": sleeper, "clock": sleeper.clock}
    return Transport(
        base_url=BASE,
        username=USERNAME,
        password=password,
        transport=fake.transport(),
        retry=retry or RetryPolicy.no_wait(),
        limits=kwargs.pop("limits", None) or Limits(),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


class Jittered(httpx.AsyncBaseTransport):
    """Network-like delays without a clock: each request waits a seeded random number of event
    loop turns before it reaches the server and again before its answer reaches the client.

    Answers thus overtake each other the way they do on a real network (a request served before
    a sibling's login may be answered after it), deterministically per seed and with no sleep.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, *, seed: int, max_turns: int = 12) -> None:
        self._inner = inner
        self._rng = random.Random(seed)
        self._max_turns = max_turns

    async def _turns(self) -> None:
        for _ in range(self._rng.randrange(self._max_turns)):
            await anyio.lowlevel.checkpoint()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._turns()
        response = await self._inner.handle_async_request(request)
        await self._turns()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
