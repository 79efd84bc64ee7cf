"""A faithful simulated Sonny's Backoffice tenant (ASGI), for tests, demos and benchmarks.

Typical use::

    sb = Sandbox(SandboxOptions(employees=50, seed=1))
    async with httpx.AsyncClient(transport=sb.transport(), base_url=sb.base_url) as http:
        ...
    sb.state.employees[some_id].sites      # what the server stored

Options, fault injection and every behaviour chosen for a protocol unknown are documented in
``docs/sandbox.md``.
"""

from __future__ import annotations

import contextlib
import os

import uvicorn

from sonnys_async.sandbox.app import Sandbox, SandboxTransport, create_app
from sonnys_async.sandbox.faults import FaultControls, LoggedRequest
from sonnys_async.sandbox.options import FakeClock, SandboxOptions
from sonnys_async.sandbox.persisted import StateFileInUseError, persisted
from sonnys_async.sandbox.responses import ConnectionDropped
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, StoredWage, TenantState

__all__ = [
    "SERVED_SIDEBAR_KB",
    "ConnectionDropped",
    "FakeClock",
    "FaultControls",
    "LoggedRequest",
    "Sandbox",
    "SandboxOptions",
    "SandboxTransport",
    "StateFileInUseError",
    "StoredEmployee",
    "StoredUser",
    "StoredWage",
    "TenantState",
    "create_app",
    "persisted",
    "serve",
]


#: The sidebar a served sandbox pads every authenticated page with by default: the real one is
#: ~130 KB and comes before ``#main-column`` on every page (protocol §0).
SERVED_SIDEBAR_KB = 130


def serve(
    options: SandboxOptions | None = None,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    state: str | os.PathLike[str] | None = None,
) -> None:
    """Serve a sandbox over HTTP with uvicorn; prints the base URL and bot credentials; blocks.

    Args:
        options: configuration (``None`` = defaults, with every page padded with the realistic
            sidebar, :data:`SERVED_SIDEBAR_KB`).
        host: interface to bind (loopback by default).
        port: TCP port.
        state: a state file (:func:`persisted`): serve the tenant it keeps (a new one if it does
            not exist) and save it back when the server stops.
    """
    options = options or SandboxOptions(sidebar_kb=SERVED_SIDEBAR_KB)
    with contextlib.ExitStack() as stack:
        sb = stack.enter_context(persisted(state, options)) if state else Sandbox(options)
        _serve(sb, host, port, state)


def _serve(sb: Sandbox, host: str, port: int, state: str | os.PathLike[str] | None) -> None:
    url = f"http://{host}:{port}"
    # A simulated tenant's fixed bot login: printing it is the point (point a client at it).
    print(f"Sonny's Backoffice sandbox ({sb.options.tenant} tenant) at {url}")
    print(f"  username: {sb.username}")
    print(f"  password: {sb.password}")
    print("Point the CLI (or any script) at it with:")
    print(f"  export SONNYS_BASE_URL={url}")
    print(f"  export SONNYS_BOT_USERNAME={sb.username}")
    print(f"  export SONNYS_BOT_PASSWORD='{sb.password}'")
    print(f"Or open {url}/ in a browser and log in as above to watch what your scripts do.")
    if state:
        print(f"The tenant is kept in {os.fspath(state)} (saved when you stop it with Ctrl-C).")
    config = uvicorn.Config(
        sb.app,
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        date_header=False,
        lifespan="off",
    )
    uvicorn.Server(config).run()
