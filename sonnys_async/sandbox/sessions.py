"""PHP-style sessions keyed by ``PHPSESSID``: issue, expire, and end a user's other sessions."""

from __future__ import annotations

import random
import string
from collections import Counter
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
        #: Every session id issued, in order (the admin view serves them to secret scans).
        self.issued: list[str] = []
        #: Why each logged-in session ended: ``"max_requests"``, ``"idle"``, ``"replaced"`` (a
        #: newer login of its user, ``single_session_per_user``) or ``"cleared"``.
        self.ended: dict[str, str] = {}
        #: Ended logged-in sessions a later request still presented, by reason (once per session).
        self.observed: Counter[str] = Counter()
        self._observed_ids: set[str] = set()

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
            idled = idle is not None and now - session.last_seen > idle
            used_up = (
                limit is not None and session.user_id is not None and session.requests >= limit
            )
            if idled or used_up:
                del self._sessions[session.id]
                self._end(session, "idle" if idled else "max_requests")
                session = None
        if sid and session is None:
            self._observe(sid)
        if session is None:
            new_id = "".join(self._rng.choice(_ID_ALPHABET) for _ in range(26))
            session = Session(new_id, now)
            self._sessions[new_id] = session
            self.issued.append(new_id)
            return session, True
        session.last_seen = now
        return session, False

    def end_other_sessions_of(self, user_id: int, keep: Session) -> None:
        """End every session of ``user_id`` but ``keep`` (``single_session_per_user``)."""
        for other in [s for s in self._sessions.values() if s.user_id == user_id]:
            if other is not keep:
                del self._sessions[other.id]
                self._end(other, "replaced")

    def clear(self) -> None:
        """End every session."""
        for session in self._sessions.values():
            self._end(session, "cleared")
        self._sessions.clear()

    def _end(self, session: Session, reason: str) -> None:
        if session.user_id is not None:
            self.ended[session.id] = reason

    def _observe(self, sid: str) -> None:
        reason = self.ended.get(sid)
        if reason is not None and sid not in self._observed_ids:
            self._observed_ids.add(sid)
            self.observed[reason] += 1
