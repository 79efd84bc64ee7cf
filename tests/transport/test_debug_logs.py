"""No secret in any DEBUG record of any logger (issue 14, defect 14).

The client's own transport (:mod:`sonnys_async._transport.wire`) logs nothing itself; httpx's
(``transport=httpx.AsyncHTTPTransport()``, or the fallback under a proxy or a mock) goes through
httpcore, which logs each step of an exchange at DEBUG, response headers included
(``set-cookie: PHPSESSID=...`` from ``httpcore.http11``), and httpx logs request lines at INFO.
Both are run over a real socket: the sandbox is served by uvicorn on 127.0.0.1 inside the
test's event loop (no thread, no sleep: readiness is awaited on loop turns).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import anyio
import httpx
import pytest
import uvicorn

from sonnys_async import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async._transport.pool import _Shared
from sonnys_async._transport.wire import WireTransport
from sonnys_async.redaction import HTTP_LOGGERS, RedactingFilter, protect_http_loggers
from sonnys_async.sandbox import Sandbox, SandboxOptions

PIN = 48291
BO_PASSWORD = "Xq7!vL2#pR9@wN4z"


class Capture(logging.Handler):
    """Keeps every record, rendered as a handler would render it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(f"{record.name} {record.getMessage()}")


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[tuple[Sandbox, str]]:
    """The sandbox on a 127.0.0.1 socket, served from this task's own task group."""
    sb = Sandbox(SandboxOptions(employees=10, bo_users=2))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(sb.app, log_level="error", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        while not server.started:
            await anyio.lowlevel.checkpoint()
        yield sb, f"http://127.0.0.1:{port}"
        server.should_exit = True
    sock.close()


@pytest.fixture
def capture() -> AsyncIterator[Capture]:  # type: ignore[misc]
    root = logging.getLogger()
    handler = Capture()
    old_level = root.level
    levels = {name: logging.getLogger(name).level for name in ("sonnys_async", *HTTP_LOGGERS)}
    root.setLevel(logging.DEBUG)
    for name in levels:
        logging.getLogger(name).setLevel(logging.NOTSET)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("through", ["wire", "httpcore"])
@pytest.mark.usefixtures("no_proxy")  # a proxy would take httpx's path instead
async def test_a_full_exchange_over_a_socket_logs_no_secret_on_any_logger(
    capture: Capture, through: str
) -> None:
    transport = httpx.AsyncHTTPTransport() if through == "httpcore" else None
    async with (
        served() as (sb, base),
        AsyncBackofficeClient(
            base,
            username=sb.username,
            password=sb.password,
            retry=RetryPolicy.no_wait(),
            transport=transport,
        ) as client,
    ):
        created = await client.create_employee(
            first_name="Logged",
            last_name="Secretly",
            phone="6155550199",
            email="logged.secretly@example.invalid",
            pos_user_id=93131,
            wage_rate=Decimal("15.50"),
            start_date=date(2026, 5, 1),
            available_sites=["fiesta"],
            permission="General User",
            pos_pin=PIN,
            requires_backoffice=True,
            backoffice_username="logged_secretly",
            backoffice_password=BO_PASSWORD,
            backoffice_permission="Manager",
        )
        # The edit page echoes the PIN in clear (§21.11).
        profile = await client.get_employee_profile(pos_user_id=93131)
        directs = {type(s.direct) for s in client.transport._pool.sessions}
    assert directs == ({WireTransport} if through == "wire" else {_Shared})
    assert created.pos_pin == profile.pos_pin == PIN
    session_ids = {r.session_id for r in sb.request_log if r.session_id}
    assert session_ids
    names = {r.name for r in capture.records}
    assert "sonnys_async" in names
    if through == "httpcore":
        assert "httpcore.http11" in names  # the exchange really went through httpcore...
        assert any("set-cookie" in line.lower() for line in capture.lines)  # ...headers and all
    secrets = {sb.password, BO_PASSWORD, str(PIN), *session_ids}
    leaks = [(s, line) for line in capture.lines for s in secrets if s in line]
    assert leaks == []


def test_the_filter_reaches_httpcore_children_created_later() -> None:
    redacting = RedactingFilter()
    protect_http_loggers(redacting)
    late = logging.getLogger("httpcore.some_future_module")
    assert redacting not in late.filters  # not yet: created after the call...
    protect_http_loggers(redacting)  # ...and picked up by the next Transport
    assert redacting in late.filters
    for name in HTTP_LOGGERS:
        assert logging.getLogger(name).filters.count(redacting) == 1
        logging.getLogger(name).removeFilter(redacting)
    late.removeFilter(redacting)
