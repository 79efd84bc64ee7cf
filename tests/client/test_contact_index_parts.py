"""The contact index's two parts: a lookup refreshes only the part it needs (issue 11).

An e-mail check never downloads the roster, a phone check never reads /user/create, and each
refresh reads its lists exactly once.
"""

from __future__ import annotations

from sonnys_async import AsyncBackofficeClient
from sonnys_async.sandbox import Sandbox

from .conftest import hire


def _reads(client: AsyncBackofficeClient) -> dict[str, int]:
    stats = client.transport.stats
    return {
        "roster": stats.count("GET", "/employee"),
        "dropdown": stats.count("GET", "/user/create"),
        "users": stats.count("GET", "/user"),
    }


async def test_each_lookup_refreshes_only_its_part(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await client.is_phone_available("6150000000")  # first use: both parts
    assert _reads(client) == {"roster": 1, "dropdown": 1, "users": 1}
    client.transport.stats.reset()
    for _ in range(3):
        await client.is_phone_available("6150000000")
        await client.is_email_available("nobody@example.invalid")
    assert _reads(client) == {"roster": 0, "dropdown": 0, "users": 0}  # fresh: no request
    await client.is_phone_available("6150000000", refresh=True)
    assert _reads(client) == {"roster": 1, "dropdown": 0, "users": 0}
    await client.is_email_available("nobody@example.invalid", refresh=True)
    assert _reads(client) == {"roster": 1, "dropdown": 1, "users": 1}


async def test_own_writes_are_in_both_parts(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    await client.is_email_available("nobody@example.invalid")
    created = await client.create_employee(**hire())
    client.transport.stats.reset()
    assert not await client.is_email_available(created.email)
    stored = sb.state.employees[created.employee_id]
    assert not await client.is_phone_available(stored.phone)
    assert client._contacts is not None
    assert await client._contacts.pos_user_id_holders(created.pos_user_id) == {created.employee_id}
    assert client.transport.stats.total == 0
