"""--sessions: a bulk run logs in once unless asked for more logins."""

from __future__ import annotations

from pathlib import Path

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, logins, write_csv


def test_bulk_runs_log_in_once_unless_sessions_is_given(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(n) for n in range(1, 9)])
    result = invoke("onboard", str(src), "--out", str(tmp_path / "a.csv"), "--concurrency", "4")
    assert result.exit_code == 0, result.output
    assert logins(sb) == 1
    leavers = write_csv(tmp_path / "l.csv", ["pos_user_id"], [[95000 + n] for n in range(1, 9)])
    before = logins(sb)
    result = invoke("offboard", str(leavers), "--concurrency", "4", "--sessions", "3")
    assert result.exit_code == 0, result.output
    assert 1 < logins(sb) - before <= 3
