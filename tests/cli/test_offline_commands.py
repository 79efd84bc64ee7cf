"""Commands that need no tenant: template-csv, inspect, replay, sandbox; credential sources."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import click
import pytest
from click.testing import CliRunner

import sonnys_async.sandbox
from sonnys_async.cli import AppState, cli, main
from sonnys_async.cli._csv import OFFBOARD_COLUMNS, ONBOARD_COLUMNS

from .conftest import Invoke

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"


@pytest.mark.parametrize(
    ("kind", "columns"), [("onboard", ONBOARD_COLUMNS), ("offboard", OFFBOARD_COLUMNS)]
)
def test_template_csv_prints_the_header(invoke: Invoke, kind: str, columns: tuple) -> None:
    result = invoke("template-csv", kind, sandbox=False)
    assert result.exit_code == 0
    assert result.stdout == ",".join(c.name for c in columns) + "\n"


def test_template_csv_describe_lists_required_columns(invoke: Invoke) -> None:
    result = invoke("template-csv", "onboard", "--describe", sandbox=False)
    assert result.exit_code == 0
    assert "pos_user_id" in result.stdout
    assert "available_sites" in result.stdout
    assert "\x1b[" not in result.output  # not a terminal: no escape codes


def test_inspect_prints_page_facts_as_json(invoke: Invoke) -> None:
    result = invoke("inspect", str(FIXTURES / "employee_edit_54.html"), sandbox=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["kind"] == "employee_edit"
    assert data["employee_id"] == 54


def test_replay_prints_the_browser_body_with_edits(invoke: Invoke) -> None:
    result = invoke(
        "replay",
        str(FIXTURES / "employee_edit_54.html"),
        "--form",
        "employee-create-edit-form",
        "--set",
        "employee[firstName]=Zed",
        "--uncheck",
        "employee[isActive]",
        sandbox=False,
    )
    assert result.exit_code == 0
    pairs = parse_qsl(result.stdout.strip(), keep_blank_values=True)
    assert ("employee[firstName]", "Zed") in pairs
    assert "employee[isActive]" not in dict(pairs)


def test_replay_of_an_unknown_form_is_an_input_error(invoke: Invoke) -> None:
    result = invoke(
        "replay", str(FIXTURES / "employee_edit_54.html"), "--form", "nope", sandbox=False
    )
    assert result.exit_code == 2
    assert "nope" in result.stderr


def test_replay_rejects_a_malformed_set(invoke: Invoke) -> None:
    result = invoke(
        "replay",
        str(FIXTURES / "employee_edit_54.html"),
        "--form",
        "x",
        "--set",
        "novalue",
        sandbox=False,
    )
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def test_sandbox_command_serves_the_requested_tenant(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[object, str, int]] = []
    monkeypatch.setattr(
        sonnys_async.sandbox, "serve", lambda opts, host, port: calls.append((opts, host, port))
    )
    result = invoke(
        "sandbox",
        "--port",
        "9123",
        "--employees",
        "7",
        "--seed",
        "5",
        "--latency-ms",
        "12",
        sandbox=False,
    )
    assert result.exit_code == 0
    [(opts, host, port)] = calls
    assert (host, port) == ("127.0.0.1", 9123)
    assert (opts.employees, opts.seed, opts.latency_ms) == (7, 5, 12.0)


def test_credentials_come_from_the_environment() -> None:
    state = AppState(
        env={
            "SONNYS_SUBDOMAIN": "washu",
            "SONNYS_BOT_USERNAME": "bot",
            "SONNYS_BOT_PASSWORD": "pw-from-env-1",
        }
    )
    creds = state.credentials()
    assert creds is not None
    assert (creds.subdomain, creds.username, creds.password) == ("washu", "bot", "pw-from-env-1")
    assert "pw-from-env-1" not in repr(creds)


def test_missing_credentials_are_prompted_with_hidden_password() -> None:
    state = AppState(env={"SONNYS_BASE_URL": "http://127.0.0.1:9"})
    runner = CliRunner()
    with runner.isolation(input="bot\nhidden-pw-9\n") as (out, _err, *_):
        creds = state.credentials()
    assert creds is not None
    assert (creds.base_url, creds.username, creds.password) == (
        "http://127.0.0.1:9",
        "bot",
        "hidden-pw-9",
    )
    assert b"hidden-pw-9" not in out.getvalue()  # not echoed


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SONNYS_SUBDOMAIN": "washu", "SONNYS_BOT_USERNAME": "bot"}, "SONNYS_BOT_PASSWORD"),
        ({"SONNYS_SUBDOMAIN": "washu"}, "SONNYS_BOT_USERNAME"),
        ({}, "SONNYS_BASE_URL or SONNYS_SUBDOMAIN"),
    ],
)
def test_a_closed_stdin_at_a_prompt_cannot_log_in(env: dict[str, str], variable: str) -> None:
    """A cron job or CI run without the variables: exit 3 naming the one to set, not click's
    "Aborted!" with exit 1."""
    state = AppState(env=env)
    result = CliRunner().invoke(cli, ["sites"], obj=state, input=None)  # stdin at EOF
    assert result.exit_code == 3, result.output
    assert "Aborted" not in result.output
    assert f"standard input is closed, so it cannot be asked for; set {variable}" in (result.stderr)


def test_ctrl_c_at_a_prompt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise click.Abort() from None

    monkeypatch.setattr(click, "prompt", interrupted)
    state = AppState(env={"SONNYS_SUBDOMAIN": "washu", "SONNYS_BOT_USERNAME": "bot"})
    result = CliRunner().invoke(cli, ["sites"], obj=state)
    assert result.exit_code == 130


def test_no_command_accepts_credentials_on_the_command_line() -> None:
    def options(command: object) -> set[str]:
        opts = {o for p in command.params for o in getattr(p, "opts", [])}  # type: ignore[attr-defined]
        for sub in getattr(command, "commands", {}).values():
            opts |= options(sub)
        return opts

    found = options(cli)
    assert "--disable-backoffice-user" in found  # the walk sees subcommand options
    assert not {o for o in found if "password" in o or o in {"--username", "--user"}}


def test_main_runs_the_group() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["template-csv", "offboard"])
    assert exc.value.code == 0
