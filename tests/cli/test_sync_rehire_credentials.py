"""`sync apply` keeps a rehire's new Backoffice password in the results file when the rehire
may have been applied but is not done: the password the outcome reports (its partial result),
else the one the item was sent with (fixed by the client before it was journaled)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console

from sonnys_async.bulk import Bulk, run_each
from sonnys_async.cli._output import ResultsWriter
from sonnys_async.cli._sync_results import (
    SYNC_RESULT_FIELDS,
    SYNC_SECRET_COLUMNS,
    SyncReport,
    apply_job,
)
from sonnys_async.errors import FormRejectedError, OutcomeUnknownError, WriteNotVerifiedError
from sonnys_async.models import SyncItem, SyncPlan
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv
from .test_sync_apply import plan_file
from .test_sync_plan import scenario

SENT = "SentPassw0rd1"
REPORTED = "Rep0rtedPassw0rd"


class FailingRehires:
    """A client whose ``apply_plan`` ends every rehire with ``error`` (and does nothing else)."""

    def __init__(self, error: Callable[[], BaseException]) -> None:
        self.error = error

    def apply_plan(
        self, plan: SyncPlan, *, allow_mass_disable: bool, **options: Any
    ) -> Bulk[SyncItem, Any]:
        async def one(item: SyncItem) -> Any:
            raise self.error()

        rehires = [i for i in plan.actionable if i.action == "rehire"]
        return run_each(one, rehires, key=lambda i: i.key, **options)


def rehire_plan(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> SyncPlan:
    """The scenario's plan, its rehire sent with a new password (as the client fixes it)."""
    rows, _ = scenario(sb)
    plan = SyncPlan.from_json(plan_file(invoke, tmp_path, rows, "plan").read_text("utf-8"))
    items = []
    for item in plan.items:
        if item.action == "rehire":
            request = dict(item.request)
            request["rehire"] = {**request["rehire"], "backoffice_password": SENT}
            item = item.model_copy(update={"request": request})
        items.append(item)
    return plan.model_copy(update={"items": tuple(items)})


async def apply_rehires(plan: SyncPlan, client: FailingRehires, out: Path) -> list[dict[str, str]]:
    with ResultsWriter(out, SYNC_RESULT_FIELDS, secrets=SYNC_SECRET_COLUMNS) as writer:
        await apply_job(
            client,  # type: ignore[arg-type]
            plan,
            writer=writer,
            journal=None,
            console=Console(file=None, quiet=True),
            allow_mass_disable=True,
            max_at_once=1,
            max_per_second=None,
            report=SyncReport(),
            earlier=None,
        )
    return [r for r in read_csv(out) if r["action"] == "rehire"]


def test_an_unknown_rehire_keeps_the_password_it_was_sent_with(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    plan = rehire_plan(invoke, sb, tmp_path)
    lost = FailingRehires(lambda: OutcomeUnknownError("answer lost", url="/user/update"))
    [row] = anyio.run(apply_rehires, plan, lost, tmp_path / "results.csv")
    assert row["status"] == "unknown"
    assert row["backoffice_password"] == SENT


def test_the_password_an_unverified_rehire_reports_wins_over_the_one_sent(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    plan = rehire_plan(invoke, sb, tmp_path)
    unverified = FailingRehires(
        lambda: WriteNotVerifiedError(
            "read-back failed",
            what="rehire",
            partial={"backoffice_password": REPORTED, "backoffice_username": "syncback"},
        )
    )
    [row] = anyio.run(apply_rehires, plan, unverified, tmp_path / "results.csv")
    assert row["status"] == "unverified"
    assert row["backoffice_password"] == REPORTED


def test_a_rehire_refused_outright_writes_no_password(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    plan = rehire_plan(invoke, sb, tmp_path)
    refused = FailingRehires(lambda: FormRejectedError("refused", url="/user/update", messages=[]))
    [row] = anyio.run(apply_rehires, plan, refused, tmp_path / "results.csv")
    assert row["status"] == "failed"
    assert row["backoffice_password"] == ""
