"""What a benchmark hands the runner: a Markdown section, the goals it judges, figures for the plot.

Every module's ``main()`` prints its section and returns it; ``python -m benchmarks --docs
docs/benchmarks.md`` writes them all into the doc, with a verdict line per goal. Nothing is
asserted anywhere: a verdict is a measured figure next to its goal.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Section", "Verdict", "median", "table"]


@dataclass(frozen=True)
class Verdict:
    """One goal of issue 11 and what this run measured for it."""

    goal: str
    met: bool | None  # None: not measured in this run (shrunk away, or smoke size)
    measured: str

    def line(self) -> str:
        """``- **met** goal: measured``."""
        word = "not measured" if self.met is None else "met" if self.met else "NOT met"
        return f"- **{word}**: {self.goal}: {self.measured}"


@dataclass
class Section:
    """A benchmark's part of the doc: a title, Markdown text, verdicts, data for the plot."""

    title: str
    body: str
    verdicts: list[Verdict] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def show(self) -> None:
        """Print the section (the runner's terminal output)."""
        print(f"\n## {self.title}\n\n{self.body}")
        for v in self.verdicts:
            print(v.line())


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join(("-" * (w + 1)) + (":" if i else "-") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def median(values: Sequence[float]) -> float:
    """The median (the middle run of 3)."""
    return statistics.median(values)
