"""The scenarios this pytest session selected, run in worker threads (see conftest.py)."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from .scenario import Outcome, run_scenario
from .scenarios import SCENARIOS

__all__ = ["Board", "selected_scenarios"]

#: Longest first, so the workers finish together.
_LONGEST_FIRST = ("all-together", "delayed-posts", "sigkill-5", "login-throttle")


class Board:
    """Futures of the scenarios this session selected."""

    def __init__(self, names: list[str], root: Path, workers: int) -> None:
        self._started = time.monotonic()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fault-scenario")
        order = sorted(
            names,
            key=lambda n: _LONGEST_FIRST.index(n) if n in _LONGEST_FIRST else len(_LONGEST_FIRST),
        )
        by_name = {s.name: s for s in SCENARIOS}
        self.futures: dict[str, Future[Outcome]] = {
            name: self._pool.submit(run_scenario, by_name[name], root / name) for name in order
        }

    def outcome(self, name: str) -> Outcome:
        """The scenario's outcome (waits for it)."""
        return self.futures[name].result()

    def close(self) -> tuple[list[Outcome], float]:
        """Wait for every scenario; (outcomes in table order, wall time of them all)."""
        self._pool.shutdown(wait=True, cancel_futures=False)
        done = [
            f.result()
            for s in SCENARIOS
            if (f := self.futures.get(s.name)) is not None and f.exception() is None
        ]
        return done, time.monotonic() - self._started


def selected_scenarios(session: pytest.Session) -> list[str]:
    """Names of the scenarios whose ``test_scenario`` is collected in this session."""
    names = []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "originalname", "") == "test_scenario" and callspec is not None:
            names.append(str(callspec.params["name"]))
    return names
