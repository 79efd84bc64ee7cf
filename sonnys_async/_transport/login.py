"""The login flow (protocol §3): lazy, one login at a time, and how expiry is recognised.

``GET /login`` issues the PHPSESSID (§3.1), then ``POST /login_check`` sends the credentials
(§3.2): success is a 302 to ``/``; a 302 back to ``/login`` is a refusal whose reason the next
``GET /login`` shows in its alert block (read by :func:`~sonnys_async.core.pages.login_alert`).
A session has expired when an answer is a 302 to ``/login``, a login page served with 200, or a
401/403 (§3.3 and the sandbox contract).

Logins are made one at a time across the whole pool (one lock), so the first refusal is seen
by every session before any of them sends the same credentials again, and a server that ends a
user's older sessions sees no burst of concurrent logins. A refusal and a login storm stop all
further requests (:mod:`.breaker`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio
import httpx

from .._constants import LOGIN_CHECK_PATH, LOGIN_PATH
from ..core.forms import encode_pairs
from ..core.pages import is_login_page, login_alert
from ..errors import AuthenticationError
from .breaker import LoginBreaker
from .pool import LoginCookie, Session, SessionPool
from .send import Sender
from .stats import TransportStats, logger

__all__ = ["Login", "is_expired", "location_path"]

_REDIRECTS = (301, 302, 303, 307, 308)
# The login POST answers one of these; the ones a browser would follow with a GET.
_LOGIN_REDIRECTS = (301, 302, 303)


def location_path(location: str | None) -> str | None:
    """The path of a ``Location`` header (``None`` when there is none)."""
    if location is None:
        return None
    try:
        return urlsplit(location).path
    except ValueError:  # e.g. an unbalanced "[" in the host part of a hostile Location
        return location


def is_expired(resp: httpx.Response) -> bool:
    """Whether an answer says the session is logged out (§3.3): 401/403, a redirect to the
    login page, or the login page itself served with 200."""
    if resp.status_code in (401, 403):
        return True
    if resp.status_code in _REDIRECTS:
        return location_path(resp.headers.get("location")) == LOGIN_PATH
    return resp.status_code == 200 and is_login_page(resp.text)


class Login:
    """Logs pooled sessions in with one account's credentials.

    Args:
        username: Bot account user name.
        password: Bot account password (never logged, never in an error message or a repr).
        sender: Sends the login requests (counted, limited and retried like any other).
        pool: The sessions; told of every successful login.
        stats: Where logins and re-logins are counted.
        breaker: Remembers a refusal and stops login storms.
    """

    def __init__(
        self,
        *,
        username: str,
        password: str,
        sender: Sender,
        pool: SessionPool,
        stats: TransportStats,
        breaker: LoginBreaker,
    ) -> None:
        self.username = username
        self._password = password
        self._sender = sender
        self._pool = pool
        self._stats = stats
        self._breaker = breaker
        self._lock = anyio.Lock()

    def __repr__(self) -> str:
        return f"Login(username={self.username!r})"

    async def ensure(self, sess: Session) -> bool:
        """Log ``sess`` in unless it is; concurrent callers wait for one login.

        Returns:
            True once ``sess`` is logged in; False when the pool wants no new session now
            (a sibling's login ended an older session: the caller picks another session).

        Raises:
            AuthenticationError: The login was refused (now or before), or logins stopped.
        """
        self._breaker.check()
        if sess.logged_in:
            return True
        async with self._lock:
            self._breaker.check()
            if sess.logged_in:
                return True
            if not self._pool.may_log_in(sess):
                return False
            await self._login(sess)
            return True

    async def relogin(self, sess: Session, seen_generation: int) -> None:
        """Log ``sess`` in again unless another task already did since ``seen_generation``.

        Raises:
            AuthenticationError: The login was refused (now or before), or the breaker
                tripped: too many logins in a row bought no progress.
        """
        async with self._lock:
            self._breaker.check()
            if sess.generation != seen_generation or sess.retired:
                # Single flight: someone else logged in while we waited, or the pool shrank
                # without this session (the caller moves to the survivor).
                return
            self._breaker.before_relogin(sess.served)
            self._stats.relogins += 1
            await self._login(sess)

    async def check(self, sess: Session, username: str, password: str) -> bool:
        """Whether the tenant accepts ``username`` / ``password``: one login on ``sess`` (a
        spare session, outside the pool), counted but never remembered as the bot's refusal."""
        jar = LoginCookie()
        await self._sender.send(sess, "GET", LOGIN_PATH, idempotent=True, login=jar)
        body = encode_pairs([("_username", username), ("_password", password)])
        sent = await self._sender.send(
            sess, "POST", LOGIN_CHECK_PATH, content=body, idempotent=True, login=jar
        )
        resp = sent.response
        accepted = resp.status_code in _LOGIN_REDIRECTS and (
            location_path(resp.headers.get("location")) != LOGIN_PATH
        )
        logger.info("login check as %r: %s", username, "accepted" if accepted else "refused")
        return accepted

    async def _login(self, sess: Session) -> None:
        # A fresh cookie: the old PHPSESSID is dead, and GET /login issues a new one (§3.1). It
        # stays the login's own until the login succeeds (see LoginCookie).
        jar = LoginCookie()
        self._pool.logging_in = sess
        try:
            await self._send_credentials(sess, jar)
        finally:
            self._pool.logging_in = None

    async def _send_credentials(self, sess: Session, jar: LoginCookie) -> None:
        await self._sender.send(sess, "GET", LOGIN_PATH, idempotent=True, login=jar)
        body = encode_pairs([("_username", self.username), ("_password", self._password)])
        # Re-sending credentials cannot duplicate anything, so the login POST retries like a GET.
        sent = await self._sender.send(
            sess, "POST", LOGIN_CHECK_PATH, content=body, idempotent=True, login=jar
        )
        resp = sent.response
        redirected = resp.status_code in _LOGIN_REDIRECTS
        if redirected and location_path(resp.headers.get("location")) != LOGIN_PATH:
            self._pool.note_login(sess, jar.cookie)
            self._stats.logins += 1
            logger.info("session %d: logged in as %r", sess.index, self.username)
            return
        reason = "the server kept the login form"
        if redirected:
            # The refusal's reason is a flash message on the next GET /login (sandbox contract A).
            page = await self._sender.send(sess, "GET", LOGIN_PATH, idempotent=True, login=jar)
            reason = login_alert(page.response.text) or reason
        elif resp.status_code == 200:
            reason = login_alert(resp.text) or reason
        else:
            reason = f"unexpected HTTP {resp.status_code} from {LOGIN_CHECK_PATH}"
        logger.warning("session %d: login as %r refused: %s", sess.index, self.username, reason)
        error = AuthenticationError(
            f"login as {self.username!r} refused: {reason} (not tried again with these "
            "credentials by this client)"
        )
        self._breaker.refused(error)
        raise error
