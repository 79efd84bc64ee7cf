"""demo: the bundled sample onboarded into a sandbox and a few offboarded, secrets masked, on
any stdout (an ASCII one included)."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv


def test_demo_runs_end_to_end(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "demo.csv"
    result = invoke("demo", "--latency-ms", "0", "--out", str(out), sandbox=False)
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert len(rows) == 50
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "50 hired and 5 offboarded" in result.stdout
    assert str(out) in " ".join(result.stdout.split()).replace(" ", "") or out.name in result.stdout
    shown_ids = {r["pos_user_id"] for r in rows}  # a random PIN may equal a POS id on screen
    for row in rows:
        if row["pos_pin"] not in shown_ids:
            assert row["pos_pin"] not in result.stdout
    leaver = sb.state.employee_by_pos_user_id(90003)
    assert leaver is not None
    assert not leaver.active


def test_demo_prints_on_an_ascii_stdout(sb: Sandbox, tmp_path: Path) -> None:
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )
    out = tmp_path / "demo.csv"
    result = CliRunner(charset="ascii").invoke(
        cli, ["demo", "--latency-ms", "0", "--out", str(out)], obj=state
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    assert "*****" in result.stdout
