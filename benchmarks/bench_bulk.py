"""Bulk onboarding throughput: sequential vs concurrency vs a session pool, one run, as ratios.

``client.create_employees`` onboards N hires against an in-process sandbox with realistic
timing: every request pays ``latency_ms`` + up to ``jitter_ms`` of network time (outside the
server's session lock) and ``processing_ms`` of server time *while holding the PHP session
lock* (``serialize_sessions=True``, the default: PHP file sessions serve one request per
``PHPSESSID`` at a time, protocol §21). Scenarios:

- sequential: ``max_at_once=1``, ``sessions=1`` (what a for-loop does);
- concurrency 4/8/16 over one session: requests overlap their network time but queue on the
  session lock, so the gain stops at about ``(latency + processing) / processing``;
- a pool of 2/4/8 sessions with the same concurrency: the lock is per session, so the pool
  scales until the client or the CPU saturates;
- pool thrash (``single_session_per_user=True``: every login ends the user's older sessions):
  a pool of 4 notices, shrinks to one session and still completes every hire.

The reference library (``sonnys_backoffice`` 0.7.2) has no bulk API: its users loop over
``create_employee``, one at a time, at 7 requests per warm create (5 + 2 redirect hops, with
a full roster download). It is **modelled**, not run: N x 7 x the mean request time measured
in our own sequential scenario (so it shares this machine's latency and CPU).

Sequential runs are measured on a sample of the hires (``sequential_sample``) to keep the whole
benchmark short; their wall time for N is extrapolated from the measured rate and marked ``~``.
Printed, not asserted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import anyio

from benchmarks._common import HireFactory, make_client, print_table
from sonnys_async._constants import LOGGER_NAME
from sonnys_async.sandbox import Sandbox, SandboxOptions

#: Requests of one warm ``create_employee`` in the reference library: 5 + 2 redirect hops
#: (reference-library-api.md, "Requests per operation in the reference library").
REFERENCE_REQUESTS_PER_CREATE = 7


@dataclass(frozen=True)
class Scenario:
    """One way of running the bulk create."""

    label: str
    sessions: int
    max_at_once: int
    single_session_per_user: bool = False
    sample: int | None = None  # measure on this many hires and extrapolate to N


@dataclass(frozen=True)
class Result:
    """What one scenario measured."""

    scenario: Scenario
    hires: int
    wall: float
    ok: int
    failed: int
    requests: int
    logins: int  # the warm-up's included (thrash shows as extra logins)
    sessions_at_end: int
    warnings: tuple[str, ...]  # what the client logged at WARNING (e.g. the pool shrinking)

    @property
    def per_second(self) -> float:
        return self.hires / self.wall

    def wall_for(self, n: int) -> float:
        """Wall time for ``n`` hires at the measured rate."""
        return n / self.per_second


def _hires(n: int, base: int) -> Iterator[dict[str, Any]]:
    make = HireFactory(base_pos_user_id=base)
    for _ in range(n):
        yield make()


async def _run(
    scenario: Scenario, n: int, options: SandboxOptions, base_pos_user_id: int
) -> Result:
    sb = Sandbox(replace(options, single_session_per_user=scenario.single_session_per_user))
    count = scenario.sample or n
    # Collect the client's warnings for the table's notes instead of letting logging's
    # last-resort handler print them to stderr in the middle of the table.
    captured = _Capture()
    log = logging.getLogger(LOGGER_NAME)
    log.addHandler(captured)
    try:
        return await _timed(scenario, count, sb, base_pos_user_id, captured)
    finally:
        log.removeHandler(captured)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def _timed(
    scenario: Scenario, count: int, sb: Sandbox, base_pos_user_id: int, captured: _Capture
) -> Result:
    async with make_client(
        sb,
        sessions=scenario.sessions,
        max_concurrency=max(8, scenario.max_at_once),
    ) as client:
        # Login and discovery happen once per run; leave them out of the per-hire rate.
        await client.login()
        await client.list_sites()
        await client.list_pos_templates()
        stats = client.transport.stats
        warmup_logins = stats.logins
        stats.reset()
        ok = failed = 0
        start = time.perf_counter()
        async with client.create_employees(
            _hires(count, base_pos_user_id), max_at_once=scenario.max_at_once
        ) as run:
            async for outcome in run:
                if outcome.ok:
                    ok += 1
                else:
                    failed += 1
        wall = time.perf_counter() - start
        return Result(
            scenario,
            count,
            wall,
            ok,
            failed,
            stats.total,
            warmup_logins + stats.logins,
            client.transport.sessions,
            tuple(dict.fromkeys(captured.messages)),
        )


def scenarios(sequential_sample: int | None) -> list[Scenario]:
    """The scenarios of the table, sequential first (the baseline)."""
    return [
        Scenario("sequential (1 at once, 1 session)", 1, 1, sample=sequential_sample),
        Scenario("4 at once, 1 session", 1, 4),
        Scenario("8 at once, 1 session", 1, 8),
        Scenario("16 at once, 1 session", 1, 16),
        Scenario("2 at once, 2 sessions", 2, 2),
        Scenario("4 at once, 4 sessions", 4, 4),
        Scenario("8 at once, 8 sessions", 8, 8),
        Scenario("4 at once, pool of 4, one session per user", 4, 4, True),
    ]


def measure(
    n: int = 120,
    *,
    latency_ms: float = 20.0,
    jitter_ms: float = 10.0,
    processing_ms: float = 10.0,
    sequential_sample: int | None = 40,
) -> list[Result]:
    """Run every scenario on its own sandbox; one result per scenario."""
    options = SandboxOptions(
        employees=200,
        bo_users=5,
        seed=11,
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        processing_ms=processing_ms,
    )
    results = []
    for i, scenario in enumerate(scenarios(sequential_sample)):
        results.append(anyio.run(_run, scenario, n, options, 100_000 + 10_000 * i))
    return results


def _fmt_s(seconds: float, estimated: bool) -> str:
    return f"{'~' if estimated else ''}{seconds:.1f}"


def main(*, smoke: bool = False) -> None:
    """Print wall time, throughput and speedup per scenario, and the modelled reference.

    Args:
        smoke: 4 hires, no latency (for the smoke test).
    """
    if smoke:
        n, lat, jit, proc = 4, 0.0, 0.0, 0.0
        results = measure(
            n, latency_ms=lat, jitter_ms=jit, processing_ms=proc, sequential_sample=None
        )
    else:
        n, lat, jit, proc = 120, 20.0, 10.0, 10.0
        results = measure(n, latency_ms=lat, jitter_ms=jit, processing_ms=proc)
    base = results[0]
    per_request = base.wall / base.requests
    ref_wall = n * REFERENCE_REQUESTS_PER_CREATE * per_request
    print(
        f"{n} hires; sandbox latency {lat:.0f} ms + jitter < {jit:.0f} ms (outside the session "
        f"lock), processing {proc:.0f} ms (inside it); login and discovery excluded"
    )
    rows: list[list[object]] = [
        [
            "reference library, modelled (sequential, 7 req/hire)",
            f"~{ref_wall:.1f}",
            f"{n / ref_wall:.1f}",
            f"{REFERENCE_REQUESTS_PER_CREATE:.1f}",
            "",
            f"{(n / ref_wall) / base.per_second:.2f}x",
            "",
            "",
        ]
    ]
    for r in results:
        rows.append(
            [
                r.scenario.label,
                _fmt_s(r.wall_for(n), r.hires != n),
                f"{r.per_second:.1f}",
                f"{r.requests / r.hires:.1f}",
                f"{r.ok}/{r.hires}",
                f"{r.per_second / base.per_second:.2f}x",
                r.logins,
                r.sessions_at_end,
            ]
        )
    print_table(
        [
            "scenario",
            "wall s",
            "hires/s",
            "req/hire",
            "ok",
            "speedup vs seq.",
            "logins",
            "sessions at end",
        ],
        rows,
    )
    for r in results:
        for message in r.warnings:
            print(f"{r.scenario.label}: client warned: {message}")
    best = max(
        (r for r in results[1:] if not r.scenario.single_session_per_user),
        key=lambda r: r.per_second,
    )
    print(
        f"best: {best.scenario.label}: {best.per_second / base.per_second:.1f}x sequential, "
        f"{best.per_second / (n / ref_wall):.1f}x the modelled reference library"
    )


if __name__ == "__main__":
    main()
