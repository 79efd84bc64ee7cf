"""What a request handler gets: the tenant's server-side services and the request itself."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import parse_qsl

from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.responses import Response, redirect
from sonnys_async.sandbox.rules.outcome import Flash, PostResult
from sonnys_async.sandbox.sessions import Session, SessionStore
from sonnys_async.sandbox.state import TenantState
from sonnys_async.sandbox.views.pages import Views

__all__ = ["Handler", "Request", "Server"]

_TOKEN_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class Request:
    """One routed request: method, path, raw query and body, session, path parameters."""

    method: str
    path: str
    query: str
    body: bytes
    session: Session
    #: Values of the route pattern's placeholders (``{id}``, ``{page}``).
    args: Mapping[str, str] = field(default_factory=dict)

    @property
    def params(self) -> list[tuple[str, str]]:
        """The query pairs in order, blank values kept."""
        return parse_qsl(self.query, keep_blank_values=True)


@dataclass(slots=True)
class Server:
    """The tenant's server side, shared by every handler of one sandbox."""

    state: TenantState
    options: SandboxOptions
    sessions: SessionStore
    views: Views
    #: Seeded generator of ``actionXfer`` tokens (the session store draws ids from it too).
    rng: random.Random
    #: Failed login times per lower-cased username (``login_throttle``).
    login_failures: dict[str, list[float]] = field(default_factory=dict)

    def take_flash(self, session: Session) -> Flash | None:
        """The session's pending alert; consumed unless ``one_shot_flash`` is off (§20.13)."""
        flash = session.flash
        if self.options.one_shot_flash:
            session.flash = None
        return flash

    def now(self) -> datetime:
        """The server's wall clock for record timestamps.

        A pinned ``today`` pins them too (``today`` 12:00), so two sandboxes with the same
        options and requests render identical pages.
        """
        if self.options.today is not None:
            return datetime.combine(self.options.today, time(12, 0))
        return datetime.now().replace(microsecond=0)

    def today(self) -> date:
        """The server's date (create-form start date, Add-Wage default)."""
        return self.options.today_date()

    def answer_post(self, session: Session, result: PostResult) -> Response:
        """The 302 of a form POST: failures get ``actionXfer=<8 alphanumerics>`` (§2.4)."""
        location = result.location
        if result.failed:
            token = "".join(self.rng.choice(_TOKEN_ALPHABET) for _ in range(8))
            location += ("&" if "?" in location else "?") + f"actionXfer={token}"
        session.flash = result.flash
        return redirect(location)


#: A route's handler.
Handler = Callable[[Server, Request], Response]
