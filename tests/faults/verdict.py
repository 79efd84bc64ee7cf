"""What a scenario must show (issue 14, "Done when"), as one list of violations."""

from __future__ import annotations

from .scenario import Outcome

__all__ = ["MUST_BE_EMPTY", "violations"]

#: Kinds of findings that fail a scenario, and what each promise says.
MUST_BE_EMPTY: dict[str, str] = {
    "duplicates": "nothing created twice",
    "missing": "nothing on the server absent from the results, nothing reported that is absent",
    "misreported": "a row the server holds is never reported 'not applied'; claims hold",
    "credentials_missing": "credentials kept until proven absent",
    "credentials_wrong": "the results' credentials are the server's",
    "incomplete": "nothing lost: every row done after bounded resumes (unknown rows excepted)",
    "logins": "logins bounded; one refused login stops a run (exit 3)",
    "secrets": "no PIN, password, bot password or PHPSESSID in output or logs",
    "budget": "every run ends within the scenario's time budget",
}


def violations(outcome: Outcome, *, limit: int = 12) -> list[str]:
    """Every broken promise of one scenario, with its first pieces of evidence."""
    found = outcome.findings
    lines: list[str] = []
    for kind, promise in MUST_BE_EMPTY.items():
        items = getattr(found, kind)
        if kind == "incomplete":
            items = {k: v for k, v in items.items() if k not in found.unknown_final}
        if not items:
            continue
        lines.append(f"{kind}: {len(items)} ({promise})")
        lines += [f"    {key}: {evidence}" for key, evidence in list(items.items())[:limit]]
    return lines
