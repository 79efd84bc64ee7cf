"""After a sandbox run, `sync plan` prints an apply command that repeats the sandbox options in
effect: run as printed, it applies the plan to the same sandbox tenant (never to a real one,
never to a fresh sandbox)."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner, Result

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.cli._sync import _sandbox_args
from sonnys_async.sandbox import persisted

from .conftest import read_csv
from .test_sync_plan import new_hire, roster, write_roster


def run(*args: str) -> Result:
    state = AppState(client_options={"retry": RetryPolicy.no_wait()})
    return CliRunner().invoke(cli, list(args), obj=state, catch_exceptions=False)


def printed_apply_command(result: Result) -> list[str]:
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("to apply it: "))
    return shlex.split(line.removeprefix("to apply it: "))


def test_the_printed_apply_command_keeps_the_sandbox_state_and_applies_to_that_tenant(
    tmp_path: Path,
) -> None:
    state_file = tmp_path / "tenant.json"
    with persisted(state_file) as sb:
        rows = [*roster(sb), new_hire(1)]
    path = write_roster(tmp_path / "roster.csv", rows)
    plan = tmp_path / "plan.json"
    planned = run("--sandbox-state", str(state_file), "sync", "plan", str(path), "--out", str(plan))
    assert planned.exit_code == 0, planned.output
    command = printed_apply_command(planned)
    assert command[:3] == ["sonnys-backoffice", "--sandbox-state", str(state_file)]
    assert command[3:6] == ["sync", "apply", str(plan)]
    results = tmp_path / "results.csv"
    applied = run(*[str(results) if a == "RESULTS.csv" else a for a in command[1:]])
    assert applied.exit_code == 0, applied.output
    assert [r["status"] for r in read_csv(results)] == ["created"]
    with persisted(state_file) as after:
        assert after.state.employee_by_pos_user_id(int(rows[-1]["pos_user_id"])) is not None


def test_a_fresh_sandbox_run_prints_an_apply_command_with_sandbox() -> None:
    assert _sandbox_args(AppState(use_sandbox=True)) == ["--sandbox"]
    state = AppState(use_sandbox=True, sandbox_state=Path("t.json"))
    assert _sandbox_args(state) == ["--sandbox-state", "t.json"]


def test_a_real_tenant_run_prints_no_sandbox_option() -> None:
    # The state file named in the environment alone never makes a run a sandbox run.
    assert _sandbox_args(AppState(use_sandbox=False, sandbox_state=Path("t.json"))) == []
