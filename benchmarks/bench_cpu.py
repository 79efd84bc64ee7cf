"""CPU per warm verified create, split between client and server, and where the client's goes.

Against the served sandbox (another process, 130 KB sidebar, no added latency), one client
creates ``warmup`` employees (login, discovery, the contact index), then ``n`` more one after
the other. Client CPU is ``time.process_time()`` of this process over those ``n`` creates (the
HTTP stack included: httpx, h11, the client's wire transport, the event loop); server CPU is
the server process's ``/proc/<pid>/stat`` user + system time over the same creates. The same
creates are then run through httpx's own transport (httpcore's pool), for the comparison.

The breakdown comes from a second pass under ``cProfile`` with a thread-CPU timer: each
function's own time goes to the layer of its file, and time spent in the standard library or
builtins goes to the layers that called it (in proportion to their calls' own time). The
profiler inflates call-heavy code, so the shares are indicative; the total is the unprofiled
measurement.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from benchmarks._common import HireFactory
from benchmarks._report import Section, Verdict, table
from benchmarks._served import REALISTIC_SIDEBAR_KB, ServedSandbox
from sonnys_async import AsyncBackofficeClient, RetryPolicy

#: Issue 11's goal: client CPU per warm verified create, HTTP stack included.
GOAL_MS = 4.0

#: Layers, by a substring of the function's file, first match wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("markup guard", ("sonnys_async/core/guard.py", "sonnys_async/_transport/markup.py")),
    ("HTML parsing (Lexbor, core/pages, core/forms)", ("selectolax", "sonnys_async/core/")),
    (
        "HTTP stack (httpx, h11, our wire transport; httpcore)",
        ("/httpx/", "/httpcore/", "/h11/", "sonnys_async/_transport/wire.py"),
    ),
    ("our transport (_transport)", ("sonnys_async/_transport/",)),
    ("services, models, payloads", ("sonnys_async/", "pydantic")),
    ("event loop (asyncio, anyio)", ("/asyncio/", "/anyio/", "selectors.py")),
    ("benchmark harness", ("benchmarks/",)),
)
OTHER = "other (standard library, uncalled)"


@dataclass(frozen=True)
class Measured:
    """CPU per create, requests per create, and the profile's shares."""

    n: int
    client_ms: float
    server_ms: float
    wall_ms: float
    requests: float
    shares: dict[str, float]
    #: Client CPU per create with httpx's own transport (httpcore's pool) instead of the
    #: client's wire transport, in the same run.
    httpcore_ms: float


async def _creates(
    srv: ServedSandbox,
    n: int,
    warmup: int,
    profile: cProfile.Profile | None,
    httpcore: bool = False,
    run: int = 0,
) -> tuple[float, float, float, float]:
    async with AsyncBackofficeClient(
        srv.base_url,
        username=srv.username,
        password=srv.password,
        retry=RetryPolicy.no_wait(),
        transport=httpx.AsyncHTTPTransport() if httpcore else None,
    ) as client:
        base = 100_000 * (run + 2) if profile is None else 900_000
        make = HireFactory(base_pos_user_id=base)
        for _ in range(warmup):
            await client.create_employee(**make())
        client.transport.stats.reset()
        cpu0, server0, start = time.process_time(), srv.cpu_seconds(), time.perf_counter()
        if profile is not None:
            profile.enable()
        for _ in range(n):
            await client.create_employee(**make())
        if profile is not None:
            profile.disable()
        return (
            time.process_time() - cpu0,
            srv.cpu_seconds() - server0,
            time.perf_counter() - start,
            client.transport.stats.total / n,
        )


def _layer(file: str) -> str | None:
    if "/asyncio/" in file or file.endswith("selectors.py"):
        return "event loop (asyncio, anyio)"
    if file == "~" or ("/lib/python3" in file and "site-packages" not in file):
        return None  # builtins and the rest of the standard library: charged to their callers
    return next((name for name, keys in LAYERS if any(k in file for k in keys)), OTHER)


def shares(stats: pstats.Stats) -> dict[str, float]:
    """Own time per layer, standard-library time charged to the calling layers."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    memo: dict[Any, dict[str, float]] = {}

    def split(func: Any, depth: int = 0) -> dict[str, float]:
        """Which layers a function's time belongs to (fractions summing to 1)."""
        if func in memo:
            return memo[func]
        layer = _layer(func[0])
        if layer is not None or depth > 20:
            memo[func] = {layer or OTHER: 1.0}
            return memo[func]
        memo[func] = {OTHER: 1.0}  # cycle guard
        callers = raw[func][4]
        total = sum(c[2] for c in callers.values()) or sum(c[1] for c in callers.values())
        if not callers or total == 0:
            return memo[func]
        out: Counter[str] = Counter()
        for caller, c in callers.items():
            weight = (c[2] if any(x[2] for x in callers.values()) else c[1]) / total
            for name, frac in split(caller, depth + 1).items():
                out[name] += weight * frac
        memo[func] = dict(out)
        return memo[func]

    spent: Counter[str] = Counter()
    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        for name, frac in split(func).items():
            spent[name] += tt * frac
    total = sum(spent.values()) or 1.0
    return {name: spent[name] / total for name, _ in spent.most_common()}


def measure(
    n: int = 300, *, warmup: int = 5, profiled: int = 100, sidebar_kb: int = 130
) -> Measured:
    """Unprofiled CPU per create, then a profiled pass for the breakdown."""
    with ServedSandbox(employees=200, bo_users=5, seed=11, sidebar_kb=sidebar_kb) as srv:
        # Two runs of each transport, alternated; each figure from the run of least client CPU
        # (interference from other work on the machine only ever adds CPU).
        ours = []
        stock = []
        for k in range(2):
            ours.append(anyio.run(_creates, srv, n, warmup, None, False, 2 * k))
            stock.append(anyio.run(_creates, srv, n, warmup, None, True, 2 * k + 1)[0])
        client, server, wall, requests = min(ours)
        profile = cProfile.Profile(time.thread_time)
        anyio.run(_creates, srv, profiled, warmup, profile)
    return Measured(
        n,
        1000 * client / n,
        1000 * server / n,
        1000 * wall / n,
        requests,
        shares(pstats.Stats(profile)),
        1000 * min(stock) / n,
    )


def report(m: Measured, before: str = "") -> Section:
    """The doc's section: the split, the breakdown, the verdict."""
    rows = [
        [name, f"{100 * share:.0f}%", f"{share * m.client_ms:.2f}"]
        for name, share in m.shares.items()
    ]
    body = [
        f"{m.n} warm verified creates one after the other ({m.requests:.1f} requests each), "
        f"served sandbox with a {REALISTIC_SIDEBAR_KB} KB sidebar, no added latency: client "
        f"**{m.client_ms:.2f} ms** CPU per create (HTTP stack included), server "
        f"{m.server_ms:.2f} ms, wall {m.wall_ms:.2f} ms. The same creates through httpx's own "
        f"transport (httpcore's pool, `transport=httpx.AsyncHTTPTransport()`), in the same run: "
        f"{m.httpcore_ms:.2f} ms ({m.httpcore_ms / m.client_ms:.2f}x). Each figure is the "
        "lower of two runs, the transports alternated.",
        "",
        "Where the client's CPU goes (cProfile, thread CPU time; the standard library and builtins "
        "charged to their callers; ms = share x the unprofiled total):",
        "",
        table(["layer", "share", "ms per create"], rows),
    ]
    stack = sum(
        share for name, share in m.shares.items() if name.startswith(("HTTP stack", "event loop"))
    )
    per_request = stack * m.client_ms / m.requests if m.requests else 0.0
    body += [
        "",
        f"The HTTP stack and the event loop alone take {per_request:.2f} ms per request: "
        f"{3 * per_request:.2f} ms for the three requests a verified create needs at the least "
        "(insert, permissions, read-back), before any parsing or our own code.",
    ]
    if before:
        body += ["", before]
    verdict = Verdict(
        f"at most {GOAL_MS:.0f} ms of client CPU per warm verified create",
        m.client_ms <= GOAL_MS,
        f"{m.client_ms:.2f} ms ({m.requests:.1f} requests per create)",
    )
    return Section(
        "CPU per create, client and server (`bench_cpu`)",
        "\n".join(body),
        [verdict],
        data={"cpu": m},
    )


def main(*, smoke: bool = False) -> Section:
    """Measure and print (``smoke``: 3 creates, no sidebar)."""
    m = (
        measure(3, warmup=1, profiled=2, sidebar_kb=0)
        if smoke
        else measure(sidebar_kb=REALISTIC_SIDEBAR_KB)
    )
    section = report(m)
    section.show()
    return section


if __name__ == "__main__":
    main()
