"""PHP-style sessions keyed by ``PHPSESSID``: issue, expire, and end a user's other sessions."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

import anyio

from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.rules.outcome import Flash

__all__ = ["Session", "SessionStore"]

_ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(slots=True)
class Session:
    """One server session: who is logged in, request count, pending flash, the session lock."""

    id: str
    last_seen: float
    user_id: int | None = None
    requests: int = 0
    flash: Flash | None = None
    lock: anyio.Lock = field(default_factory=anyio.Lock)


class SessionStore:
    """The live sessions of one sandbox.

    Args:
        options: expiry settings (``session_idle_timeout``, ``session_max_requests``, ``clock``).
        rng: the seeded generator of session ids (shared with the ``actionXfer`` tokens, so one
            seed fixes both sequences).
    """

    def __init__(self, options: SandboxOptions, rng: random.Random) -> None:
        self._options = options
        self._rng = rng
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def session_for(self, sid: str | None) -> tuple[Session, bool]:
        """The live session for cookie value ``sid``, or a new anonymous one.

        Returns:
            (session, whether it is new and its cookie must be set).
        """
        opts = self._options
        now = opts.now()
        session = self._sessions.get(sid) if sid else None
        if session is not None:
            idle, limit = opts.session_idle_timeout, opts.session_max_requests
            expired = (idle is not None and now - session.last_seen > idle) or (
                limit is not None and session.user_id is not None and session.requests >= limit
            )
            if expired:
                del self._sessions[session.id]
                session = None
        if session is None:
            new_id = "".join(self._rng.choice(_ID_ALPHABET) for _ in range(26))
            session = Session(new_id, now)
            self._sessions[new_id] = session
            return session, True
        session.last_seen = now
        return session, False

    def end_other_sessions_of(self, user_id: int, keep: Session) -> None:
        """End every session of ``user_id`` but ``keep`` (``single_session_per_user``)."""
        for other in [s for s in self._sessions.values() if s.user_id == user_id]:
            if other is not keep:
                del self._sessions[other.id]

    def clear(self) -> None:
        """End every session."""
        self._sessions.clear()
