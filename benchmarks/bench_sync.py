"""Sync facade overhead: the same call through ``BackofficeClient`` and ``AsyncBackofficeClient``.

Two calls against an in-process sandbox:

- ``list_departments()`` after warm-up is served from the client's cache (no HTTP), so the
  difference is the pure cost of one trip through the blocking portal (goal: < 0.5 ms);
- ``pos_user_id_exists()`` does one real (in-process) HTTP round trip, to show the overhead next
  to a typical call.

Printed, not asserted: timings vary by machine.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.sync import BackofficeClient

T = TypeVar("T")
GOAL_MS = 0.5


def _per_call_sync(fn: Callable[[], object], n: int) -> float:
    fn()  # warm-up (login, caches)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


async def _per_call_async(fn: Callable[[], Awaitable[T]], n: int) -> float:
    await fn()
    start = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - start) / n


def measure(cached_calls: int = 2000, http_calls: int = 200) -> dict[str, tuple[float, float]]:
    """Seconds per call, ``{name: (async, sync)}``."""
    sb = Sandbox(SandboxOptions(employees=50, bo_users=3, seed=1))
    common: dict[str, Any] = {
        "username": sb.username,
        "password": sb.password,
        "retry": RetryPolicy.no_wait(),
    }

    async def run_async() -> tuple[float, float]:
        async with AsyncBackofficeClient(sb.base_url, transport=sb.transport(), **common) as c:
            cached = await _per_call_async(c.list_departments, cached_calls)
            http = await _per_call_async(lambda: c.pos_user_id_exists(1), http_calls)
        return cached, http

    async_cached, async_http = anyio.run(run_async)
    with BackofficeClient(sb.base_url, transport=sb.transport(), **common) as client:
        sync_cached = _per_call_sync(client.list_departments, cached_calls)
        sync_http = _per_call_sync(lambda: client.pos_user_id_exists(1), http_calls)
    return {
        "list_departments (cached, no HTTP)": (async_cached, sync_cached),
        "pos_user_id_exists (1 GET)": (async_http, sync_http),
    }


def main() -> None:
    """Print per-call times and the sync overhead."""
    results = measure()
    print(f"{'call':<38}{'async ms':>10}{'sync ms':>10}{'overhead ms':>13}{'ratio':>8}")
    for name, (a, s) in results.items():
        print(f"{name:<38}{a * 1e3:>10.3f}{s * 1e3:>10.3f}{(s - a) * 1e3:>13.3f}{s / a:>8.2f}")
    a, s = results["list_departments (cached, no HTTP)"]
    verdict = "meets" if (s - a) * 1e3 < GOAL_MS else "MISSES"
    print(f"portal overhead per call: {(s - a) * 1e3:.3f} ms ({verdict} the {GOAL_MS} ms goal)")


if __name__ == "__main__":
    main()
