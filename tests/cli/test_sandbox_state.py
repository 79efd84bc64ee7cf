"""``--sandbox-state FILE``: one sandbox tenant kept between commands; ``--sandbox`` alone is a
fresh tenant per command; the ``sandbox`` command exposes every option of SandboxOptions."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import sonnys_async.sandbox
from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.cli._sandbox_options import NOT_ON_THE_COMMAND_LINE, OPTION_NAMES
from sonnys_async.sandbox import Sandbox, SandboxOptions, persisted

from .conftest import HEADER, hire, read_csv, write_csv


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """One command in a new process-like state: nothing shared but the files."""
    state = AppState(client_options={"retry": RetryPolicy.no_wait()})
    return CliRunner().invoke(cli, list(args), obj=state, env=env, catch_exceptions=False)


def test_onboard_export_offboard_see_each_other_s_changes(tmp_path: Path) -> None:
    state_file = tmp_path / "tenant.json"
    hires = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2), hire(3)])
    st = ["--sandbox-state", str(state_file)]

    onboarded = run(*st, "onboard", str(hires), "--out", str(tmp_path / "hired.csv"))
    assert onboarded.exit_code == 0, onboarded.output
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600  # it holds PINs and passwords

    exported = run(*st, "employees", "export", str(tmp_path / "roster.csv"))
    assert exported.exit_code == 0, exported.output
    roster = {r["pos_user_id"]: r for r in read_csv(tmp_path / "roster.csv")}
    assert {"95001", "95002", "95003"} <= set(roster)  # the hires of the first command

    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001], [95003]])
    offboarded = run(*st, "offboard", str(leavers), "--out", str(tmp_path / "left.csv"))
    assert offboarded.exit_code == 0, offboarded.output
    assert {r["status"] for r in read_csv(tmp_path / "left.csv")} == {"disabled"}

    again = run(*st, "employees", "export", str(tmp_path / "after.csv"), "--active", "all")
    after = {r["pos_user_id"]: r["is_active"] for r in read_csv(tmp_path / "after.csv")}
    assert (after["95001"], after["95002"], after["95003"]) == ("False", "True", "False")
    assert again.exit_code == 0

    # A second onboard of the same file finds the POS User IDs taken: the same tenant.
    twice = run(*st, "onboard", str(hires), "--out", str(tmp_path / "twice.csv"))
    assert twice.exit_code == 2
    assert "95001" in twice.stderr or "already" in twice.stderr


def test_sandbox_alone_is_a_fresh_tenant_per_command(tmp_path: Path) -> None:
    hires = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    for n in range(2):  # the same hire twice: each command has its own new tenant
        result = run("--sandbox", "onboard", str(hires), "--out", str(tmp_path / f"r{n}.csv"))
        assert result.exit_code == 0, result.output
    assert list(tmp_path.glob("*.json")) == []
    help_text = " ".join(run("--help").output.split())
    assert "Each command gets a fresh tenant" in help_text
    assert "--sandbox-state FILE" in help_text
    assert "SONNYS_SANDBOX_STATE" in help_text


def test_the_environment_variable_names_the_file_for_sandbox_runs(tmp_path: Path) -> None:
    state_file = tmp_path / "tenant.json"
    env = {"SONNYS_SANDBOX_STATE": str(state_file)}
    hires = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    result = run("--sandbox", "onboard", str(hires), "--out", str(tmp_path / "r.csv"), env=env)
    assert result.exit_code == 0, result.output
    assert Sandbox.load(state_file).state.employee_by_pos_user_id(95001) is not None


def test_the_environment_variable_alone_never_makes_a_sandbox_run(tmp_path: Path) -> None:
    env = {
        "SONNYS_SANDBOX_STATE": str(tmp_path / "tenant.json"),
        "SONNYS_BASE_URL": "",
        "SONNYS_SUBDOMAIN": "",
        "SONNYS_BOT_USERNAME": "",
        "SONNYS_BOT_PASSWORD": "",
    }
    result = run("sites", env=env)  # a real-tenant command: asks for the tenant, stdin closed
    assert result.exit_code == 3
    assert "set SONNYS_BASE_URL or SONNYS_SUBDOMAIN" in result.stderr
    assert not (tmp_path / "tenant.json").exists()


def test_a_commands_that_fails_still_keeps_what_the_server_stored(tmp_path: Path) -> None:
    state_file = tmp_path / "tenant.json"
    hires = write_csv(
        tmp_path / "hires.csv", HEADER, [hire(1), hire(2, permission="No Such Template")]
    )
    st = ["--sandbox-state", str(state_file)]
    result = run(*st, "onboard", str(hires), "--out", str(tmp_path / "r.csv"), "--skip-invalid")
    assert result.exit_code == 1  # a row was invalid
    kept = Sandbox.load(state_file).state
    assert kept.employee_by_pos_user_id(95001) is not None
    assert kept.employee_by_pos_user_id(95002) is None


def test_a_state_file_in_use_or_damaged_is_refused(tmp_path: Path) -> None:
    state_file = tmp_path / "tenant.json"
    with persisted(state_file):
        busy = run("--sandbox-state", str(state_file), "sites")
    assert busy.exit_code == 2
    assert "in use by another command" in busy.stderr
    (tmp_path / "other.json").write_text('{"not": "a sandbox"}', encoding="utf-8")
    damaged = run("--sandbox-state", str(tmp_path / "other.json"), "sites")
    assert damaged.exit_code == 2
    assert "not a sandbox state file" in damaged.stderr
    assert (tmp_path / "other.json").read_text(encoding="utf-8") == '{"not": "a sandbox"}'


def test_commands_that_need_no_tenant_create_no_file(tmp_path: Path) -> None:
    state_file = tmp_path / "tenant.json"
    assert run("--sandbox-state", str(state_file), "template-csv", "onboard").exit_code == 0
    assert not state_file.exists()


# --- the sandbox command ---------------------------------------------------------------------


def _served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def serve(options: SandboxOptions, host: str, port: int, **kw: Any) -> None:
        calls.append({"options": options, "host": host, "port": port, **kw})

    monkeypatch.setattr(sonnys_async.sandbox, "serve", serve)
    return calls


def _option_name(field: str) -> str:
    return OPTION_NAMES.get(field, "--" + field.replace("_", "-"))


def test_every_sandbox_option_is_on_the_command_line() -> None:
    command = cli.commands["sandbox"]
    offered = {o for p in command.params for o in getattr(p, "opts", [])}
    fields = {f.name for f in dataclasses.fields(SandboxOptions)}
    missing = sorted(
        f for f in fields - set(NOT_ON_THE_COMMAND_LINE) if _option_name(f) not in offered
    )
    assert missing == []
    assert set(NOT_ON_THE_COMMAND_LINE) <= fields  # every exception names a real field
    assert all(NOT_ON_THE_COMMAND_LINE.values())  # and says why
    # Each option's help is the field's own documentation.
    helps = {p.name: getattr(p, "help", "") or "" for p in command.params}
    assert helps["drop_rate_after"].startswith("Share of POSTs whose connection is dropped")
    assert all(helps[f] for f in fields - set(NOT_ON_THE_COMMAND_LINE))


def test_sandbox_command_builds_the_options_it_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _served(monkeypatch)
    result = run(
        "sandbox",
        "--port", "9124", "--tenant", "flat", "--employees", "12", "--bo-users", "3",
        "--seed", "4", "--bot-username", "wash-bot", "--latency-ms", "5", "--jitter-ms", "2",
        "--error-rate", "0.05", "--error-status", "502", "--drop-rate-after", "0.01",
        "--post-delay-rate", "0.02", "--post-delay-ms", "900", "--post-delay-limit", "3",
        "--spike-rate", "0.1", "--spike-ms", "250", "--admin", "--session-idle-timeout", "600",
        "--session-max-requests", "50", "--single-session-per-user", "--login-throttle", "5,60",
        "--no-unique-phone", "--deleted-user-can-login", "--reject-wage-not-after-latest",
        "--no-one-shot-flash", "--today", "2026-05-01", "--sidebar-kb", "130",
        "--no-serialize-sessions", "--user-create-lists-inactive",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [call] = calls
    opts: SandboxOptions = call["options"]
    assert (call["host"], call["port"], call["state"]) == ("127.0.0.1", 9124, None)
    expected = SandboxOptions(
        tenant="flat", employees=12, bo_users=3, seed=4, username="wash-bot", latency_ms=5,
        jitter_ms=2, error_rate=0.05, error_status=502, drop_rate_after=0.01,
        post_delay_rate=0.02, post_delay_ms=900, post_delay_limit=3, spike_rate=0.1,
        spike_ms=250, admin=True, session_idle_timeout=600, session_max_requests=50,
        single_session_per_user=True, login_throttle=(5, 60.0), unique_phone=False,
        deleted_user_can_login=True, reject_wage_not_after_latest=True, one_shot_flash=False,
        today=opts.today, sidebar_kb=130, serialize_sessions=False,
        user_create_lists_inactive=True,
    )  # fmt: skip
    assert opts == expected
    assert str(opts.today) == "2026-05-01"


def test_sandbox_command_defaults_are_the_options_defaults_but_padded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _served(monkeypatch)
    assert run("sandbox").exit_code == 0
    # Served pages carry the realistic sidebar unless --no-padding (or --sidebar-kb) says else.
    assert calls[0]["options"] == SandboxOptions(sidebar_kb=sonnys_async.sandbox.SERVED_SIDEBAR_KB)


def test_a_bad_throttle_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _served(monkeypatch)
    result = run("sandbox", "--login-throttle", "five")
    assert result.exit_code == 2
    assert "ATTEMPTS,SECONDS" in result.output


def test_sandbox_command_serves_the_state_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    state_file = tmp_path / "tenant.json"
    Sandbox(SandboxOptions(employees=5)).save(state_file)
    calls = _served(monkeypatch)
    result = run("--sandbox-state", str(state_file), "sandbox", "--employees", "9")
    assert result.exit_code == 0, result.output
    assert calls[0]["state"] == state_file
    assert "ignored: --employees: the tenant comes from" in " ".join(result.stderr.split())


def test_serve_loads_and_saves_the_state_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``serve(state=...)``: the served tenant is the file's, and what it stored is saved."""
    state_file = tmp_path / "tenant.json"
    Sandbox(SandboxOptions(employees=5, seed=2)).save(state_file)

    def fake_serve(sb: Sandbox, host: str, port: int, state: object) -> None:
        assert len(sb.state.employees) == 5
        sb.state.add_employee(first_name="Served", pos_user_id=77001)

    monkeypatch.setattr(sonnys_async.sandbox, "_serve", fake_serve)
    sonnys_async.sandbox.serve(SandboxOptions(latency_ms=3), port=0, state=state_file)
    kept = Sandbox.load(state_file)
    assert kept.state.employee_by_pos_user_id(77001) is not None
    assert os.access(state_file, os.R_OK)
