"""The fault scenarios: each fault alone, then all of them together."""

from __future__ import annotations

from .scenario import Scenario

__all__ = ["CLIENT_TIMEOUT_S", "SCENARIOS"]

#: The CLI has no timeout option: its client uses the library default (``DEFAULT_TIMEOUT``).
CLIENT_TIMEOUT_S = 30.0
#: A delayed POST is held past that timeout.
_DELAY_MS = (CLIENT_TIMEOUT_S + 1.0) * 1000

# A 6 s window: the bad-password client must keep the bot
# throttled from its first failures until the CLI, a new process, has started and logged in
# (its refused attempts count too, so the throttle has no gaps while it keeps trying).
_THROTTLE = {"login_throttle": [5, 6.0]}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline", "no fault (control)"),
    Scenario("expiry-3", "session ends every 3 requests", {"session_max_requests": 3}),
    Scenario("expiry-10", "session ends every 10 requests", {"session_max_requests": 10}),
    Scenario("errors-5pct", "5% of requests answered 503", {"error_rate": 0.05}),
    Scenario(
        "drops-2pct",
        "2% of POSTs dropped before, 2% after applying",
        {"drop_rate_before": 0.02, "drop_rate_after": 0.02},
    ),
    Scenario(
        "delayed-posts",
        f"1% of POSTs held {_DELAY_MS / 1000:.1f} s (past the client's timeout), then applied",
        {"post_delay_rate": 0.01, "post_delay_ms": _DELAY_MS},
        budget_s=210.0,
    ),
    Scenario(
        "latency-spikes",
        "3% of requests delayed 1 s",
        {"spike_rate": 0.03, "spike_ms": 1000},
    ),
    Scenario(
        "login-throttle",
        "bad-password client on the bot's username; throttle 5 failures / 6 s",
        _THROTTLE,
        hammer=True,
    ),
    Scenario(
        "one-session-4",
        "one live session per user",
        {"single_session_per_user": True},
    ),
    Scenario(
        "one-session-8",
        "one live session per user",
        {"single_session_per_user": True},
        sessions=8,
    ),
    Scenario("sigkill-5", "SIGKILL of the CLI at 5 seeded points, then resume", kills=5),
    Scenario(
        "all-together",
        "all at once, milder: session ends every 10 requests, one live session per user, "
        "2% 503, 1% + 1% drops, 1% of POSTs delayed past the timeout (at most 2: one session "
        "waits out each), 1% spikes of 1 s, throttling with the bad-password client, 2 SIGKILLs",
        {
            "session_max_requests": 10,
            "single_session_per_user": True,
            "error_rate": 0.02,
            "drop_rate_before": 0.01,
            "drop_rate_after": 0.01,
            "post_delay_rate": 0.01,
            "post_delay_ms": _DELAY_MS,
            "post_delay_limit": 2,
            "spike_rate": 0.01,
            "spike_ms": 1000,
            **_THROTTLE,
        },
        kills=2,
        hammer=True,
        max_runs=10,
        budget_s=240.0,
    ),
)
