"""Two leavers who share a name, told apart by their phones, are two items of a journaled run."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client


async def test_same_name_leavers_with_different_phones_are_journaled_apart(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "leavers.jsonl"
    async with make_client(sb) as client:
        made = [
            await client.create_employee(
                **hire(first_name="Sam", last_name="Twin", phone=f"615555010{k}")
            )
            for k in (1, 2)
        ]
        leavers = [
            {"first_name": "Sam", "last_name": "Twin", "phone": f"(615) 555-010{k}"} for k in (1, 2)
        ]
        with Journal(path) as journal:
            async with client.disable_employees(leavers, journal=journal) as run:
                outcomes = [o async for o in run]
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert sorted(o.result.employee_id for o in outcomes) == sorted(m.employee_id for m in made)
    assert all(not sb.state.employees[m.employee_id].active for m in made)
    with Journal(path) as journal:  # a rerun finds each leaver done under its own key
        async with make_client(sb) as client2:
            run2 = client2.disable_employees(leavers, journal=journal)
            async with run2 as rerun:
                again = [o async for o in rerun]
    assert [o.status for o in again] == ["ok", "ok"]
    assert sorted(o.result.employee_id for o in again) == sorted(m.employee_id for m in made)
