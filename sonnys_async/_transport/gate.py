"""The per-session read/write gate: a redirect's flash message reaches the request reading it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio

__all__ = ["SessionGate"]


class SessionGate:
    """Shared/exclusive access to one session, so a redirect's flash message reaches its reader.

    Symfony renders a flash message (the errors of a bounced form, protocol §2.4, §16.1) on the
    *next* page the session requests, whoever requests it. A request that must read the page its
    redirect points to (a rejected POST's ``?actionXfer=`` page) holds its session exclusively
    from before it is sent until that page is read; other requests share the session freely.
    PHP serves one request per session at a time anyway, so the exclusivity costs little.
    Waiting writers block new readers, so a busy session cannot starve a POST.
    """

    # All state changes happen on the event loop's one thread between awaits, so plain counters
    # suffice; an Event (replaced after each set) wakes whoever waits for a change.

    def __init__(self) -> None:
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0
        self._changed = anyio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        """Use the session alongside other shared users (waits while a writer holds or waits)."""
        while self._writer or self._writers_waiting:
            await self._changed.wait()
        self._readers += 1
        try:
            yield
        finally:
            self._readers -= 1
            if not self._readers:
                self._notify()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Use the session alone (waits for the shared users in; holds new ones back)."""
        self._writers_waiting += 1
        try:
            while self._writer or self._readers:
                await self._changed.wait()
        finally:
            self._writers_waiting -= 1
            self._notify()  # readers held back by this waiter may go if it was cancelled
        self._writer = True
        try:
            yield
        finally:
            self._writer = False
            self._notify()
