"""Run the benchmarks; ``--docs PATH`` also writes them, with the plot, into the doc.

``python -m benchmarks`` runs every ``bench_*`` module; ``python -m benchmarks bulk cpu`` only
those. ``python -m benchmarks --docs docs/benchmarks.md`` (what ``nox -s bench`` runs) writes
every figure, the throughput plot (``benchmarks.png`` beside the doc; matplotlib, the ``bench``
extra) and a verdict line per goal of issue 11.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pkgutil
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._plot import plot_throughput
from benchmarks._report import Section

#: The order of the doc (cheap ones first; bulk last, it is most of the run).
ORDER = ("requests", "cpu", "lookups", "memory", "parse", "sync", "bulk")


def _run(name: str) -> Section:
    module = importlib.import_module(f"benchmarks.bench_{name}")
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        result = module.main()
    if isinstance(result, Section):
        sys.stdout.write(captured.getvalue())
        return result
    # A module that prints rather than returns a section: its output, as printed.
    text = captured.getvalue().strip()
    sys.stdout.write(text + "\n")
    body = text if text.lstrip().startswith(("|", "login")) else f"```\n{text}\n```"
    return Section(f"`bench_{name}`", body)


def _machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return (
        f"{platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)"
    )


def write_docs(path: Path, sections: list[Section], started: float, machine: str) -> None:
    """Write the doc: how it was made, every section, the verdicts, the plot."""
    from benchmarks._doc import render

    png = path.with_suffix(".png")
    bulk = next((s.data["bulk"] for s in sections if "bulk" in s.data), None)
    plotted = plot_throughput(bulk, png) if bulk else False
    elapsed = time.perf_counter() - started
    path.write_text(
        render(
            sections,
            machine=machine,
            finished=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            minutes=elapsed / 60,
            plot=png.name if plotted else None,
        ),
        encoding="utf-8",
    )
    print(f"\nwrote {path}" + (f" and {png}" if plotted else " (no plot: matplotlib missing)"))


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    docs: Path | None = None
    if "--docs" in argv:
        k = argv.index("--docs")
        docs = Path(argv[k + 1])
        argv = argv[:k] + argv[k + 2 :]
    wanted = [a.removeprefix("bench_") for a in argv] or [n for n in ORDER if n in names]
    wanted += [n for n in names if not argv and n not in wanted]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join('bench_' + u for u in unknown)}; have: "
            f"{', '.join('bench_' + n for n in names)}"
        )
        return 2
    started = time.perf_counter()
    machine = _machine()
    print(f"machine at start: {machine}")
    sections = []
    for name in wanted:
        print(f"\n== bench_{name} ==", flush=True)
        sections.append(_run(name))
    if docs is not None:
        write_docs(
            docs,
            sections,
            started,
            f"{machine}; at the end: {_machine().split('load average ')[1]}",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
