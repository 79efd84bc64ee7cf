"""Sandbox options: tenant shape, roster size, realism, faults and unknown-behaviour switches.

Every switch for a protocol unknown (§20) is listed, with its evidence, in ``docs/sandbox.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

__all__ = ["DEFAULT_PASSWORD", "DEFAULT_USERNAME", "FakeClock", "SandboxOptions"]

DEFAULT_USERNAME = "automation-bot"
#: Fixed default bot password (a sandbox secret, never a real one).
DEFAULT_PASSWORD = "Sandbox-Bot-Pass-1!"


class FakeClock:
    """A manual clock for tests of idle-session expiry (no real sleeping).

    Call :meth:`advance` to move time forward; pass the instance as ``SandboxOptions.clock``.
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """Configuration of one simulated Backoffice tenant.

    Args:
        tenant: ``"hierarchical"`` (the sample tenant of §5.1) or ``"flat"`` (sites only, §5.4).
        employees: number of generated employees (besides records a test adds).
        bo_users: number of generated Backoffice users (besides the bot account).
        seed: seed of the roster generator and of every random fault decision.
        username: the bot account's username (standalone BO user, Administrator, all sites).
        password: the bot account's password.
        latency_ms: fixed latency added to every request (``anyio.sleep``), outside the
            session lock.
        jitter_ms: extra uniform random latency in ``[0, jitter_ms)``, deterministic per seed.
        processing_ms: server processing time, spent while holding the session lock.
        serialize_sessions: handle requests sharing one ``PHPSESSID`` one at a time, as PHP file
            sessions do.
        error_rate: share of requests answered with ``error_status`` before doing anything
            (deterministic per seed).
        error_status: the status code used by ``error_rate``.
        drop_rate_before: share of POSTs whose connection is dropped before the application
            sees them (nothing applied; deterministic per seed).
        drop_rate_after: share of POSTs whose connection is dropped after the request was
            applied (the ambiguous write; deterministic per seed).
        post_delay_rate: share of POSTs held for ``post_delay_ms`` before the server receives
            them (before faults, the session and its lock), like a slow network: a client whose
            timeout is shorter gives up, and the POST is applied afterwards.
        post_delay_ms: how long a delayed POST is held.
        post_delay_limit: at most this many POSTs are delayed (``None`` = no limit), to bound
            the cost of a scenario whose client waits out each delay.
        spike_rate: share of requests (any method) delayed by ``spike_ms`` on top of
            ``latency_ms``, outside the session lock (deterministic per seed).
        spike_ms: the length of a latency spike.
        admin: serve the admin view under ``/_sandbox/`` (stored state and counters as JSON, for
            tests in another process); off by default, and no real page uses that path.
        session_idle_timeout: seconds without a request after which a session ends.
        session_max_requests: number of requests after which a session ends.
        single_session_per_user: a new login ends the user's older sessions.
        login_throttle: ``(attempts, window_seconds)``: after that many failed logins of one
            username within the window, further logins are refused (and count as attempts).
        unique_pos_user_id: reject a POS User ID already used by another employee.
        unique_email: reject an e-mail used by another employee or BO user.
        unique_phone: reject a phone (digits) used by another employee.
        unique_username: reject a BO username already taken (case-insensitive).
        deleted_user_can_login: whether a BO user with ``user[isDeleted]`` may still log in.
        disable_employee_disables_user: whether disabling an employee marks its linked BO user
            deleted (§20.14; default no, per the authors' docs).
        reject_wage_not_after_latest: answer a wage record whose effective date is not after
            the latest one with a validation failure (302 back with ``actionXfer`` and an error)
            instead of the reported silent drop (§9.3, §16.5: success answer, nothing stored).
        one_shot_flash: alerts are shown by the next page only (§20.13).
        today: the server's "today" (create-form default start date, wage default date);
            ``None`` = the real date.
        clock: monotonic time source for session expiry and throttling; ``None`` =
            ``time.monotonic``. Pass a :class:`FakeClock` in tests.
        sidebar_kb: pad every authenticated page with about this many KB of navigation
            markup (the real sidebar is ~130 KB); 0 = a small sidebar.
        base_url: the in-process base URL.
        user_create_lists_inactive: the ``/user/create`` employee dropdown lists inactive
            employees too (default: active employees only, as the captured 192 options
            suggest; docs/sandbox.md, choice 15).
    """

    tenant: Literal["hierarchical", "flat"] = "hierarchical"
    employees: int = 200
    bo_users: int = 40
    seed: int = 0
    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    processing_ms: float = 0.0
    serialize_sessions: bool = True
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate_before: float = 0.0
    drop_rate_after: float = 0.0
    post_delay_rate: float = 0.0
    post_delay_ms: float = 0.0
    post_delay_limit: int | None = None
    spike_rate: float = 0.0
    spike_ms: float = 0.0
    admin: bool = False
    session_idle_timeout: float | None = None
    session_max_requests: int | None = None
    single_session_per_user: bool = False
    login_throttle: tuple[int, float] | None = None
    unique_pos_user_id: bool = True
    unique_email: bool = True
    unique_phone: bool = True
    unique_username: bool = True
    deleted_user_can_login: bool = False
    disable_employee_disables_user: bool = False
    reject_wage_not_after_latest: bool = False
    one_shot_flash: bool = True
    today: date | None = None
    clock: Callable[[], float] | None = field(default=None, compare=False)
    sidebar_kb: int = 0
    base_url: str = "http://washu.sandbox.test"
    user_create_lists_inactive: bool = False

    def now(self) -> float:
        """The current monotonic time per ``clock``."""
        return (self.clock or time.monotonic)()

    def today_date(self) -> date:
        """The server's current date."""
        return self.today or date.today()
