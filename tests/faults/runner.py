"""Run the real CLI as a subprocess: one invocation, the resume loop, SIGKILL points, a hammer.

Nothing here sleeps to wait for something: a killed run is detected by polling its journal
between bounded waits on the process itself, and the bad-password client paces itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

__all__ = [
    "RESUMABLE",
    "BudgetExceeded",
    "CommandRuns",
    "Invocation",
    "PasswordHammer",
    "cli_env",
    "run_cli",
    "run_until_done",
]

CLI_DEBUG = Path(__file__).with_name("cli_debug.py")
#: Exit codes after which the same command is run again: rows failed or unknown (1), login
#: refused or Backoffice unreachable (3), stopped mid-run (4), interrupted (130).
RESUMABLE = frozenset({1, 3, 4, 130})
_POLL_S = 0.005


class BudgetExceeded(AssertionError):
    """The scenario's time budget ran out while a run was still going (it was killed)."""


@dataclass(slots=True)
class Invocation:
    """One run of the CLI."""

    command: str
    index: int
    exit_code: int
    wall_s: float
    killed: bool
    stdout: Path
    stderr: Path
    log: Path
    #: Bot logins (right password) the sandbox saw during this invocation, by outcome:
    #: ``attempted``, ``succeeded``, ``refused_invalid``, ``refused_throttled``, ``faulted``.
    logins: dict[str, int] = field(default_factory=dict)


def cli_env(base_url: str, username: str, password: str) -> dict[str, str]:
    """The environment of a CLI run: the tenant and bot from ``SONNYS_*``, nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SONNYS_")}
    env.update(
        SONNYS_BASE_URL=base_url,
        SONNYS_BOT_USERNAME=username,
        SONNYS_BOT_PASSWORD=password,
        COLUMNS="160",
        PYTHONIOENCODING="utf-8",
    )
    return env


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def run_cli(
    args: list[str],
    *,
    env: dict[str, str],
    workdir: Path,
    tag: str,
    deadline: float,
    kill_after_lines: int | None = None,
    journal: Path | None = None,
) -> tuple[int, bool, Path, Path, Path]:
    """Run ``sonnys-backoffice -vv ARGS`` once; SIGKILL it once ``journal`` grew by that many
    lines. Returns (exit code, killed, stdout, stderr, debug log).

    Raises:
        BudgetExceeded: still running at ``deadline`` (``time.monotonic()``); it was killed.
    """
    out, err, log = (workdir / f"{tag}.{kind}" for kind in ("stdout", "stderr", "debug.log"))
    start_lines = _lines(journal) if journal is not None else 0
    cmd = [sys.executable, str(CLI_DEBUG), str(log), "-vv", *args]
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL
        )
        killed = False
        try:
            while True:
                try:
                    code = proc.wait(timeout=_POLL_S if kill_after_lines is not None else 1.0)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise BudgetExceeded(f"{tag} was still running when the time budget ran out")
                if (
                    kill_after_lines is not None
                    and journal is not None
                    and _lines(journal) - start_lines >= kill_after_lines
                ):
                    proc.kill()  # SIGKILL: no cleanup, no flush, no last word
                    code = proc.wait()
                    killed = True
                    break
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return code, killed, out, err, log


@dataclass(slots=True)
class CommandRuns:
    """Every invocation of one command until it is done (or the bound is reached)."""

    command: str
    invocations: list[Invocation] = field(default_factory=list)
    #: Why the loop stopped early: the time budget ran out during a run (it was killed).
    over_budget: str = ""

    @property
    def exit_codes(self) -> list[int]:
        """Exit codes in order; a SIGKILLed run shows as ``-9``."""
        return [i.exit_code for i in self.invocations]

    @property
    def finished(self) -> bool:
        """Whether the last invocation exited 0."""
        return bool(self.invocations) and self.invocations[-1].exit_code == 0


def run_until_done(
    command: str,
    args: list[str],
    *,
    env: dict[str, str],
    workdir: Path,
    journal: Path,
    max_runs: int,
    deadline: float,
    kill_points: list[int],
    bot_logins: Callable[[], dict[str, int]],
    before_run: Callable[[int], None] | None = None,
    after_run: Callable[[Invocation], None] | None = None,
    spare_first: bool = False,
) -> CommandRuns:
    """Run the command, then run it again (resume) while it exits with a resumable code, at
    most ``max_runs`` times not counting the runs SIGKILLed at ``kill_points`` (journal lines
    written by that run; ``spare_first``: never the first run)."""
    runs = CommandRuns(command)
    kills = list(kill_points)
    completed = 0
    while completed < max_runs:
        index = len(runs.invocations)
        if before_run is not None:
            before_run(index)
        kill_at = kills.pop(0) if kills and not (spare_first and index == 0) else None
        logins_before = bot_logins()
        started = time.monotonic()
        tag = f"{command}.{index}"
        try:
            code, killed, out, err, log = run_cli(
                args,
                env=env,
                workdir=workdir,
                tag=tag,
                deadline=deadline,
                kill_after_lines=kill_at,
                journal=journal,
            )
        except BudgetExceeded as exc:
            runs.over_budget = str(exc)
            out, err, log = (
                workdir / f"{tag}.{kind}" for kind in ("stdout", "stderr", "debug.log")
            )
            runs.invocations.append(
                Invocation(command, index, -9, time.monotonic() - started, True, out, err, log)
            )
            break
        inv = Invocation(command, index, code, time.monotonic() - started, killed, out, err, log)
        after = bot_logins()
        inv.logins = {k: after.get(k, 0) - logins_before.get(k, 0) for k in after}
        runs.invocations.append(inv)
        if after_run is not None:
            after_run(inv)
        if killed:
            continue
        completed += 1
        if code not in RESUMABLE:
            break
    return runs


class PasswordHammer:
    """A client that keeps posting a wrong password for a username (until stopped)."""

    def __init__(self, base_url: str, username: str) -> None:
        self._base_url = base_url
        self._username = username
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.attempts = 0

    def start(self) -> None:
        """Start hammering in a background thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="bad-password", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        body = urlencode({"_username": self._username, "_password": "not-the-password-1"})
        headers = {"content-type": "application/x-www-form-urlencoded"}
        with httpx.Client(base_url=self._base_url, timeout=5.0) as c:
            while not self._stop.is_set():
                try:
                    c.get("/login")
                    c.post("/login_check", content=body, headers=headers)
                except httpx.HTTPError:
                    pass  # the sandbox's own faults hit this client too
                self.attempts += 1
                self._stop.wait(0.05)  # pacing: ~20 attempts a second
