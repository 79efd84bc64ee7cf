"""A refresh of the contact index keeps the client's own writes noted while it was reading.

The lists a refresh reads may predate a write the client made during the read (a long bulk run
crosses the index's TTL): the values the client noted meanwhile stay in the index, so a later
row with the same value is still stopped before any request.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import anyio

from sonnys_async._services.contacts import ContactIndex
from sonnys_async._services.roster import Roster


class _SlowRoster:
    """The three lists, each read waiting on ``gate`` (empty tenant)."""

    def __init__(self) -> None:
        self.gate = anyio.Event()
        self.reading = anyio.Event()

    async def _wait(self) -> None:
        self.reading.set()
        await self.gate.wait()

    async def rows(self, *, active: str) -> list[Any]:
        await self._wait()
        return [SimpleNamespace(pos_user_id=7, employee_id=1, phone="615 555 0001")]

    async def employee_options(self) -> tuple[Any, ...]:
        await self._wait()
        return (SimpleNamespace(employee_id=1, email="old@x.invalid"),)

    async def all_users(self) -> list[Any]:
        return [SimpleNamespace(user_id=5, email="u@x.invalid", username="olduser")]


async def test_writes_noted_during_a_refresh_survive_it() -> None:
    roster = _SlowRoster()
    roster.gate.set()
    index = ContactIndex(cast(Roster, roster))
    await index.holders()  # first read: both parts
    roster.gate = anyio.Event()
    roster.reading = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: index.holders(refresh=True))
        await roster.reading.wait()  # the refresh is reading the roster
        index.note_employee(2, pos_user_id=8, phone="(615) 555-0002", email="New@x.invalid")
        index.note_user(6, username="NewUser", email="nu@x.invalid")
        roster.gate.set()
    held = await index.holders()
    assert held.pos_user_ids == {7: {1}, 8: {2}}
    assert held.phones == {"6155550001": {1}, "6155550002": {2}}
    assert held.employee_emails == {"old@x.invalid": {1}, "new@x.invalid": {2}}
    assert held.usernames == {"olduser": {5}, "newuser": {6}}
    assert held.user_emails == {"u@x.invalid": {5}, "nu@x.invalid": {6}}


async def test_a_refresh_drops_what_the_tenant_no_longer_holds() -> None:
    roster = _SlowRoster()
    roster.gate.set()
    index = ContactIndex(cast(Roster, roster))
    index.note_employee(3, pos_user_id=9, phone=None, email=None)  # before any read: ignored
    await index.holders()
    index.note_employee(4, pos_user_id=10, phone=None, email=None)  # noted, then a refresh
    held = await index.holders(refresh=True)
    assert held.pos_user_ids == {7: {1}}  # the refresh's lists decide what was noted before it
