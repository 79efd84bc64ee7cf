"""Peak memory of bulk runs (bounded by backpressure) and of parsing the largest page.

1. ``run_each`` over 10,000 items vs 1,000 items, items pulled from a generator and outcomes
   consumed as they arrive: with backpressure the peak (``tracemalloc``, Python heap) must not
   grow with the item count, so the ratio should be about 1. Done for a cheap fake async
   operation, and for a real client call against the in-process sandbox
   (``pos_user_id_exists``: one GET per item; 100 vs 1,000 items, it is slower).
2. Bytes per in-flight item: the peak with 256 items held in flight at once minus the peak
   with 16, over 240 (an op that waits until that many are in flight together).
3. Parsing the largest captured page (~450 KB Backoffice access page): the Python-heap peak of
   the full page parser, and the resident-memory growth of holding Lexbor's tree (C memory,
   invisible to ``tracemalloc``; Linux ``/proc`` only).

Printed, not asserted.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
from selectolax.lexbor import LexborHTMLParser

from benchmarks._common import make_client, print_table
from sonnys_async.bulk import run_each
from sonnys_async.core import pages
from sonnys_async.sandbox import Sandbox, SandboxOptions

ROOT = Path(__file__).resolve().parents[1]
PAGE = "w45f_user_permissions_2944451.html"
PAGE_CANDIDATES = (
    ROOT.parent / "shared" / "fixtures" / "backoffice" / "html" / PAGE,
    ROOT / "tests" / "fixtures" / "html" / PAGE,
)


def _items(n: int) -> Iterator[int]:
    # A generator: run_each must pull lazily, so the list of 10,000 never exists.
    yield from range(n)


async def _fake_op(item: int) -> dict[str, int]:
    await anyio.lowlevel.checkpoint()
    return {"item": item, "employee_id": 1000 + item}


async def _peak_of_run(
    op: Callable[[int], Awaitable[Any]], n: int, max_at_once: int, before: Callable[[], None]
) -> int:
    """Peak traced bytes above the starting point while ``run_each`` processes ``n`` items."""
    ok = 0
    before()
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    async with run_each(op, _items(n), max_at_once=max_at_once) as run:
        async for outcome in run:
            ok += outcome.ok
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if ok != n:
        raise RuntimeError(f"only {ok} of {n} items succeeded")
    return peak - base


def _fake_peaks(sizes: tuple[int, int], max_at_once: int) -> tuple[int, int]:
    small, large = (anyio.run(_peak_of_run, _fake_op, n, max_at_once, lambda: None) for n in sizes)
    return small, large


class _Gate:
    """A fake op that holds every item until ``width`` items are in flight together.

    Without it a trivial op finishes before the feeder starts the next item, and the peak at
    a high ``max_at_once`` would never see that many items at once.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.in_flight = 0
        self.full = anyio.Event()

    async def __call__(self, item: int) -> dict[str, int]:
        self.in_flight += 1
        if self.in_flight >= self.width:
            self.full.set()
        await self.full.wait()
        self.in_flight -= 1
        return {"item": item, "employee_id": 1000 + item}


def _in_flight_bytes(low: int, high: int) -> float:
    p_low = anyio.run(_peak_of_run, _Gate(low), 2 * high, low, lambda: None)
    p_high = anyio.run(_peak_of_run, _Gate(high), 2 * high, high, lambda: None)
    return (p_high - p_low) / (high - low)


async def _sandbox_peaks(sizes: tuple[int, int], max_at_once: int) -> tuple[int, int]:
    sb = Sandbox(SandboxOptions(employees=50, bo_users=2, seed=5))
    pos_user_id = next(iter(sb.state.employees.values())).pos_user_id
    peaks = []
    async with make_client(sb, max_concurrency=max_at_once) as client:
        await client.login()
        await client.pos_user_id_exists(pos_user_id)  # warm every import and cache

        async def op(_: int) -> bool:
            exists = await client.pos_user_id_exists(pos_user_id)
            # The sandbox logs every request it serves (a test aid); that list is the
            # simulated server's memory, not the client's, so it is not allowed to grow here.
            sb.request_log.clear()
            return exists

        def reset() -> None:
            sb.request_log.clear()
            client.transport.stats.reset()

        for n in sizes:
            peaks.append(await _peak_of_run(op, n, max_at_once, reset))
    return peaks[0], peaks[1]


def _rss_bytes() -> int | None:
    try:
        pages_resident = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    import resource

    return pages_resident * resource.getpagesize()


def _page_memory() -> tuple[str, int, int, int | None]:
    """(name, size in bytes, Python-heap peak of the page parser, RSS growth of a Lexbor tree)."""
    path = next(p for p in PAGE_CANDIDATES if p.exists())
    html = path.read_text(encoding="utf-8")
    pages.parse_user_permissions(html)  # warm caches, imports
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    parsed = pages.parse_user_permissions(html)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del parsed
    gc.collect()
    before = _rss_bytes()
    trees = [LexborHTMLParser(html) for _ in range(5)]
    after = _rss_bytes()
    rss = None if before is None or after is None else (after - before) // len(trees)
    del trees
    return path.name, len(html.encode()), peak - base, rss


def _kib(n: float) -> str:
    return f"{n / 1024:,.1f}"


def main(*, smoke: bool = False) -> None:
    """Print peak memory for small vs large bulk runs, per in-flight item, and per page parse.

    Args:
        smoke: Tiny item counts (for the smoke test).
    """
    fake_sizes = (50, 500) if smoke else (1_000, 10_000)
    sandbox_sizes = (5, 50) if smoke else (100, 1_000)
    at_once = 8
    f_small, f_large = _fake_peaks(fake_sizes, at_once)
    s_small, s_large = anyio.run(_sandbox_peaks, sandbox_sizes, at_once)
    print(f"run_each peak memory (tracemalloc, Python heap), max_at_once={at_once}:")
    print_table(
        ["operation", "items", "peak KiB", "items", "peak KiB", "ratio (large/small)"],
        [
            [
                "fake async op",
                f"{fake_sizes[0]:,}",
                _kib(f_small),
                f"{fake_sizes[1]:,}",
                _kib(f_large),
                f"{f_large / f_small:.2f}",
            ],
            [
                "pos_user_id_exists (sandbox GET)",
                f"{sandbox_sizes[0]:,}",
                _kib(s_small),
                f"{sandbox_sizes[1]:,}",
                _kib(s_large),
                f"{s_large / s_small:.2f}",
            ],
        ],
    )
    low, high = (4, 36) if smoke else (16, 256)
    per_item = _in_flight_bytes(low, high)
    print(
        f"bytes per in-flight item (fake op): {per_item:,.0f} "
        f"(peak at max_at_once={high} minus peak at {low}, over {high - low})"
    )
    name, size, heap_peak, rss = _page_memory()
    print(f"parsing the largest page, {name} ({_kib(size)} KiB):")
    print(
        f"  parse_user_permissions Python-heap peak: {_kib(heap_peak)} KiB "
        f"({heap_peak / size:.2f}x the page)"
    )
    if rss is not None:
        print(
            f"  a Lexbor tree held in memory (C heap, RSS growth): ~{_kib(rss)} KiB "
            f"({rss / size:.1f}x the page)"
        )


if __name__ == "__main__":
    main()
