"""The fault suite's scenarios run once per session, three at a time, in worker threads.

Each scenario spends much of its time waiting (delayed POSTs past the client timeout, latency
spikes, throttle windows, single-session runs), so running three at once keeps the suite inside
CI's budget on a 2-core machine. ``SONNYS_FAULTS_WORKERS`` changes the number;
``SONNYS_FAULTS_REPORT`` makes the suite write its figures (see ``report.py``);
``SONNYS_FAULTS_DIR`` keeps every run's files there instead of pytest's rotating temp dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .board import Board, selected_scenarios
from .report import write_report
from .scenarios import SCENARIOS


@pytest.fixture(scope="session")
def fault_board(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Board]:
    """Starts every selected scenario; writes the report when all of them ran."""
    workers = int(os.environ.get("SONNYS_FAULTS_WORKERS", "3"))
    keep = os.environ.get("SONNYS_FAULTS_DIR")
    root = Path(keep) if keep else tmp_path_factory.mktemp("faults")
    board = Board(selected_scenarios(request.session), root, workers)
    yield board
    outcomes, wall = board.close()
    target = os.environ.get("SONNYS_FAULTS_REPORT")
    if target and len(outcomes) == len(SCENARIOS):
        write_report(Path(target), outcomes, wall)
