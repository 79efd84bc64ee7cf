"""Peak resident memory of a bulk run with a journal: 10,000 hires vs 1,000 (issue 11).

Each size runs in its own Python process (``python -m benchmarks.bench_memory N``), so the peak
resident set size (``VmHWM`` of ``/proc/self/status``) is that run's alone: a client with
``sessions`` logins creates N hires through ``create_employees`` with a :class:`Journal`, hires
pulled from a generator, outcomes consumed as they come, against the served sandbox (another
process, 130 KB sidebar; its own memory is not counted). The process also reports its resident
size after the warm-up (login, discovery, contact index), before the first hire.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from benchmarks._common import HireFactory
from benchmarks._report import Section, Verdict, table
from benchmarks._served import REALISTIC_SIDEBAR_KB, ServedSandbox
from sonnys_async import AsyncBackofficeClient, Journal, RetryPolicy

#: Issue 11's goal: peak RSS of 10,000 hires at most this many times that of 1,000.
GOAL_RATIO = 1.2
_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Peak:
    """One process's run."""

    hires: int
    ok: int
    seconds: float
    warm_kib: int
    peak_kib: int
    journal_bytes: int


def _status_kib(field: str) -> int:
    """A ``/proc/self/status`` size in KiB (Linux), else the peak from ``getrusage``.

    ``VmHWM`` is this process image's own peak: ``ru_maxrss`` is not, on Linux it keeps the
    parent's peak across ``fork`` + ``exec`` (the benchmark parent has just parsed 20,000-row
    pages).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _hires(n: int) -> Iterator[dict[str, Any]]:
    make = HireFactory(base_pos_user_id=600_000)
    for _ in range(n):
        yield make()


async def _run(base_url: str, username: str, password: str, n: int, path: str) -> dict[str, Any]:
    async with AsyncBackofficeClient(
        base_url,
        username=username,
        password=password,
        sessions=8,
        max_concurrency=8,
        retry=RetryPolicy.no_wait(),
    ) as client:
        await client.login()
        await client.list_sites()
        await client.list_pos_templates()
        await client.is_phone_available("6150000000")
        warm = _status_kib("VmRSS")
        ok = 0
        start = time.perf_counter()
        with Journal(path) as journal:
            async with client.create_employees(_hires(n), max_at_once=8, journal=journal) as run:
                async for outcome in run:
                    ok += outcome.ok
        return {
            "hires": n,
            "ok": ok,
            "seconds": time.perf_counter() - start,
            "warm_kib": warm,
            "peak_kib": _status_kib("VmHWM"),
        }


def _journal_size(path: str) -> int:
    return os.path.getsize(path)


def child(argv: Sequence[str]) -> None:
    """The measured process: ``N BASE_URL USERNAME PASSWORD JOURNAL`` -> one JSON line."""
    n, base_url, username, password, path = argv
    result = anyio.run(_run, base_url, username, password, int(n), path)
    result["journal_bytes"] = _journal_size(path)
    print(json.dumps(result), flush=True)


def measure_one(n: int, *, sidebar_kb: int = REALISTIC_SIDEBAR_KB) -> Peak:
    """Run ``n`` hires in a fresh process against a fresh served sandbox."""
    # Every hire is unique: the server's uniqueness rules, which scan every employee on each
    # insert, are off so 10,000 hires take about a minute, not eight, and the run stays inside
    # the contact index's 5-minute TTL (a refresh would read the then 10,000-row roster).
    unique = {"unique_pos_user_id": False, "unique_email": False, "unique_phone": False}
    with (
        ServedSandbox(employees=200, bo_users=5, seed=11, sidebar_kb=sidebar_kb, **unique) as srv,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        args = [str(n), srv.base_url, srv.username, srv.password, str(Path(tmp) / "j.jsonl")]
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_memory", *args],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=_ROOT,
        ).stdout
        return Peak(**json.loads(out.strip().splitlines()[-1]))


def report(small: Peak, large: Peak) -> Section:
    """The doc's section and the goal's verdict."""
    rows = [
        [
            f"{p.hires:,}",
            f"{p.ok:,}",
            f"{p.seconds:.0f}",
            f"{p.warm_kib / 1024:.1f}",
            f"{p.peak_kib / 1024:.1f}",
            f"{(p.peak_kib - p.warm_kib) / 1024:.1f}",
            f"{p.journal_bytes / 1024 / 1024:.1f}",
        ]
        for p in (small, large)
    ]
    ratio = large.peak_kib / small.peak_kib
    growth = (large.peak_kib - small.peak_kib) * 1024 / max(1, large.hires - small.hires)
    body = "\n".join(
        [
            "Each size in its own process; 8 sessions, 8 hires in flight, a journal on disk, "
            f"served sandbox ({REALISTIC_SIDEBAR_KB} KB sidebar) in another process, its "
            "uniqueness rules off (every hire is unique; the sandbox scans every employee per "
            "insert, which made 10,000 hires take 8 minutes and outlast the contact index's "
            "5-minute TTL, whose refresh then reads the 10,000-row roster: a peak of the tenant's "
            "size, not of the run's). RSS after the warm-up and peak RSS (`VmHWM`) of the client "
            "process.",
            "",
            table(
                [
                    "hires",
                    "ok",
                    "seconds",
                    "RSS warm MiB",
                    "peak RSS MiB",
                    "peak - warm MiB",
                    "journal MiB",
                ],
                rows,
            ),
            "",
            f"Peak ratio {ratio:.3f}; {growth:.0f} bytes of peak per extra hire: what stays per "
            "hire is the journal's per-key index (a key and one packed int) and the contact "
            "index's record of the client's own writes (POS User ID, phone, e-mail).",
        ]
    )
    verdict = Verdict(
        f"peak RSS of {large.hires:,} hires with a journal at most {GOAL_RATIO}x that of "
        f"{small.hires:,}",
        ratio <= GOAL_RATIO if large.hires >= 10_000 else None,
        f"{ratio:.3f}x ({large.peak_kib / 1024:.1f} vs {small.peak_kib / 1024:.1f} MiB)",
    )
    return Section("Memory of a journaled bulk run (`bench_memory`)", body, [verdict])


def main(*, smoke: bool = False) -> Section:
    """Measure and print (``smoke``: 3 vs 6 hires, no sidebar)."""
    sizes, kb = ((3, 6), 0) if smoke else ((1_000, 10_000), REALISTIC_SIDEBAR_KB)
    small, large = (measure_one(n, sidebar_kb=kb) for n in sizes)
    section = report(small, large)
    section.show()
    return section


if __name__ == "__main__":
    if len(sys.argv) == 6:
        child(sys.argv[1:])
    else:
        main()
