"""Each scenario: a served sandbox, the real CLI, 200 hires and 50 leavers under one fault (or
all at once); then the server's state against what the runs reported (see scenario.py)."""

from __future__ import annotations

import pytest

from .board import Board
from .scenarios import SCENARIOS
from .verdict import violations

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("name", [s.name for s in SCENARIOS])
def test_scenario(name: str, fault_board: Board) -> None:
    outcome = fault_board.outcome(name)
    broken = violations(outcome)
    assert not broken, (
        f"scenario {name} ({outcome.scenario.summary}); exit codes {outcome.exit_codes()}; "
        f"logins {outcome.logins}/{outcome.login_bound}; files in {outcome.workdir}\n"
        + "\n".join(broken)
    )
