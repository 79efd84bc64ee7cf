"""Helpers of the bulk tests that run the client's streams against an in-process sandbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from sonnys_async import AsyncBackofficeClient, RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions


def sandbox() -> Sandbox:
    return Sandbox(SandboxOptions(employees=30, bo_users=4, seed=3))


def client_of(sb: Sandbox, *, password: str | None = None, **kwargs: Any) -> AsyncBackofficeClient:
    kwargs.setdefault("transport", sb.transport())
    return AsyncBackofficeClient(
        sb.base_url,
        username=sb.username,
        password=sb.password if password is None else password,
        retry=RetryPolicy.no_wait(),
        **kwargs,
    )


def logins(sb: Sandbox) -> int:
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path == "/login_check")


def hire(n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "first_name": "Bulk",
        "last_name": f"Hire{n}",
        "phone": f"615{7100000 + n:07d}",
        "email": f"bulk{n}@example.invalid",
        "pos_user_id": 93000 + n,
        "wage_rate": Decimal("15.50"),
        "start_date": date(2026, 5, 1),
        "available_sites": ["Wash 37135"],
        "permission": "General User",
        "pos_pin": 40000 + n,
    }
    row.update(over)
    return row


class LateInsert(httpx.AsyncBaseTransport):
    """A POST /employee/insert delayed in the network: its sender times out, the reads that
    follow fail (503), and the POST reaches the server only once :meth:`land` was called,
    just before the next request. Then everything passes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.held: httpx.Request | None = None
        self.phase = "armed"  # armed -> holding -> landing -> done

    def land(self) -> None:
        if self.phase == "holding":
            self.phase = "landing"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        insert = request.method == "POST" and request.url.path == "/employee/insert"
        if self.phase == "armed" and insert:
            await request.aread()
            self.held, self.phase = request, "holding"
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        if self.phase == "holding" and request.url.path != "/login_check":
            return httpx.Response(503, request=request, text="Service Unavailable")
        if self.phase == "landing" and self.held is not None:
            self.phase = "done"
            await self.inner.handle_async_request(self.held)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
