"""``AsyncBackofficeClient``: one awaitable call per user-management action, verified.

Every operation replays the Backoffice's own HTML forms over the :class:`~._transport.Transport`
seam (sessions, re-login, retries, limits) and parses pages with the pure core
(:mod:`sonnys_async.core`: pages, forms, sites). Rules:

* Everything a request needs (templates, departments, sites) is resolved **before** the first
  write; an unknown name raises :class:`~.errors.NotFoundError` listing the valid ones.
* Every write is read back unless ``verify=False``; a write the client cannot prove raises
  :class:`~.errors.WriteNotVerifiedError` whose ``partial`` says what was done.
* A form POST is never resent blindly. When the answer is lost
  (:class:`~._transport.AmbiguousWriteError`) the client reads server state to decide whether
  it was applied; only when even that fails does it raise :class:`~.errors.OutcomeUnknownError`.
* A bounced form (``?actionXfer=``) is followed on the same session to read the server's
  messages, which become :class:`~.errors.DuplicateError` or :class:`~.errors.FormRejectedError`.

Requests per operation with a warm discovery cache (login excluded):

=====================================================  ==========================================
``create_employee``                                    4: pre-flight, insert, permissions, verify
``disable_employee`` by POS User ID                    4: lookup, edit form, update, verify
``create_backoffice_user`` linked by POS User ID       4: lookup, insert, access, verify
``modify_employee``                                    1 lookup + 3 per touched form (GET, POST,
                                                       verify; the template needs no GET)
=====================================================  ==========================================

The operations live in layers under :mod:`sonnys_async._ops` (see :mod:`._ops.base`); this
class adds construction, configuration from the environment and the async lifecycle.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Self

from ._ops.bulk import BulkOps
from ._transport import Limits, RetryPolicy, Transport
from .errors import FieldIssue, InputValidationError

__all__ = ["AsyncBackofficeClient"]

_TENANT_URL = "https://{}.sonnyscontrols.com"


class AsyncBackofficeClient(BulkOps):
    """Async client for one Backoffice tenant.

    Use it as an async context manager (or call :meth:`aclose`). The login happens lazily on the
    first request and again, transparently, whenever the session expires. Discovery data (sites,
    departments, templates) is cached per client; pass ``refresh=True`` to re-read it.

    Args:
        base_url: The tenant URL; defaults to ``https://<subdomain>.sonnyscontrols.com``.
        subdomain: The tenant's subdomain (``washu``), used when ``base_url`` is not given.
        username: Bot account username.
        password: Bot account password (never logged).
        transport: An ``httpx.AsyncBaseTransport`` to use instead of the network (e.g.
            ``Sandbox().transport()``).
        sessions: Independent logins to spread requests over (PHP serialises per session).
        max_concurrency: Requests in flight at once.
        max_per_second: Request-rate cap (``None`` = none).
        timeout: Seconds for connect/read/write.
        retry: Retry policy for GETs (``RetryPolicy.no_wait()`` in tests).
        verify: TLS certificate verification (httpx's meaning). Read-back verification of
            writes is a per-call ``verify=`` argument, default on.
        user_agent: Overrides the library's User-Agent.

    Raises:
        InputValidationError: Neither ``base_url`` nor ``subdomain`` given.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        subdomain: str | None = None,
        username: str,
        password: str,
        transport: Any = None,
        sessions: int = 1,
        max_concurrency: int = 8,
        max_per_second: float | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        verify: bool = True,
        user_agent: str | None = None,
    ) -> None:
        if base_url is None:
            if not subdomain:
                raise InputValidationError([FieldIssue("subdomain", "give base_url or subdomain")])
            base_url = _TENANT_URL.format(subdomain.strip())
        self.base_url = base_url.rstrip("/")
        self._t = Transport(
            base_url=self.base_url,
            username=username,
            password=password,
            transport=transport,
            sessions=sessions,
            limits=Limits(max_concurrency=max_concurrency, max_per_second=max_per_second),
            timeout=timeout,
            retry=retry,
            user_agent=user_agent,
            verify=verify,
        )
        self._locks = {}
        self._create_page = None
        self._pos = None
        self._bo = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Self:
        """Build a client from ``SONNYS_BASE_URL`` or ``SONNYS_SUBDOMAIN``,
        ``SONNYS_BOT_USERNAME`` and ``SONNYS_BOT_PASSWORD``.

        Args:
            **overrides: Constructor arguments that win over the environment.

        Returns:
            A new client.

        Raises:
            InputValidationError: A required variable is missing (named in the issue).
        """
        env = os.environ
        kwargs: dict[str, Any] = {}
        if env.get("SONNYS_BASE_URL"):
            kwargs["base_url"] = env["SONNYS_BASE_URL"]
        elif env.get("SONNYS_SUBDOMAIN"):
            kwargs["subdomain"] = env["SONNYS_SUBDOMAIN"]
        if env.get("SONNYS_BOT_USERNAME"):
            kwargs["username"] = env["SONNYS_BOT_USERNAME"]
        if env.get("SONNYS_BOT_PASSWORD"):
            kwargs["password"] = env["SONNYS_BOT_PASSWORD"]
        kwargs.update(overrides)
        issues = []
        if "base_url" not in kwargs and "subdomain" not in kwargs:
            issues.append(FieldIssue("SONNYS_SUBDOMAIN", "set it (or SONNYS_BASE_URL)"))
        for key, var in (("username", "SONNYS_BOT_USERNAME"), ("password", "SONNYS_BOT_PASSWORD")):
            if not kwargs.get(key):
                issues.append(FieldIssue(var, "is not set"))
        if issues:
            raise InputValidationError(issues)
        return cls(**kwargs)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP sessions. Idempotent."""
        await self._t.aclose()

    async def login(self) -> None:
        """Log in now instead of lazily on the first request.

        Raises:
            AuthenticationError: The credentials were refused.
        """
        await self._t.login()

    @property
    def transport(self) -> Transport:
        """The HTTP seam (``.stats`` holds request counts per method and path)."""
        return self._t

    def __repr__(self) -> str:
        return f"AsyncBackofficeClient(base_url={self.base_url!r}, username={self._t.username!r})"
