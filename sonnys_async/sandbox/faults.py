"""Runtime fault controls: one-shot connection drops, 5xx answers (before or after applying
the request), the request log, and the seeded random faults of :class:`SandboxOptions`
(drop rates, delayed POSTs, latency spikes)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from sonnys_async.sandbox.options import SandboxOptions

__all__ = ["DropFault", "FailFault", "FaultControls", "LoggedRequest", "RandomFaults"]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One handled request (faulted ones included)."""

    method: str
    path: str
    query: str
    session_id: str | None
    status: int


@dataclass(slots=True)
class DropFault:
    """Drop the connection of the next matching request(s)."""

    method: str | None
    path: str | None
    after_apply: bool
    kind: Literal["disconnect", "timeout"]
    count: int


@dataclass(slots=True)
class FailFault:
    """Answer the next matching request(s) with a 5xx, before or after applying them."""

    method: str | None
    path: str | None
    status: int
    count: int
    after_apply: bool = False


def _matches(method: str | None, path: str | None, req_method: str, req_path: str) -> bool:
    return (method is None or method.upper() == req_method) and (path is None or path == req_path)


class FaultControls:
    """Queue of injected faults, consumed in order by matching requests.

    ``path`` matches the request path exactly (no query); ``None`` matches any path.
    """

    def __init__(self) -> None:
        self._drops: list[DropFault] = []
        self._fails: list[FailFault] = []

    def drop_next(
        self,
        method: str | None = "POST",
        path: str | None = None,
        *,
        after_apply: bool = True,
        count: int = 1,
        kind: Literal["disconnect", "timeout"] = "disconnect",
    ) -> None:
        """Drop the connection of the next ``count`` matching requests.

        Args:
            method: HTTP method to match (``None`` = any).
            path: exact request path to match (``None`` = any).
            after_apply: drop after the server applied the request (an ambiguous write) rather
                than before it reached the application.
            count: how many matching requests to drop.
            kind: ``"disconnect"`` (in-process: ``httpx.RemoteProtocolError``) or ``"timeout"``
                (in-process: ``httpx.ReadTimeout``).
        """
        self._drops.append(DropFault(method, path, after_apply, kind, count))

    def fail_next(
        self,
        method: str | None = "GET",
        path: str | None = None,
        status: int = 503,
        count: int = 1,
        *,
        after_apply: bool = False,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``.

        By default the request is refused before the application sees it (nothing applied).
        With ``after_apply=True`` the request is handled in full first (state changed, flash
        set, session touched) and only its answer is replaced by the error page: a gateway
        that fails after the backend committed, so the client gets a 5xx for an applied write.

        Args:
            method: HTTP method to match (``None`` = any).
            path: exact request path to match (``None`` = any).
            status: the 5xx status to answer.
            count: how many matching requests to fail.
            after_apply: apply the request, then answer ``status`` (no ``Location``, no cookie).
        """
        self._fails.append(FailFault(method, path, status, count, after_apply))

    def clear(self) -> None:
        """Forget every pending fault."""
        self._drops.clear()
        self._fails.clear()

    def take_fail(self, method: str, path: str) -> FailFault | None:
        """Consume a matching fail fault (before- or after-apply), or ``None``."""
        for f in self._fails:
            if _matches(f.method, f.path, method, path):
                f.count -= 1
                if f.count <= 0:
                    self._fails.remove(f)
                return f
        return None

    def take_drop(self, method: str, path: str) -> DropFault | None:
        """Consume a matching drop fault, or ``None``."""
        for f in self._drops:
            if _matches(f.method, f.path, method, path):
                f.count -= 1
                if f.count <= 0:
                    self._drops.remove(f)
                return f
        return None


class RandomFaults:
    """The rate-driven faults of the options, drawn from one seeded generator.

    A draw is made only for a fault whose rate is above zero, so enabling one fault does not
    change the decisions of the others' generators (``error_rate`` and jitter keep their own),
    and the same seed and request order give the same decisions.

    Args:
        options: the rates and durations.
        rng: the seeded generator (one per sandbox).
    """

    def __init__(self, options: SandboxOptions, rng: random.Random) -> None:
        self._options = options
        self._rng = rng
        self._delayed = 0

    def post_delay(self, method: str) -> float:
        """Seconds to hold this request before the server receives it (0 = none)."""
        opts = self._options
        if method != "POST" or opts.post_delay_rate <= 0:
            return 0.0
        limit = opts.post_delay_limit
        if limit is not None and self._delayed >= limit:
            return 0.0
        if self._rng.random() >= opts.post_delay_rate:
            return 0.0
        self._delayed += 1
        return opts.post_delay_ms / 1000.0

    def spike(self) -> float:
        """Seconds of latency spike for this request (0 = none)."""
        opts = self._options
        if opts.spike_rate <= 0:
            return 0.0
        return opts.spike_ms / 1000.0 if self._rng.random() < opts.spike_rate else 0.0

    def drop(self, method: str, path: str) -> DropFault | None:
        """A connection drop for this POST, before or after applying it, or ``None``."""
        opts = self._options
        before, after = opts.drop_rate_before, opts.drop_rate_after
        if method != "POST" or before + after <= 0:
            return None
        draw = self._rng.random()
        if draw < before:
            return DropFault(method, path, False, "disconnect", 1)
        if draw < before + after:
            return DropFault(method, path, True, "disconnect", 1)
        return None
