"""The bulk executor from plain code: the sync client's create_employees is a plain iterator."""

from __future__ import annotations

from pathlib import Path

from sonnys_async import RetryPolicy
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.sync import BackofficeClient


def hires(n: int) -> list[dict[str, object]]:
    return [
        {
            "first_name": f"Sync{i}",
            "last_name": "Hire",
            "phone": f"(214) 555-03{i:02d}",
            "email": f"sync{i}@example.invalid",
            "pos_user_id": 96000 + i,
            "wage_rate": "15.00",
            "start_date": "2026-12-01",
            "available_sites": ["NAPER"],
            "permission": "Cashier",
            "pos_pin": 20000 + i,
        }
        for i in range(n)
    ]


def test_sync_client_streams_bulk_outcomes_and_resumes(tmp_path: Path) -> None:
    sb = Sandbox(SandboxOptions(employees=20, bo_users=2, seed=4))
    path = tmp_path / "sync.jsonl"
    with BackofficeClient(
        sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
    ) as client:
        with Journal(path) as journal:
            first = list(client.create_employees(hires(6), max_at_once=3, journal=journal))
        with Journal(path) as journal:
            again = list(client.create_employees(hires(6), max_at_once=3, journal=journal))
    assert sorted((o.index, o.status) for o in first) == [(i, "ok") for i in range(6)]
    assert {o.status for o in again} == {"skipped"}
    for i in range(6):
        stored = sb.state.employee_by_pos_user_id(96000 + i)
        assert stored is not None
        assert stored.pos_pin == 20000 + i
