"""The sandbox served by uvicorn in another process, as the benchmarks drive it.

``python -m benchmarks._served --options-json '{"latency_ms": 50, "sidebar_kb": 130}'`` binds
127.0.0.1 on a free port, prints ``listening on http://127.0.0.1:<port>`` (flushed) and serves
until SIGTERM. :class:`ServedSandbox` starts it, reads that line, and reports the server
process's CPU time (``/proc/<pid>/stat``, Linux), so a benchmark can split CPU per operation
between client and server.

The benchmarks use their own launcher (not ``sonnys-backoffice sandbox``): it takes every
:class:`~sonnys_async.sandbox.SandboxOptions` field and chooses a free port.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, Self

__all__ = ["REALISTIC_SIDEBAR_KB", "ServedSandbox", "main"]

#: The real sidebar every authenticated page carries before ``#main-column`` (protocol §0).
REALISTIC_SIDEBAR_KB = 130

_ROOT = Path(__file__).resolve().parents[1]


def _options(raw: dict[str, Any]) -> Any:
    from sonnys_async.sandbox import SandboxOptions

    known = {f.name for f in dataclasses.fields(SandboxOptions)} - {"clock", "today"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"unknown sandbox options: {', '.join(unknown)}")
    return SandboxOptions(**raw)


def main(argv: list[str] | None = None) -> None:
    """Serve one sandbox on 127.0.0.1 until SIGTERM."""
    import uvicorn

    from sonnys_async.sandbox import Sandbox

    parser = argparse.ArgumentParser(prog="python -m benchmarks._served")
    parser.add_argument("--options-json", default="{}")
    args = parser.parse_args(argv)
    sandbox = Sandbox(_options(json.loads(args.options_json)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit it: without it a request written in two parts waits for a
    # delayed ACK (40 ms on Linux), which would measure the kernel, not the client.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    config = uvicorn.Config(
        sandbox.app,
        log_level="error",
        server_header=False,
        date_header=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return (int(fields[11]) + int(fields[12])) / ticks


class ServedSandbox:
    """A sandbox in a uvicorn subprocess on 127.0.0.1; use as a context manager.

    Args:
        **options: :class:`~sonnys_async.sandbox.SandboxOptions` fields (JSON values).
    """

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.username = str(options.get("username", "automation-bot"))
        self.password = str(options.get("password", "Sandbox-Bot-Pass-1!"))
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks._served",
                "--options-json",
                json.dumps(self.options),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=_ROOT,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.close()
            raise RuntimeError(f"the served sandbox did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ")
        return self

    @property
    def pid(self) -> int:
        """The server process's id."""
        assert self._proc is not None
        return self._proc.pid

    def cpu_seconds(self) -> float:
        """CPU seconds the server process has used so far."""
        return _cpu_seconds(self.pid)

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


if __name__ == "__main__":
    main()
