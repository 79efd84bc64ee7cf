"""The throughput plot of ``docs/benchmarks.md``: hires per second against sessions.

matplotlib is a benchmark-only dependency (the ``bench`` extra); without it there is no plot and
the doc says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["plot_throughput"]


def plot_throughput(points: Sequence[tuple[Any, float, float]], path: Path) -> bool:
    """Plot (point, median hires/s, requests per hire) per latency and in-flight ratio.

    Returns:
        ``False`` when matplotlib is not installed (nothing written).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    latencies = sorted({p.latency_ms for p, _, _ in points})
    colours = dict(zip(latencies, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=False))
    for latency in latencies:
        for factor, style in ((1, "o-"), (2, "s--")):
            series = sorted(
                (p.sessions, rate)
                for p, rate, _ in points
                if p.latency_ms == latency and p.in_flight == factor * p.sessions
            )
            if series:
                xs, ys = zip(*series, strict=True)
                label = f"{latency:.0f} ms, in flight = {'' if factor == 1 else '2 x '}sessions"
                ax.plot(xs, ys, style, color=colours[latency], label=label)
        sessions = sorted({p.sessions for p, _, _ in points if p.latency_ms == latency})
        if latency > 0 and sessions:
            bound = [s / (3 * latency / 1000) for s in sessions]
            ax.plot(
                sessions,
                bound,
                ":",
                color=colours[latency],
                alpha=0.6,
                label=f"{latency:.0f} ms, 3-request bound",
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = sorted({p.sessions for p, _, _ in points})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("sessions")
    ax.set_ylabel("hires per second (median of the runs)")
    ax.set_title("Bulk onboarding against the served sandbox (130 KB sidebar)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True
