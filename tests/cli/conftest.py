"""CLI tests: every command runs through click's CliRunner against an in-process sandbox."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sonnys_async._transport import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox, SandboxOptions

Invoke = Callable[..., Result]


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(SandboxOptions(employees=40, bo_users=5, seed=3))


@pytest.fixture
def invoke(sb: Sandbox) -> Invoke:
    """Run ``sonnys-backoffice --sandbox ARGS`` against the test's sandbox."""

    def run(*args: str, input: str | None = None, sandbox: bool = True) -> Result:
        state = AppState(
            use_sandbox=False,
            sandbox_instance=sb,
            client_options={"retry": RetryPolicy.no_wait()},
        )
        argv = ["--sandbox", *args] if sandbox else list(args)
        return CliRunner().invoke(cli, argv, obj=state, input=input, catch_exceptions=False)

    return run


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path
