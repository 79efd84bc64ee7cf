"""The jobs of the staff-lifecycle commands: one :class:`Kind` per command says how its
outcomes become results rows, screen lines and a summary; :func:`run_rows` runs the client's
bulk stream and writes them.

Row statuses, as ``onboard`` / ``offboard`` use them: the kind's own ``done`` status (e.g.
``modified``, ``rehired``; ``unchanged``, ``already inactive``, ``already active`` when nothing
needed doing), ``done earlier`` (skipped: done by an earlier run, from the journal), ``failed``
(refused, nothing applied), ``unknown`` (may have been applied: the answer was lost; credentials
sent are kept), ``unverified`` (applied, but a later step or the read-back failed: what is known
is written), ``invalid`` (skipped by ``--skip-invalid``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from .. import AsyncBackofficeClient
from ..bulk import Bulk, BulkSummary, Outcome, run_each
from ..journal import Journal, JournalContents, to_jsonable
from ._app import AppState
from ._jobs import DONE_STATUSES, JobReport, _error_text, _status, drive
from ._lifecycle_csv import LifecycleRow, UserKey
from ._output import ResultsWriter, mask, table

__all__ = [
    "MODIFY",
    "REHIRE",
    "USERS_CREATE",
    "USERS_DISABLE",
    "USERS_MODIFY",
    "USERS_REACTIVATE",
    "Kind",
    "journaled_secrets",
    "print_lifecycle",
    "run_rows",
]

#: Starts a command's bulk stream: ``(client) -> (requests, *, journal, on_outcome,
#: max_at_once, max_per_second) -> Bulk``.
Starter = Callable[[AsyncBackofficeClient], Callable[..., Bulk[Any, Any]]]

#: Results columns every kind fills itself (never from a result).
_OWN = frozenset({"row", "status", "lookup", "resolved", "error", "tenant", "bot_user"})


@dataclass(frozen=True)
class Kind:
    """How one command reports its rows.

    Args:
        progress: The progress label (``modifying``).
        title: Title of the table of done rows.
        fields: The results columns.
        done: Status of a row done now.
        start: The client's bulk stream.
        columns: Screen columns after ``row, status, lookup`` (results columns, or a secret
            column, shown masked).
        statuses: ``(status, label)`` of the summary's "done" lines, in order.
        refine: The status of a done row from its result data (``None``: ``done``).
        secrets: Results columns holding credentials (never dropped by the compaction).
        renamed: Results columns read from a result field of another name.
        lookup_column: The results column saying who the row is about.
    """

    progress: str
    title: str
    fields: tuple[str, ...]
    done: str
    start: Starter
    columns: tuple[str, ...]
    statuses: tuple[tuple[str, str], ...]
    refine: Callable[[Mapping[str, Any]], str | None] = lambda data: None
    secrets: tuple[str, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)
    lookup_column: str = "lookup"

    def cells(self, data: object) -> dict[str, Any]:
        """Results cells of a result, a partial result or a request (live or as journaled);
        empty values left out, so they never blank a credential already in the cells."""
        mapping = data if isinstance(data, Mapping) else to_jsonable(data)
        if not isinstance(mapping, Mapping):
            return {}
        cells = {
            column: mapping.get(self.renamed.get(column, column))
            for column in self.fields
            if column not in _OWN
        }
        return {column: value for column, value in cells.items() if not _empty(value)}

    def identity(self, row: Mapping[str, str]) -> str:
        """Who a results row is about (to drop the rows a resumed run reports again)."""
        return (row.get(self.lookup_column) or "").casefold() or f"row {row.get('row')}"


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _changed(data: Mapping[str, Any]) -> str | None:
    return None if data.get("changes_applied") else "unchanged"


def _already(flag: str, status: str) -> Callable[[Mapping[str, Any]], str | None]:
    return lambda data: status if data.get(flag) else None


def _user_status(method: str) -> Starter:
    """``users disable`` / ``users reactivate``: the client's one-user method over
    ``run_each``. Both are idempotent (nothing is sent for a user already so), so every row
    runs on every run, and a lost answer is settled by running it again."""

    def start(client: AsyncBackofficeClient) -> Callable[..., Bulk[Any, Any]]:
        call = getattr(client, method)

        async def one(key: UserKey) -> Any:
            return await call(user_id=key.user_id, username=key.username)

        def key_of(key: UserKey) -> str:
            return str(key.user_id) if key.user_id is not None else (key.username or "").casefold()

        def bulk(items: Sequence[UserKey], **options: Any) -> Bulk[Any, Any]:
            return run_each(one, items, key=key_of, resolve=one, skip_done=False, **options)

        return bulk

    return start


MODIFY = Kind(
    progress="modifying",
    title="Modified",
    fields=(
        "row",
        "status",
        "lookup",
        "employee_id",
        "pos_user_id",
        "changes_applied",
        "permission_applied",
        "wage_rate",
        "overtime_wage_rate",
        "wage_effective_date",
        "resolved",
        "warnings",
        "error",
        "tenant",
        "bot_user",
    ),
    done="modified",
    start=lambda client: client.modify_employees,
    columns=("employee_id", "changes_applied"),
    statuses=(("modified", "modified"), ("unchanged", "unchanged (already so)")),
    refine=_changed,
)

REHIRE = Kind(
    progress="rehiring",
    title="Rehired",
    fields=(
        "row",
        "status",
        "lookup",
        "employee_id",
        "pos_user_id",
        "first_name",
        "last_name",
        "was_already_active",
        "changes_applied",
        "backoffice_login",
        "backoffice_user_id",
        "backoffice_username",
        "backoffice_password",
        "backoffice_permission_applied",
        "resolved",
        "warnings",
        "error",
        "tenant",
        "bot_user",
    ),
    done="rehired",
    start=lambda client: client.rehire_employees,
    columns=("employee_id", "backoffice_login", "backoffice_username", "backoffice_password"),
    statuses=(("rehired", "rehired"),),
    secrets=("backoffice_password",),
)

USERS_CREATE = Kind(
    progress="creating users",
    title="Backoffice users created",
    fields=(
        "row",
        "status",
        "username",
        "user_id",
        "password",
        "email",
        "linked_employee_id",
        "permission",
        "sites",
        "resolved",
        "warnings",
        "error",
        "tenant",
        "bot_user",
    ),
    done="created",
    start=lambda client: client.create_backoffice_users,
    columns=("user_id", "password", "permission"),
    statuses=(("created", "created"),),
    secrets=("password",),
    renamed={"permission": "permission_applied", "sites": "sites_granted"},
    lookup_column="username",
)

_USER_FIELDS = ("row", "status", "lookup", "user_id", "username")
_TAIL = ("resolved", "warnings", "error", "tenant", "bot_user")

USERS_MODIFY = Kind(
    progress="modifying users",
    title="Backoffice users modified",
    fields=(*_USER_FIELDS, "changes_applied", "permission_applied", *_TAIL),
    done="modified",
    start=lambda client: client.modify_backoffice_users,
    columns=("user_id", "changes_applied"),
    statuses=(("modified", "modified"), ("unchanged", "unchanged (already so)")),
    refine=_changed,
)

USERS_DISABLE = Kind(
    progress="disabling users",
    title="Backoffice users disabled",
    fields=(*_USER_FIELDS, *_TAIL),
    done="disabled",
    start=_user_status("disable_backoffice_user"),
    columns=("user_id", "username"),
    statuses=(("disabled", "disabled"), ("already inactive", "already inactive")),
    refine=_already("was_already_inactive", "already inactive"),
)

USERS_REACTIVATE = Kind(
    progress="reactivating users",
    title="Backoffice users reactivated",
    fields=(*_USER_FIELDS, *_TAIL),
    done="reactivated",
    start=_user_status("reactivate_backoffice_user"),
    columns=("user_id", "username"),
    statuses=(("reactivated", "reactivated"), ("already active", "already active")),
    refine=_already("was_already_active", "already active"),
)


def journaled_secrets(kind: Kind, journal: JournalContents | None) -> dict[str, dict[str, Any]]:
    """The credentials an earlier run journaled for each unfinished key (as sent, and what a
    partial write reported): they stay in the results until the row is done."""
    found: dict[str, dict[str, Any]] = {}
    if not kind.secrets:
        return found
    for state in journal or ():
        cells: dict[str, Any] = {}
        error = state.error if isinstance(state.error, Mapping) else {}
        for data in (state.item, error.get("partial")):
            if isinstance(data, Mapping):
                cells.update(kind.cells(data))
        if state.status != "done" and any(cells.get(c) for c in kind.secrets):
            found[state.key] = cells
    return found


async def run_rows(
    client: AsyncBackofficeClient,
    kind: Kind,
    rows: Sequence[LifecycleRow],
    *,
    writer: ResultsWriter | None,
    journal: Journal | None,
    console: Console,
    max_at_once: int,
    max_per_second: float | None,
    invalid: Iterable[tuple[int, str]] = (),
    report: JobReport | None = None,
    earlier: Mapping[str, Mapping[str, Any]] | None = None,
) -> JobReport:
    """Run ``rows`` through the kind's bulk stream; stream outcomes to ``writer`` and a
    progress bar.

    A row that is not done keeps the credentials it was sent with (a drawn password), and those
    an earlier run journaled for it (``earlier``), when something may exist on the server.
    ``report`` works as for :func:`._jobs.onboard` (the caller keeps it for Ctrl-C).
    """
    if writer is not None:
        for row, reason in invalid:
            writer.write({"row": row, "status": "invalid", "error": reason})
    report = JobReport(BulkSummary()) if report is None else report
    report.total = len(rows)
    earlier = earlier or {}

    def record(outcome: Outcome[Any, Any]) -> None:
        r = rows[outcome.index]
        cells: dict[str, Any] = {"row": r.row, kind.lookup_column: r.lookup}
        status = _status(outcome, kind.done)
        if outcome.status in ("failed", "unknown"):
            cells["error"] = _error_text(outcome.error)
            if kind.secrets and (outcome.status == "unknown" or outcome.key in earlier):
                # Something may exist on the server: keep the secrets an earlier run journaled
                # and those sent now.
                cells.update(earlier.get(outcome.key, {}))
                cells.update(kind.cells(outcome.item))
            cells.update(kind.cells(getattr(outcome.error, "partial", None) or {}))
        else:
            data = to_jsonable(outcome.result) if outcome.result is not None else None
            data = data if isinstance(data, Mapping) else outcome.recorded or {}
            if outcome.status == "ok":
                status = _refined(kind, outcome, data) or status
            if status == "done earlier" and isinstance(outcome.recorded, Mapping):
                cells.update(kind.cells(outcome.recorded))  # what the earlier run changed
            cells.update(kind.cells(data))
            cells["resolved"] = outcome.resolved or None
        cells[kind.lookup_column] = r.lookup
        cells["status"] = status
        if writer is not None:
            writer.write(cells)
        line = (r.row, status, r.lookup, *(_shown(kind, c, cells.get(c)) for c in kind.columns))
        shown = line if status in DONE_STATUSES else (r.lookup,)
        report.note(r.row, status, shown, cells.get("error", ""))

    bulk = kind.start(client)(
        [r.request for r in rows],
        journal=journal,
        on_outcome=record,
        max_at_once=max_at_once,
        max_per_second=max_per_second,
    )
    return await drive(bulk, console, kind.progress, len(rows), report)


def _refined(kind: Kind, outcome: Outcome[Any, Any], data: Mapping[str, Any]) -> str | None:
    """The status of a row done now, from its result. A change with nothing left to do was
    done by an earlier run: ``done earlier`` when the journal recorded it done, the kind's
    ``done`` status (``resolved``) when this run settled an interrupted attempt, ``unchanged``
    when no run of this journal did it."""
    status = kind.refine(data)
    if status == "unchanged":
        if outcome.resolved:
            return None
        if isinstance(outcome.recorded, Mapping):
            return "done earlier"
    return status


def _shown(kind: Kind, column: str, value: object) -> object:
    """A results cell as the screen shows it: secrets masked, lists joined."""
    if column in kind.secrets:
        return mask(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def print_lifecycle(kind: Kind, title: str) -> Callable[[AppState, JobReport, int], None]:
    """The printer of a kind's report: its tables (secrets masked) and summary."""

    def show(state: AppState, report: JobReport, invalid: int) -> None:
        if report.lines:
            lines = [report.lines[row] for row in sorted(report.lines)]
            columns = ["row", "status", "lookup", *kind.columns]
            state.console.print(table(kind.title, columns, lines, limit=60))
        if report.problems:
            rows = [report.problems[row] for row in sorted(report.problems)]
            state.console.print(table("Rows not done", ["row", "lookup", "status", "error"], rows))
        counts = report.counts()
        summary: list[tuple[str, int]] = [
            (label, counts[s]) for s, label in kind.statuses if counts[s] or s == kind.done
        ]
        for status, label in (
            ("done earlier", "done earlier (journal)"),
            ("failed", "failed (nothing applied)"),
            ("unknown", "unknown (may have been applied; re-run to settle)"),
            ("unverified", "applied, not verified (see error)"),
        ):
            if counts[status] or status in ("failed",):
                summary.append((label, counts[status]))
        if report.summary.resolved:
            summary.append(("settled from the Backoffice's state", report.summary.resolved))
        if invalid:
            summary.append(("skipped as invalid", invalid))
        not_started = report.total - len(report.statuses)
        if not_started > 0:
            summary.append(("not started (re-run to continue)", not_started))
        state.console.print(table(title, ["", "rows"], summary))

    return show
