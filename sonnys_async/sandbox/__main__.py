"""Serve a sandbox with any options, for tests that drive it from another process.

``python -m sonnys_async.sandbox --options-json '{"session_max_requests": 3, "admin": true}'``
binds ``--host`` (127.0.0.1) and ``--port`` (0 = a free port chosen by the system), prints one
line ``sandbox listening on http://127.0.0.1:<port>`` (flushed, so a parent process can read
it), and serves until SIGINT/SIGTERM. Every :class:`SandboxOptions` field can be given except
``clock``; ``login_throttle`` is a two-item list and ``today`` an ISO date. Unlike
:func:`sonnys_async.sandbox.serve` (behind ``sonnys-backoffice sandbox``), it prints no
credentials: the caller chose them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import sys
from datetime import date
from typing import Any

import uvicorn

from sonnys_async.sandbox import Sandbox, SandboxOptions

__all__ = ["main", "options_from_json"]

_NOT_JSON = frozenset({"clock"})


def options_from_json(text: str) -> SandboxOptions:
    """:class:`SandboxOptions` from a JSON object of field values.

    Raises:
        ValueError: not a JSON object, an unknown field, or a field that cannot be given.
    """
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("--options-json must be a JSON object")
    known = {f.name for f in dataclasses.fields(SandboxOptions)} - _NOT_JSON
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"unknown sandbox options: {', '.join(unknown)}")
    values: dict[str, Any] = dict(raw)
    if values.get("login_throttle") is not None:
        attempts, window = values["login_throttle"]
        values["login_throttle"] = (int(attempts), float(window))
    if values.get("today") is not None:
        values["today"] = date.fromisoformat(values["today"])
    return SandboxOptions(**values)


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, bind, print the base URL and serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m sonnys_async.sandbox", description=__doc__)
    parser.add_argument("--options-json", default="{}", help="SandboxOptions fields as JSON")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = a free one)")
    args = parser.parse_args(argv)
    try:
        options = options_from_json(args.options_json)
    except (ValueError, TypeError) as exc:
        parser.error(str(exc))
    sandbox = Sandbox(options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, a client's request written in two parts
    # waits for a delayed ACK (about 2.5 times slower runs than uvicorn's own binding).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)  # connections made from now on wait in the backlog until uvicorn accepts
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        sandbox.app,
        log_level="error",
        server_header=False,
        date_header=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    print(f"sandbox listening on http://{args.host}:{port}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
