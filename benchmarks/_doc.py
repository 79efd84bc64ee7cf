"""``docs/benchmarks.md``, written by ``python -m benchmarks --docs`` (``nox -s bench``).

Every figure in it is measured by the run that wrote it, except those labelled otherwise: the
reference library's request counts (from its documentation, never run here) and the figures of
the commit before issue 11's work (:data:`BEFORE`, measured once by these same modules on that
commit, as ``before.md`` says: that code is not this code, so they are kept as text).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks._report import Section

__all__ = ["BEFORE", "render"]

#: Measured once with these benchmarks on commit 6c3f869 (the tree issue 11 was filed against:
#: same machine, same served sandbox, 130 KB sidebar, its own environment without sniffio);
#: kept as text because that code is not this code.
#: Measured once by these modules on the commit before this work (see the file).
BEFORE = (Path(__file__).with_name("before.md")).read_text(encoding="utf-8")

INTRO = """\
# Benchmarks

Written by `nox -s bench` (`python -m benchmarks --docs docs/benchmarks.md`) on {finished}, in
{minutes:.1f} minutes. Machine: {machine}. The machine is shared with other work: CPU figures
are process CPU time (not wall), throughput figures are medians of repeated runs.

Nothing here is asserted by the tests (`tests/test_benchmarks_smoke.py` only runs every module
at a tiny size). Every figure is measured by this run unless its row says otherwise:

* the **reference library** (`sonnys_backoffice` 0.7.2) is not ours to run here: its request
  counts come from its documentation (`reference-library-api.md`), shown as "ref (its docs)",
  and it appears nowhere as a measured speed;
* the **before** figures were measured by these same modules on the commit before this work
  (section "Before").

How the runs are made: the sandbox is **served by uvicorn in another process** on 127.0.0.1
(`benchmarks/_served.py`), with the realistic 130 KB navigation sidebar on every authenticated
page (protocol §0) and, for the bulk runs, `latency_ms` added by the server to every request.
Client CPU is `time.process_time()` of the benchmark process (the whole HTTP stack included);
server CPU is the server process's user + system time from `/proc`.

## Goals (issue 11)

{verdicts}

{cuts}
"""

CUTS = """\
What the run leaves out to stay under 15 minutes on 2 shared cores (stated, never
extrapolated): the bulk matrix runs **500 hires from 8 sessions up**; one session runs 60
hires and four sessions 200, each a rate over the hires it ran (the `hires x runs` column).
Every point is still the median of 3 runs. The memory benchmark runs
the goal's sizes (1,000 and 10,000 hires); `bench_requests`, `bench_parse` and `bench_sync` run
in-process (request counts and parse times do not depend on the network).
"""


def render(
    sections: Sequence[Section],
    *,
    machine: str,
    finished: str,
    minutes: float,
    plot: str | None,
) -> str:
    """The whole doc."""
    verdicts = [v.line() for s in sections for v in s.verdicts]
    parts = [
        INTRO.format(
            finished=finished,
            minutes=minutes,
            machine=machine,
            verdicts="\n".join(verdicts) or "(no goal measured in this run)",
            cuts=CUTS,
        )
    ]
    for section in sections:
        parts.append(f"## {section.title}\n\n{section.body}\n")
        if section.verdicts:
            parts.append("\n".join(v.line() for v in section.verdicts) + "\n")
        if "bulk" in section.data:
            parts.append(
                f"![Throughput against sessions]({plot})\n"
                if plot
                else "(No plot: matplotlib is not installed; `pip install -e '.[bench]'`.)\n"
            )
    parts.append("## Before\n\n" + BEFORE)
    return "\n".join(parts)
