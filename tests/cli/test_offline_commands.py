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
        sonnys_async.sandbox,
        "serve",
        lambda opts, host, port, **_: calls.append((opts, host, port)),
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


PAYLOADS = Path(__file__).parents[1] / "fixtures" / "payloads"


def _browser_body(name: str) -> str:
    return str(json.loads((PAYLOADS / name).read_text(encoding="utf-8"))[0]["post_data"])


#: The access pages and the bodies browsers sent after choosing a template on them.
_CHOSEN = [
    ("employee_permissions_485_before.html", "3", "allowed_employee_permissions_update_browser"),
    (
        "w45v3_user_permissions_page_3312136_pre.html",  # a DOM snapshot
        "General User",
        "allowed_bo_user_permissions_browser_captured",
    ),
]


@pytest.mark.parametrize(("page", "template", "body"), _CHOSEN)
def test_replay_template_ticks_what_the_page_script_ticks(
    invoke: Invoke, page: str, template: str, body: str
) -> None:
    result = invoke("replay", str(FIXTURES / page), "--template", template, sandbox=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == _browser_body(f"{body}.json")


@pytest.mark.parametrize(("page", "template", "body"), _CHOSEN)
def test_replay_set_of_the_template_select_runs_the_script_too(
    invoke: Invoke, page: str, template: str, body: str
) -> None:
    select, form = (
        ("templateId", "employee-permission-update-form")
        if page.startswith("employee")
        else ("template", "user-permissions-update-form")
    )
    value = "3"  # "General User" is option 3 on the Backoffice page
    args = ("replay", str(FIXTURES / page), "--form", form, "--set", f"{select}={value}")
    result = invoke(*args, sandbox=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == _browser_body(f"{body}.json")
    # Plain HTML semantics: the select changes, nothing else does.
    plain = invoke(*args, "--plain", sandbox=False).stdout.strip()
    before = invoke("replay", str(FIXTURES / page), "--form", form, "--plain", sandbox=False)
    changed = set(parse_qsl(plain, keep_blank_values=True)) ^ set(
        parse_qsl(before.stdout.strip(), keep_blank_values=True)
    )
    assert {name for name, _ in changed} == {select}


def test_replay_template_then_edits(invoke: Invoke) -> None:
    page = str(FIXTURES / "employee_permissions_485_before.html")
    result = invoke(
        "replay", page, "--template", "cashier", "--uncheck", "permissions[2][hasGrantAccess]",
        sandbox=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pairs = parse_qsl(result.stdout.strip(), keep_blank_values=True)
    assert ("templateId", "2") in pairs
    assert ("permissions[2][hasGrantAccess]", "1") not in pairs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["employee_edit_54.html", "--template", "3"], "only a POS or Backoffice access page"),
        (["employee_permissions_485_before.html", "--template", "Nope"], "valid: 1 Manager"),
        (["employee_edit_54.html"], "name the form"),
    ],
)
def test_replay_template_mistakes_are_input_errors(
    invoke: Invoke, args: list[str], message: str
) -> None:
    result = invoke("replay", str(FIXTURES / args[0]), *args[1:], sandbox=False)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_inspect_reads_toggles_from_their_wrapper_on_a_dom_capture(invoke: Invoke) -> None:
    # The template script switched grant 22 on: only the wrapper shows it (protocol §0).
    page = FIXTURES / "employee_permissions_485_after_template_select.html"
    data = json.loads(invoke("inspect", str(page), sandbox=False).stdout)
    assert data["granted"] == [22]
    # The user switched the employee off: the box lost ``checked`` and the wrapper says off.
    page = FIXTURES / "employee_edit_484_after_browser_disable.html"
    assert json.loads(invoke("inspect", str(page), sandbox=False).stdout)["active"] is False
    page = FIXTURES / "employee_edit_484_before_disable.html"  # raw: no wrappers
    assert json.loads(invoke("inspect", str(page), sandbox=False).stdout)["active"] is True


def test_inspect_sorts_ids_as_numbers(invoke: Invoke) -> None:
    page = FIXTURES / "employee_permissions_485_before.html"
    data = json.loads(invoke("inspect", str(page), sandbox=False).stdout)
    grants = data["templates"][0]["grants"]
    assert len(grants) > 10
    assert grants == sorted(grants)
    assert all(isinstance(g, int) for g in grants)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"kind": "employee_edit"}\n', "no HTML markup found"),
        (b"first_name,last_name\nAnn,Lee\n", "no HTML markup found"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "a binary file"),
        (b"", "no HTML markup found"),
    ],
)
@pytest.mark.parametrize("command", ["inspect", "replay"])
def test_a_non_html_input_is_an_error(
    invoke: Invoke, tmp_path: Path, content: bytes, message: str, command: str
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)
    extra = ["--form", "x"] if command == "replay" else []
    result = invoke(command, str(path), *extra, sandbox=False)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
