"""The login breaker: when logging in must stop, and the one error every request then gets.

Two things stop every further login, and with it every further request, of a :class:`Transport`
(issue 14, defects 3 and 4):

* **A refused login** (``POST /login_check`` answered with the login form again or a redirect
  back to ``/login``, a throttled login included). The server said no to these credentials;
  sending them again cannot help and may lock the account. The refusal is remembered: every
  later request, on any session, raises the same :class:`~sonnys_async.errors.AuthenticationError`
  at once, before anything is sent.
* **A login storm**: more than ``limit`` logins in a row, each replacing a login whose session
  served fewer than ``min_served`` requests. Logins are then not buying progress (a server that
  ends sessions as fast as they are made, another client logging the same user in and out);
  the request that would log in again, and every later one, raise ``AuthenticationError("login
  storm: ...")`` without sending anything.

Bound: a transport of ``S`` sessions makes at most one login per session started, plus one per
expiry it observed on a session's current login (single flight, :mod:`.login`), and never more
than ``limit = LOGIN_STORM_PER_SESSION * S + LOGIN_STORM_SLACK`` logins in a row that bought
nothing.
"""

from __future__ import annotations

from .._constants import LOGIN_MIN_SERVED, LOGIN_STORM_PER_SESSION, LOGIN_STORM_SLACK
from ..errors import AuthenticationError
from .stats import logger

__all__ = ["LoginBreaker"]


class LoginBreaker:
    """Remembers why logging in stopped, and counts logins that bought no progress.

    Args:
        sessions: Sessions in the pool (sets the default ``limit``).
        limit: Logins in a row that bought nothing, beyond which the breaker trips.
        min_served: Requests a login's session must serve for the login to count as progress.
    """

    def __init__(
        self, sessions: int, *, limit: int | None = None, min_served: int = LOGIN_MIN_SERVED
    ) -> None:
        self.limit = (
            LOGIN_STORM_PER_SESSION * sessions + LOGIN_STORM_SLACK if limit is None else limit
        )
        self.min_served = min_served
        self.streak = 0
        self._failure: AuthenticationError | None = None

    @property
    def failure(self) -> AuthenticationError | None:
        """The refusal or storm that stopped logging in, if any."""
        return self._failure

    def check(self) -> None:
        """Raise the remembered failure (a new instance, chained to the first) if there is one.

        Raises:
            AuthenticationError: Logging in stopped; nothing more may be sent.
        """
        if self._failure is not None:
            raise AuthenticationError(str(self._failure)) from self._failure

    def refused(self, error: AuthenticationError) -> None:
        """Remember a refused login: no request may be sent any more."""
        if self._failure is None:
            self._failure = error

    def served(self, count: int) -> None:
        """A login's session has now served ``count`` requests: enough ends a streak."""
        if count >= self.min_served:
            self.streak = 0

    def before_relogin(self, served_by_previous: int) -> None:
        """Account for a login about to replace one that served ``served_by_previous`` requests.

        Raises:
            AuthenticationError: This login would be one too many in a row that bought
                nothing (the breaker trips and stays tripped), or the breaker already stopped.
        """
        self.check()
        if served_by_previous >= self.min_served:
            self.streak = 0
            return
        self.streak += 1
        if self.streak <= self.limit:
            return
        self._failure = AuthenticationError(
            f"login storm: {self.streak} logins in a row were each followed by fewer than "
            f"{self.min_served} served requests (limit {self.limit}); not logging in again. "
            "The server keeps ending the sessions (one session per user, or another client "
            "logging the same user in?)"
        )
        logger.error("%s", self._failure)
        raise AuthenticationError(str(self._failure)) from self._failure
