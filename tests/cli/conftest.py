"""CLI tests: every command runs through click's CliRunner against an in-process sandbox."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox, SandboxOptions

Invoke = Callable[..., Result]


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(SandboxOptions(employees=40, bo_users=5, seed=3))


@pytest.fixture
def invoke(sb: Sandbox) -> Invoke:
    """Run ``sonnys-backoffice --sandbox ARGS`` against the test's sandbox."""

    def run(*args: str, input: str | None = None, sandbox: bool = True, **options: Any) -> Result:
        """``options``: client arguments replacing the sandbox's (``transport``, ``password``)."""
        state = AppState(
            use_sandbox=False,
            sandbox_instance=sb,
            client_options={"retry": RetryPolicy.no_wait(), **options},
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


#: The columns of the hires files the tests write (a subset of the onboarding columns).
HEADER = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "pos_user_id",
    "wage_rate",
    "start_date",
    "available_sites",
    "permission",
    "departments",
    "backoffice_username",
]


def hire(n: int, **over: object) -> list[object]:
    """Hire row ``n`` (POS User ID 95000 + n) under :data:`HEADER`, with ``over`` changed."""
    row = {
        "first_name": f"Test{n}",
        "last_name": "Hire",
        "phone": f"(214) 555-02{n:02d}",
        "email": f"test{n}.hire@example.invalid",
        "pos_user_id": 95000 + n,
        "wage_rate": "15.25",
        "start_date": "12/01/2026",
        "available_sites": "NAPER;WHEAT",
        "permission": "Cashier",
        "departments": "Cashier;Greeter",
        "backoffice_username": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def posts(sb: Sandbox) -> list[object]:
    """The sandbox's POSTs other than logins (what a run wrote)."""
    return [r for r in sb.request_log if r.method == "POST" and r.path != "/login_check"]


def logins(sb: Sandbox) -> int:
    """How many times the sandbox was logged in to."""
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path == "/login_check")


class BeforePost(httpx.AsyncBaseTransport):
    """The sandbox transport, running ``callback`` just before a POST to ``path`` reaches the
    server (once, after ``skip`` such POSTs went through)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        path: str,
        callback: Callable[[], None],
        skip: int = 0,
    ) -> None:
        self.inner, self.path, self.callback, self.skip = inner, path, callback, skip

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == self.path:
            if self.skip == 0:
                self.callback()
            self.skip -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
