"""Who holds which unique value: POS User IDs, phones, e-mails and Backoffice usernames.

The server keeps these unique (protocol §4, §6.6, §16.4) but offers no lookup for most of them:
the roster has no phone filter and no e-mail column (§10.2), employees' e-mails appear only in
the ``/user/create`` dropdown (§11.2). :class:`ContactIndex` reads the three lists once (the
roster, that dropdown, the Backoffice user list), keeps them for ``ttl`` seconds, and adds what
the client itself writes, so a pre-flight costs no request while the index is fresh. The server's
own refusal stays the backstop for values taken by someone else in the meantime.

The index has two parts, each read at most once per ``ttl``: the roster (POS User IDs, phones:
every page of ``/employee``) and the e-mail lists (the ``/user/create`` dropdown and the
Backoffice user list: e-mails and usernames). The first use reads both; after that a lookup
refreshes only the part it needs, so an e-mail check never downloads the roster (59 MB at
20,000 employees) and a phone check never parses the dropdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import anyio

from ..core.text import digits, norm
from ..models import normalize_phone
from .roster import Roster

__all__ = ["CONTACT_INDEX_TTL", "ContactIndex", "Holders"]

#: Seconds an index read stays fresh (the client's own writes are added as they happen).
CONTACT_INDEX_TTL = 300.0

Part = Literal["roster", "emails"]
#: Both parts of the index.
BOTH: tuple[Part, ...] = ("roster", "emails")


@dataclass(slots=True)
class Holders:
    """The unique values the tenant holds, each with the ids of its holders."""

    pos_user_ids: dict[int, set[int]] = field(default_factory=dict)
    phones: dict[str, set[int]] = field(default_factory=dict)
    employee_emails: dict[str, set[int]] = field(default_factory=dict)
    user_emails: dict[str, set[int]] = field(default_factory=dict)
    usernames: dict[str, set[int]] = field(default_factory=dict)

    def add(self, table: dict[str, set[int]] | dict[int, set[int]], key: object, who: int) -> None:
        """Record ``who`` as a holder of ``key`` in ``table`` (empty keys are skipped)."""
        if key in ("", None):
            return
        table.setdefault(key, set()).add(who)  # type: ignore[arg-type]


class ContactIndex:
    """The tenant's unique values, read once and cached per client.

    Args:
        roster: The list reads.
        ttl: Seconds before the next use reads the lists again.
        clock: Monotonic clock (tests pass a fake one).
    """

    def __init__(
        self,
        roster: Roster,
        *,
        ttl: float = CONTACT_INDEX_TTL,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._roster = roster
        self._ttl = ttl
        self._clock = clock or anyio.current_time
        self._holders: Holders | None = None
        self._read_at: dict[Part, float] = {}
        self._lock = anyio.Lock()
        #: The client's own writes noted while a read is under way (``None``: no read), added
        #: again to what the read found: the lists it read may predate them.
        self._noted_while_reading: list[Callable[[Holders], None]] | None = None

    async def holders(self, *, refresh: bool = False, parts: Iterable[Part] = BOTH) -> Holders:
        """The index; each of ``parts`` read again when stale or when ``refresh`` is given.

        The first use reads both parts, whatever ``parts`` says (a client's first pre-flight
        needs both).
        """
        async with self._lock:
            if self._holders is None:
                self._holders = Holders()
                parts, refresh = BOTH, True
            noted: list[Callable[[Holders], None]] = []
            self._noted_while_reading = noted
            try:
                for part in parts:
                    read_at = self._read_at.get(part)
                    if refresh or read_at is None or self._clock() - read_at > self._ttl:
                        await self._read(self._holders, part)
                        self._read_at[part] = self._clock()
            finally:
                self._noted_while_reading = None
                for note in noted:  # (a read replaces its tables only once it has them all)
                    note(self._holders)
            return self._holders

    async def _read(self, found: Holders, part: Part) -> None:
        if part == "roster":
            pos_user_ids: dict[int, set[int]] = {}
            phones: dict[str, set[int]] = {}
            for row in await self._roster.rows(active="all"):
                if row.pos_user_id is not None:
                    found.add(pos_user_ids, row.pos_user_id, row.employee_id)
                found.add(phones, digits(row.phone)[-10:], row.employee_id)
            found.pos_user_ids, found.phones = pos_user_ids, phones
            return
        employee_emails: dict[str, set[int]] = {}
        user_emails: dict[str, set[int]] = {}
        usernames: dict[str, set[int]] = {}
        for option in await self._roster.employee_options():
            key = norm(option.email)
            if key:  # Holders.add, inlined (one option per active employee)
                held = employee_emails.get(key)
                if held is None:
                    employee_emails[key] = {option.employee_id}
                else:
                    held.add(option.employee_id)
        for user in await self._roster.all_users():
            found.add(user_emails, norm(user.email), user.user_id)
            found.add(usernames, norm(user.username), user.user_id)
        found.employee_emails, found.user_emails = employee_emails, user_emails
        found.usernames = usernames

    # ------------------------------------------------------------------ the client's own writes

    def note_employee(
        self, employee_id: int, *, pos_user_id: int | None, phone: str | None, email: str | None
    ) -> None:
        """Add an employee the client created or changed (no request)."""

        def note(holders: Holders) -> None:
            if pos_user_id is not None:
                holders.add(holders.pos_user_ids, pos_user_id, employee_id)
            holders.add(holders.phones, digits(phone)[-10:], employee_id)
            holders.add(holders.employee_emails, norm(email), employee_id)

        self._note(note)

    def note_user(self, user_id: int, *, username: str | None, email: str | None) -> None:
        """Add a Backoffice user the client created or changed (no request)."""

        def note(holders: Holders) -> None:
            holders.add(holders.usernames, norm(username), user_id)
            holders.add(holders.user_emails, norm(email), user_id)

        self._note(note)

    def _note(self, note: Callable[[Holders], None]) -> None:
        if self._holders is None:
            return
        note(self._holders)
        if self._noted_while_reading is not None:
            self._noted_while_reading.append(note)

    # ------------------------------------------------------------------ lookups

    async def email_holders(
        self, email: str, *, refresh: bool = False
    ) -> tuple[frozenset[int], frozenset[int]]:
        """Ids of the employees and of the Backoffice users using ``email``."""
        index = await self.holders(refresh=refresh, parts=("emails",))
        key = norm(email)
        return (
            frozenset(index.employee_emails.get(key, ())),
            frozenset(index.user_emails.get(key, ())),
        )

    async def phone_holders(self, phone: str, *, refresh: bool = False) -> frozenset[int]:
        """Ids of the employees (active or not) with this phone (last 10 digits)."""
        index = await self.holders(refresh=refresh, parts=("roster",))
        return frozenset(index.phones.get(normalize_phone(phone), ()))

    async def pos_user_id_holders(
        self, pos_user_id: int, *, refresh: bool = False
    ) -> frozenset[int]:
        """Ids of the employees (active or not) holding this POS User ID, from the index (the
        roster read at most once per ``ttl``, plus the client's own writes): a bulk run's
        pre-flight, the server's refusal being the backstop for an ID taken since."""
        index = await self.holders(refresh=refresh, parts=("roster",))
        return frozenset(index.pos_user_ids.get(pos_user_id, ()))

    async def is_email_available(self, email: str, *, refresh: bool = False) -> bool:
        """Whether no employee and no Backoffice user uses this e-mail (case-insensitive).

        Employees' e-mails are read from ``/user/create`` (its employee options carry
        ``data-email``; the roster has no e-mail column, §11.2); Backoffice users' from the user
        list. The lists are read once and cached per client for 5 minutes (the client's own
        writes are added as they happen); ``refresh=True`` reads them again now (not the
        roster). The dropdown is read in time linear in its options.

        Args:
            email: The address.
            refresh: Read the lists again instead of using the cache.

        Returns:
            ``True`` when unused.
        """
        employees, users = await self.email_holders(email, refresh=refresh)
        return not employees and not users

    async def is_phone_available(self, phone: str, *, refresh: bool = False) -> bool:
        """Whether no employee (active or not) has this phone (last 10 digits compared).

        The roster has no phone filter (§10.2): it is read whole once and cached per client for
        5 minutes (the client's own writes are added as they happen); ``refresh=True`` reads it
        again now.

        Args:
            phone: Any formatting.
            refresh: Read the roster again instead of using the cache.

        Returns:
            ``True`` when unused.
        """
        return not await self.phone_holders(phone, refresh=refresh)

    async def taken_usernames(self, usernames: Iterable[str]) -> set[str]:
        """Which of these usernames some Backoffice user holds (case-insensitive)."""
        index = await self.holders(parts=("emails",))
        return {u for u in usernames if norm(u) in index.usernames}
