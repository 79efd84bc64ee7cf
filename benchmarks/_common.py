"""Shared helpers of the benchmarks: a byte-counting transport, client factory, hires, tables.

Nothing here asserts anything: benchmarks print numbers (ratios measured in one run), tests
never check timings.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from sonnys_async import AsyncBackofficeClient, RetryPolicy
from sonnys_async.sandbox import Sandbox

__all__ = [
    "ByteCounter",
    "HireFactory",
    "fmt_ratio",
    "make_client",
    "print_table",
]


class ByteCounter(httpx.AsyncBaseTransport):
    """Wraps a transport and counts request and response body bytes (headers excluded).

    The response body is read here, once, and handed on as an in-memory response, so the
    client above sees exactly what it would have seen.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent = 0
        self.received = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += len(await request.aread())
        resp = await self.inner.handle_async_request(request)
        body = await resp.aread()
        self.received += len(body)
        return httpx.Response(
            resp.status_code,
            headers=resp.headers,
            content=body,
            request=request,
            extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()

    def reset(self) -> None:
        """Zero both counters."""
        self.sent = self.received = 0


def make_client(
    sb: Sandbox, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any
) -> AsyncBackofficeClient:
    """A client on the sandbox's in-process transport, retry waits removed."""
    kwargs.setdefault("retry", RetryPolicy.no_wait())
    return AsyncBackofficeClient(
        sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=transport or sb.transport(),
        **kwargs,
    )


@dataclass
class HireFactory:
    """Valid, unique ``create_employee`` arguments (POS id, e-mail and phone never repeat)."""

    base_pos_user_id: int = 70_000
    sites: Sequence[str] = ("Wash 37135", "fiesta")
    permission: str = "General User"

    def __post_init__(self) -> None:
        self._n: Iterator[int] = itertools.count(1)

    def __call__(self, **over: Any) -> dict[str, Any]:
        n = next(self._n)
        args: dict[str, Any] = {
            "first_name": "Bench",
            "last_name": f"Hire{self.base_pos_user_id + n}",
            "phone": f"629{(self.base_pos_user_id + n) % 10_000_000:07d}",
            "email": f"bench{self.base_pos_user_id + n}@example.invalid",
            "pos_user_id": self.base_pos_user_id + n,
            "wage_rate": Decimal("15.50"),
            "start_date": date(2026, 5, 1),
            "available_sites": list(self.sites),
            "permission": self.permission,
            "pos_pin": 10_000 + n % 89_999,
        }
        args.update(over)
        return args


def fmt_ratio(ours: float, reference: float) -> str:
    """``ours / reference`` as ``0.57x``; ``-`` when the reference is zero."""
    if reference == 0:
        return "=" if ours == 0 else "-"
    return f"{ours / reference:.2f}x"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a left-aligned first column and right-aligned others, as a Markdown table."""
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        return "| " + " | ".join(parts) + " |"

    print(line(cells[0]))
    print("|" + "|".join(("-" * (w + 1)) + (":" if i else "-") for i, w in enumerate(widths)) + "|")
    for row in cells[1:]:
        print(line(row))
