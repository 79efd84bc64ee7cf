"""What a roster-sync plan would do, line by line: for the terminal and for the review page.

A plan item becomes one line per field it sets (``old`` -> ``new``), conflicts one line per
problem (``field``, ``reason``). Lines come in review order: conflicts first (they are never
applied: the roster needs fixing), then disables, rehires, creates, updates and the unchanged.

The review page is one self-contained HTML file (inline CSS and a few lines of inline JS, no
network fetch, a Content-Security-Policy that allows only those two by their hashes), rendered
with Jinja2 with autoescaping: every value from the roster or the tenant is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..models import SyncItem, SyncPlan
from ._sync_csv import roster_row

__all__ = [
    "ACTIONS",
    "Line",
    "action_counts",
    "reason_text",
    "render_review",
    "review_lines",
    "show",
]

#: Actions in review order.
ACTIONS: tuple[str, ...] = ("conflict", "disable", "rehire", "create", "update", "unchanged")

#: The fields of a new hire shown for review, in this order (names are the line's name).
_CREATE_FIELDS: tuple[str, ...] = (
    "pos_user_id",
    "email",
    "phone",
    "wage_rate",
    "overtime_wage_rate",
    "start_date",
    "available_sites",
    "departments",
    "permission",
    "adp_employee_id",
    "emergency_contact_name",
    "emergency_contact_phone",
    "backoffice_username",
    "backoffice_permission",
)

#: Conflict reasons whose subject is a field (the library's wording), and that field.
_REASON_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(pos_user_id|adp_employee_id|email|name_phone) "), r"\1"),
    (re.compile(r"outside the scope"), "scope"),
    (re.compile(r"^a new hire needs (.*)$"), r"\1"),
    (re.compile(r"without a POS ID"), "pos_user_id"),
    (re.compile(r"^unknown site"), "available_sites"),
    (re.compile(r"^no department"), "departments"),
    (re.compile(r"^no POS permission template"), "permission"),
    (re.compile(r"^no Backoffice permission template"), "backoffice_permission"),
)

#: "rows 0, 3" in the library's reasons counts data rows from 0.
_ROWS = re.compile(r"\brows ((?:\d+, )*\d+)")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the review: one field of one item (or one problem of a conflict)."""

    order: int
    action: str
    row: int | None
    name: str
    employee_id: int | None
    pos_user_id: int | None
    field: str
    old: str
    new: str
    reason: str


def text(value: object) -> str:
    """A plan value as shown: lists joined with ``; ``, nothing as ``(none)``."""
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _field_name(field: str) -> str:
    return field.removeprefix("new_")


def reason_text(item: SyncItem) -> str:
    """An item's reason as shown: rows numbered as in the roster file (the library counts data
    rows from 0)."""

    def renumber(m: re.Match[str]) -> str:
        return "rows " + ", ".join(str(int(n) + 2) for n in m.group(1).split(", "))

    return _ROWS.sub(renumber, item.reason or "")


def _conflict_fields(reason: str) -> Iterator[tuple[str, str]]:
    for pattern, field in _REASON_FIELDS:
        m = pattern.search(reason)
        if m:
            yield m.expand(field), reason
            return
    yield "row", reason


def _fields(
    item: SyncItem, issues: Mapping[int, list[tuple[str, str]]]
) -> Iterator[tuple[str, str, str, str]]:
    """``(field, old, new, reason)`` of each line of ``item``."""
    reason = reason_text(item)
    request = item.request
    if item.action == "conflict":
        detail = issues.get(item.row) if item.row is not None else None
        pairs = detail if detail and reason.startswith("invalid row") else _conflict_fields(reason)
        for field, why in pairs:
            yield field, "", "", why
    elif item.action == "create":
        for field in _CREATE_FIELDS:
            if request.get(field) not in (None, "", [], ()):
                yield field, "", text(request[field]), reason or "new hire"
    elif item.action == "disable":
        yield "status", "active", "inactive", reason
        if request.get("disable_backoffice_user"):
            yield "backoffice_login", "", "deactivated (if one is linked)", reason
    elif item.action == "rehire":
        reason = reason or "active on the roster"
        yield "status", "inactive", "active", reason
        for change in item.changes:
            yield _field_name(change.field), text(change.old), text(change.new), reason
        rehire = request.get("rehire") or {}
        login = "reactivated with a new password (if one is linked)"
        if rehire.get("backoffice_username"):
            login = f"{rehire['backoffice_username']}: reactivated or created, new password"
        yield "backoffice_login", "", login, reason
    elif item.action == "update":
        for change in item.changes:
            yield _field_name(change.field), text(change.old), text(change.new), reason
    else:
        yield "", "", "", reason


def _rank(item: SyncItem) -> tuple[int, int, int]:
    row = item.row if item.row is not None else 1 << 30
    return (ACTIONS.index(item.action), row, item.employee_id or 0)


def review_lines(
    plan: SyncPlan,
    *,
    issues: Mapping[int, list[tuple[str, str]]] | None = None,
    names: Mapping[int, str] | None = None,
) -> list[Line]:
    """The plan's lines in review order.

    Args:
        plan: The plan.
        issues: ``(field, reason)`` of each invalid roster row, by position (else the
            library's reason is shown whole).
        names: Names as typed, by position (an invalid row's conflict has none in the plan).
    """
    issues, names = issues or {}, names or {}
    lines: list[Line] = []
    for item in sorted(plan.items, key=_rank):
        name = item.name or (names.get(item.row, "") if item.row is not None else "")
        for field, old, new, reason in _fields(item, issues):
            lines.append(
                Line(
                    order=len(lines) + 1,
                    action=item.action,
                    row=roster_row(item.row),
                    name=name,
                    employee_id=item.employee_id,
                    pos_user_id=item.pos_user_id,
                    field=field,
                    old=old,
                    new=new,
                    reason=reason,
                )
            )
    return lines


def action_counts(plan: SyncPlan) -> list[tuple[str, int]]:
    """Items per action, in review order (every action, zeros included)."""
    counts = plan.counts
    return [(action, counts.get(action, 0)) for action in ACTIONS]


def show(value: object) -> str:
    """A cell of the review (``None`` blank)."""
    return "" if value is None else str(value)


# ------------------------------------------------------------------------------- review page

_ENV = Environment(
    loader=PackageLoader("sonnys_async.cli", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["show"] = show


def _asset(name: str) -> str:
    return (resources.files("sonnys_async.cli") / "templates" / name).read_text(encoding="utf-8")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_review(
    plan: SyncPlan,
    lines: Iterable[Line],
    *,
    plan_name: str,
    apply_command: str,
) -> str:
    """The review page of ``plan`` (one self-contained HTML document).

    Args:
        plan: The plan.
        lines: From :func:`review_lines`.
        plan_name: The plan file's name (shown, and in the apply command).
        apply_command: The command that applies the plan, as the approver would run it.
    """
    css, js = _asset("sync_review.css"), _asset("sync_review.js")
    csp = (
        "default-src 'none'; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    context: dict[str, Any] = {
        "plan": plan,
        "lines": list(lines),
        "counts": action_counts(plan),
        "plan_name": plan_name,
        "apply_command": apply_command,
        "scope": _scope_text(plan),
        "css": Markup(css),  # package files, not data
        "js": Markup(js),
        "csp": csp,
    }
    return _ENV.get_template("sync_review.html.j2").render(context)


def _scope_text(plan: SyncPlan) -> str:
    scope = plan.scope
    parts = [
        f"{label}: {', '.join(str(v) for v in values)}"
        for label, values in (
            ("sites", scope.sites),
            ("departments", scope.departments),
            ("templates", scope.templates),
        )
        if values is not None
    ]
    return "; ".join(parts) or "every employee"
