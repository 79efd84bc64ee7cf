"""Test your own Backoffice code against the sandbox, with or without pytest.

* :func:`route_to` sends every client built without ``transport=`` inside a ``with`` block to a
  sandbox (``BackofficeClient(subdomain="washu", ...)``, ``AsyncBackofficeClient.from_env()``,
  ``sonnys_async.compat.SonnysBackofficeClient``): code that builds its own clients is tested
  unchanged, as respx does for httpx.
* :func:`sandbox_env` is the environment that points a script at a sandbox.
* :func:`serve_sandbox` serves a sandbox on 127.0.0.1 from a background thread, for scripts run
  as subprocesses (``SONNYS_BASE_URL``).

The pytest plugin (:mod:`sonnys_async.pytest_plugin`, loaded automatically) wraps these in
fixtures; ``docs/testing.md`` has a worked example.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import uvicorn

from ._client import DEFAULT_TRANSPORT
from .sandbox import Sandbox

__all__ = ["route_to", "sandbox_env", "serve_sandbox"]


@contextlib.contextmanager
def route_to(target: Sandbox | Callable[[], Any]) -> Iterator[None]:
    """Inside the block, clients built without ``transport=`` talk to ``target``.

    Clients given a ``transport=`` are untouched; nothing changes outside the block. The route
    follows the block's context: the code it runs, and the asyncio tasks and ``asyncio.to_thread``
    / ``anyio.to_thread`` calls started from it, but not a thread started by other means (build
    the client in the block's thread, or run the thread's function with
    ``contextvars.copy_context().run``). The client keeps the URL it was given (it still checks
    it), and logs in to the sandbox with the credentials it was given: use the sandbox's
    (:func:`sandbox_env`).

    Args:
        target: A :class:`~sonnys_async.sandbox.Sandbox` (each client gets its own in-process
            transport to it), or a zero-argument callable returning an
            ``httpx.AsyncBaseTransport`` (e.g. ``lambda: httpx.MockTransport(handler)``).

    Yields:
        Nothing; leave the block to stop routing.
    """
    factory = target.transport if isinstance(target, Sandbox) else target
    token = DEFAULT_TRANSPORT.set(factory)
    try:
        yield
    finally:
        DEFAULT_TRANSPORT.reset(token)


def sandbox_env(sandbox: Sandbox, base_url: str | None = None) -> dict[str, str]:
    """The environment variables a script reads, pointing at ``sandbox``.

    Args:
        sandbox: The tenant.
        base_url: Where it is served (:func:`serve_sandbox`); default its in-process URL.

    Returns:
        ``SONNYS_BASE_URL``, ``SONNYS_SUBDOMAIN`` (the URL's first label, for scripts that read
        it: ``SONNYS_BASE_URL`` wins over it), ``SONNYS_BOT_USERNAME``, ``SONNYS_BOT_PASSWORD``.
    """
    url = base_url or sandbox.base_url
    host = urlsplit(sandbox.base_url).hostname or "sandbox"
    return {
        "SONNYS_BASE_URL": url,
        "SONNYS_SUBDOMAIN": host.split(".", 1)[0],
        "SONNYS_BOT_USERNAME": sandbox.username,
        "SONNYS_BOT_PASSWORD": sandbox.password,
    }


@contextlib.contextmanager
def serve_sandbox(sandbox: Sandbox) -> Iterator[str]:
    """Serve ``sandbox`` over HTTP on 127.0.0.1 (a free port) while the block runs.

    The socket listens before the block starts, so a client may connect at once (no waiting
    for the server to come up); ``sandbox.state`` shows what the requests did.

    Args:
        sandbox: The tenant to serve.

    Yields:
        Its base URL, ``http://127.0.0.1:<port>``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue from now on, served once uvicorn runs
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        sandbox.app,
        log_level="error",
        access_log=False,
        lifespan="off",
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sonnys-sandbox", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
