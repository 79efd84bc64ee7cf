"""preflight_employees: every problem of every hire found by reading only, before any write."""

from __future__ import annotations

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.models import CreateEmployeeRequest
from sonnys_async.sandbox import Sandbox

from .conftest import hire


def _posts(sb: Sandbox) -> int:
    return sum(1 for r in sb.request_log if r.method == "POST" and r.path != "/login_check")


async def test_preflight_names_every_unknown_name_of_every_row(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    requests = [
        CreateEmployeeRequest(**hire()),
        CreateEmployeeRequest(**hire(available_sites=["Nowhere"], permission="Astronaut")),
        CreateEmployeeRequest(**hire(departments=["Kitchen"])),
    ]
    issues = await client.preflight_employees(requests, check_unique=False)
    assert [(i.row, i.field) for i in issues] == [
        (1, "available_sites"),
        (1, "permission"),
        (2, "departments"),
    ]
    assert "Astronaut" in issues[1].message
    assert _posts(sb) == 0


async def test_preflight_finds_values_taken_on_the_tenant_and_within_the_batch(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    holder = next(e for e in sb.state.employees.values() if e.email and e.phone)
    taken = hire(pos_user_id=holder.pos_user_id, email=holder.email.upper(), phone=holder.phone)
    twin_a = hire()
    twin_b = hire(email=twin_a["email"])
    requests = [CreateEmployeeRequest(**h) for h in (hire(), taken, twin_a, twin_b)]
    issues = await client.preflight_employees(requests)
    assert {(i.row, i.field) for i in issues} == {
        (1, "pos_user_id"),
        (1, "email"),
        (1, "phone"),
        (3, "email"),
    }
    assert _posts(sb) == 0


async def test_preflight_costs_the_same_for_five_hires_as_for_fifty(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await client.list_sites()
    await client.list_pos_templates()
    counts = []
    for size in (5, 50):
        requests = [CreateEmployeeRequest(**hire()) for _ in range(size)]
        client.transport.stats.reset()
        assert await client.preflight_employees(requests) == []
        counts.append(client.transport.stats.total_without_login)
    assert counts[0] == counts[1] <= 5
