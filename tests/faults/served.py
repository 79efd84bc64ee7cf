"""A sandbox served by uvicorn in another process (``python -m sonnys_async.sandbox``)."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

__all__ = ["ServedSandbox"]

_START_DEADLINE_S = 30.0


class ServedSandbox:
    """Start with ``with ServedSandbox(options, logdir) as sb:``; ``sb.base_url`` is its URL.

    The admin view must be on (``admin: true`` is added to the options).
    """

    def __init__(self, options: dict[str, Any], logdir: Path) -> None:
        self.options = {**options, "admin": True}
        self._stderr_path = logdir / "sandbox.stderr.log"
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self._http: httpx.Client | None = None

    def __enter__(self) -> ServedSandbox:
        stderr = self._stderr_path.open("w", encoding="utf-8")
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sonnys_async.sandbox",
                "--options-json",
                json.dumps(self.options),
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        stderr.close()
        assert self._proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout=_START_DEADLINE_S):
                self.__exit__(None, None, None)
                raise RuntimeError("the sandbox did not start in time")
        line = self._proc.stdout.readline()
        if not line.startswith("sandbox listening on "):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the sandbox did not start: {line!r}, see {self._stderr_path}")
        self.base_url = line.split()[-1]
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            self._http.close()
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            if self._proc.stdout is not None:
                self._proc.stdout.close()

    # --- the admin view
    def _get(self, path: str) -> Any:
        assert self._http is not None
        r = self._http.get(path)
        r.raise_for_status()
        return r.json()

    def state(self) -> dict[str, Any]:
        """Employees, users, counters and sessions as the server holds them."""
        result: dict[str, Any] = self._get("/_sandbox/state")
        return result

    def counters(self) -> dict[str, Any]:
        """Counters and sessions only."""
        result: dict[str, Any] = self._get("/_sandbox/counters")
        return result

    def check_passwords(self, asked: dict[str, str]) -> dict[str, bool | None]:
        """For each username: whether ``password`` is that user's (``None``: no such user)."""
        assert self._http is not None
        r = self._http.post("/_sandbox/check-passwords", content=json.dumps(asked))
        r.raise_for_status()
        result: dict[str, bool | None] = r.json()
        return result

    def wait_until(self, ready: Any, deadline_s: float, what: str) -> dict[str, Any]:
        """Poll the counters until ``ready(counters)`` holds, for at most ``deadline_s``."""
        end = time.monotonic() + deadline_s
        pause = threading.Event()
        while True:
            counters = self.counters()
            if ready(counters):
                return counters
            if time.monotonic() > end:
                raise AssertionError(f"sandbox: still waiting for {what} after {deadline_s} s")
            pause.wait(0.02)

    def wait_drained(self, deadline_s: float) -> None:
        """Wait until no delayed POST is still held (every one has reached the server)."""
        self.wait_until(
            lambda c: c["counters"]["delayed_pending"] == 0, deadline_s, "delayed POSTs to land"
        )
