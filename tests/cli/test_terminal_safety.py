"""Data never steers the terminal: names, server text and error messages print as they are
(never as Rich markup), with control and bidi characters shown as escapes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sonnys_async.cli._app import _VisibleFormatter
from sonnys_async.cli._safety import json_text, plain, visible
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, read_csv, write_csv

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"


def test_a_name_that_looks_like_markup_prints_as_it_is_after_its_row_was_written(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1, first_name="Ann[/x]"), hire(2, last_name="[link=https://evil.example]Bo[/link]")],
    )
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in read_csv(out)] == ["created", "created"]
    flat = "".join(result.stdout.split())
    assert "Ann[/x]" in flat
    assert "[link=https://evil.example]Bo[/link]" in flat


def test_control_and_bidi_characters_from_the_server_are_shown_as_escapes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    sb.state.add_employee(first_name="Eve\x1b[2J", last_name="Mal\u202eroy\x00", pos_user_id=96001)
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[96001]])
    result = invoke("offboard", str(leavers))
    assert result.exit_code == 0, result.output
    flat = "".join(result.stdout.split())
    assert "\\x1b[2J" in flat
    assert "\\u202e" in flat
    for raw in ("\x1b", "\u202e", "\x00"):
        assert raw not in result.output


def test_error_messages_keep_their_brackets(invoke: Invoke) -> None:
    result = invoke(
        "replay",
        str(FIXTURES / "employee_edit_54.html"),
        "--form",
        "employee-create-edit-form",
        "--set",
        "employee[nosuch]=1",
        sandbox=False,
    )
    assert result.exit_code == 2
    assert "employee[nosuch]" in result.stderr


def test_one_helper_for_terminal_text() -> None:
    assert visible("Ann\x1b[31m\u202eX\x00\n") == "Ann\\x1b[31m\\u202eX\\x00\\n"
    assert visible("José Peña") == "José Peña"
    text = plain("Ann[/x] :smile:")
    assert text.plain == "Ann[/x] :smile:"  # a Text: never parsed as markup or emoji codes
    assert "\\u202e" in json_text({"name": "a\u202eb"})


def test_log_lines_show_control_characters_as_escapes() -> None:
    record = logging.LogRecord(
        "sonnys_async", logging.WARNING, "", 0, "name %s", ("E\x1bve",), None
    )
    line = _VisibleFormatter("%(message)s").format(record)
    assert line == "name E\\x1bve"


@pytest.mark.parametrize(
    ("encoding", "corner"), [("utf-8", "┏"), ("ascii", "+")], ids=["utf-8 pipe", "ascii pipe"]
)
def test_piped_tables_use_ascii_borders_only_when_the_encoding_needs_them(
    encoding: str, corner: str
) -> None:
    """What docs/cli.md ("Output in CI") says: box drawing on a UTF-8 pipe, ASCII otherwise."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("COLUMNS", None)
    done = subprocess.run(
        [sys.executable, "-c", "from sonnys_async.cli import main; main()", *_DESCRIBE],
        capture_output=True,
        env=env,
        check=True,
    )
    text = done.stdout.decode(encoding)
    assert text.splitlines()[1].startswith(corner)
    assert "\x1b[" not in text


_DESCRIBE = ["template-csv", "offboard", "--describe"]
