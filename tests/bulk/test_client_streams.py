"""The client's bulk streams against a sandbox: a hire whose answer was lost and that landed
late is settled and finished, not reported failed or duplicate; a refused login is sent once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sonnys_async.bulk import Outcome
from sonnys_async.errors import DuplicateError, OutcomeUnknownError
from sonnys_async.journal import Journal

from .sandboxed import LateInsert, client_of, hire, logins, sandbox


async def test_a_hire_whose_answer_was_lost_and_that_landed_late_is_settled_at_the_end(
    tmp_path: Path,
) -> None:
    sb = sandbox()
    late = LateInsert(sb.transport())
    seen: list[Outcome[Any, Any]] = []

    def record(outcome: Outcome[Any, Any]) -> None:
        seen.append(outcome)
        if outcome.status == "unknown":
            late.land()  # the delayed POST reaches the server after the settling read

    rows = [hire(1), hire(2), hire(3)]
    async with client_of(sb, transport=late) as client:
        with Journal(tmp_path / "j.jsonl") as journal:
            bulk = client.create_employees(rows, journal=journal, max_at_once=1, on_outcome=record)
            async with bulk:
                outcomes = [o async for o in bulk]
    first = [o for o in outcomes if o.index == 0]
    assert [(o.status, o.resolved) for o in first] == [("unknown", False), ("ok", True)]
    assert isinstance(first[0].error, OutcomeUnknownError)
    assert seen == outcomes
    assert (bulk.summary.ok, bulk.summary.unknown, bulk.summary.resolved) == (3, 0, 1)
    [stored] = [e for e in sb.state.employees.values() if e.pos_user_id == rows[0]["pos_user_id"]]
    assert stored.pos_pin == rows[0]["pos_pin"] == first[1].result.pos_pin
    assert stored.grants  # finished: the POS template was applied
    with Journal(tmp_path / "j.jsonl") as journal:
        assert journal.counts() == {"done": 3, "failed": 0, "ambiguous": 0}


async def test_a_pos_user_id_held_by_the_same_hire_is_finished_not_a_duplicate() -> None:
    sb = sandbox()
    row = hire(7)
    async with client_of(sb) as client:
        await client.create_employee(**row)  # an earlier attempt that landed late
        async with client.create_employees([row]) as bulk:
            outcomes = [o async for o in bulk]
    [outcome] = outcomes
    assert (outcome.status, outcome.resolved) == ("ok", True)
    assert outcome.result is not None
    assert outcome.result.pos_pin == row["pos_pin"]
    assert sum(1 for e in sb.state.employees.values() if e.pos_user_id == row["pos_user_id"]) == 1


async def test_a_pos_user_id_held_by_someone_else_stays_a_duplicate() -> None:
    sb = sandbox()
    row = hire(8)
    async with client_of(sb) as client:
        await client.create_employee(**dict(row, first_name="Other", email="o@example.invalid"))
        async with client.create_employees([dict(row, phone="6157199999")]) as bulk:
            outcomes = [o async for o in bulk]
    [outcome] = outcomes
    assert outcome.status == "failed"
    assert isinstance(outcome.error, DuplicateError)


async def test_a_wrong_password_is_tried_once_for_fifty_rows() -> None:
    sb = sandbox()
    async with client_of(sb, password="wrong") as client:
        async with client.disable_employees(list(range(50_001, 50_051)), max_at_once=1) as off:
            async for _ in off:
                pass
        async with client.create_employees([hire(n) for n in range(50)], max_at_once=1) as on:
            async for _ in on:
                pass
    assert off.summary.stopped == on.summary.stopped == "authentication"
    assert off.summary.total == on.summary.total == 1
    assert logins(sb) <= 2  # one per run (the transport may even refuse the second at once)


async def test_a_refused_login_starts_no_new_row_whatever_the_concurrency() -> None:
    sb = sandbox()
    async with client_of(sb, password="wrong") as client:
        bulk = client.disable_employees(list(range(50_001, 50_051)), max_at_once=4)
        async with bulk:
            async for _ in bulk:
                pass
    assert bulk.summary.stopped == "authentication"
    assert bulk.summary.total <= 4
    assert logins(sb) <= 4
