"""The table of measured scenarios, written into docs/reliability.md by the suite itself.

Set ``SONNYS_FAULTS_REPORT`` to a Markdown file holding the two marker lines below (the table
between them is replaced) or to a ``.json`` file (the raw figures); ``nox -s faults`` does the
former for ``docs/reliability.md``. Only a run of every scenario writes the table.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from .scenario import Outcome
from .scenarios import CLIENT_TIMEOUT_S
from .verdict import violations

__all__ = ["MARK_END", "MARK_START", "figures", "render", "write_report"]

MARK_START = "<!-- fault-suite:table:start (written by tests/faults; do not edit by hand) -->"
MARK_END = "<!-- fault-suite:table:end -->"


def figures(o: Outcome) -> dict[str, Any]:
    """One scenario's measurements."""
    f = o.findings
    incomplete = [k for k in f.incomplete if k not in f.unknown_final]
    return {
        "scenario": o.scenario.name,
        "faults": o.scenario.summary,
        "sessions": o.scenario.sessions,
        "rows": o.rows,
        "duplicates": len(f.duplicates),
        "missing": len(f.missing),
        "misreported": len(f.misreported),
        "unknown_end": len(f.unknown_final),
        "unknown_seen": len(f.unknown_seen),
        "incomplete": len(incomplete),
        "credentials_missing": len(f.credentials_missing),
        "credentials_wrong": len(f.credentials_wrong),
        "logins": o.logins,
        "login_bound": o.login_bound,
        "login_findings": len(f.logins),
        "secrets": len(f.secrets),
        "exit_codes": o.exit_codes(),
        "runs": sum(len(r.invocations) for r in o.runs),
        "wall_s": round(o.wall_s, 1),
        "faults_injected": o.counters["counters"]["faults"],
        "passed": not violations(o),
    }


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def render(outcomes: list[Outcome], suite_wall_s: float) -> str:
    """The Markdown block between the markers."""
    rows = [figures(o) for o in outcomes]
    lines = [
        MARK_START,
        "",
        f"Measured on {date.today().isoformat()} at commit `{_commit()}`, {os.cpu_count()} CPU "
        f"cores, all scenarios in {suite_wall_s:.0f} s of wall time. Each scenario: 200 hires "
        "(50 with a Backoffice login), then 30 leavers and 20 leavers with "
        "`--disable-backoffice-user`; `--concurrency 8`. The client timeout is the library "
        f"default ({CLIENT_TIMEOUT_S:.0f} s; the CLI has no option for it).",
        "",
        "| Scenario | Faults | Rows | Duplicates | Missing | Misreported | Unknown (end / seen) "
        "| Not done | Credentials missing / wrong | Logins (used / bound) | Secrets found "
        "| Exit codes (-9 = SIGKILL) | Wall time | Result |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['faults']}, `--sessions {r['sessions']}` | {r['rows']} "
            f"| {r['duplicates']} | {r['missing']} | {r['misreported']} "
            f"| {r['unknown_end']} / {r['unknown_seen']} | {r['incomplete']} "
            f"| {r['credentials_missing']} / {r['credentials_wrong']} "
            f"| {r['logins']} / {r['login_bound']} | {r['secrets']} | {r['exit_codes']} "
            f"| {r['wall_s']:.0f} s | {'pass' if r['passed'] else '**fail**'} |"
        )
    lines += ["", MARK_END]
    return "\n".join(lines)


def write_report(target: Path, outcomes: list[Outcome], suite_wall_s: float) -> None:
    """Write the figures to ``target`` (Markdown between the markers, or JSON)."""
    if target.suffix == ".json":
        payload = {
            "suite_wall_s": round(suite_wall_s, 1),
            "scenarios": [figures(o) for o in outcomes],
        }
        target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        return
    text = target.read_text(encoding="utf-8")
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise ValueError(f"{target} lacks the fault-suite markers")
    block = render(outcomes, suite_wall_s)
    target.write_text(text[:start] + block + text[end + len(MARK_END) :], encoding="utf-8")
