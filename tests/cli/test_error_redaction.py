"""Secrets quoted by an error never reach the terminal or a results file: the final error line,
the results' ``error`` column and logged tracebacks are redacted (session cookies, form
passwords), and tracebacks are escaped like every other log line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import httpx
import pytest

from sonnys_async.cli._app import _configure_logging
from sonnys_async.cli._sync_results import _error_text as sync_error_text
from sonnys_async.errors import StaleRecordError
from sonnys_async.redaction import RedactingFilter
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, read_csv, write_csv

SECRETS = "PHPSESSID=abc123secret _password=hunter2"


class Raising(httpx.AsyncBaseTransport):
    """The sandbox, except that requests to ``path`` fail with an error quoting secrets."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path: str) -> None:
        self.inner, self.method, self.path = inner, method, path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.method and request.url.path.startswith(self.path):
            raise httpx.ConnectError(f"boom \x1b[2J {SECRETS}", request=request)
        return await self.inner.handle_async_request(request)


def assert_redacted(text: str) -> None:
    assert "abc123secret" not in text
    assert "hunter2" not in text


def test_the_final_error_line_masks_a_session_cookie_and_a_password(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    result = invoke(
        "employees",
        "export",
        str(tmp_path / "roster.csv"),
        transport=Raising(sb.transport(), "GET", "/employee"),
    )
    assert result.exit_code == 3
    assert "PHPSESSID=***" in result.stderr
    assert "_password=***" in result.stderr
    assert_redacted(result.output)


def test_the_results_error_column_masks_secrets_the_error_quotes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out = tmp_path / "results.csv"
    result = invoke(
        "onboard",
        str(src),
        "--out",
        str(out),
        transport=Raising(sb.transport(), "POST", "/employee/insert"),
    )
    assert result.exit_code == 1
    (row,) = read_csv(out)
    assert row["status"] == "failed"
    assert "PHPSESSID=***" in row["error"]
    assert_redacted(out.read_text())
    assert_redacted(result.output)


def test_a_sync_results_error_masks_secrets() -> None:
    text = sync_error_text(StaleRecordError(f"changed {SECRETS}", employee_id=7))
    assert_redacted(text)
    assert text.endswith("plan again")


def _raise_with_secrets() -> None:
    raise RuntimeError(f"boom \x1b[2J\x1b]0;owned\x07 {SECRETS}")


def test_a_logged_traceback_is_redacted_and_escaped_on_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger = logging.getLogger("sonnys_async.tests.redaction")
    _configure_logging(0)
    try:
        _raise_with_secrets()
    except RuntimeError:
        logger.error("GET /employee: unexpected RuntimeError", exc_info=True)
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "_password=***" in err
    assert_redacted(err)
    assert "\x1b" not in err
    assert "\\x1b[2J" in err


def test_the_redacting_filter_also_scrubs_tracebacks_for_any_formatter() -> None:
    record = logging.LogRecord("x", logging.ERROR, "", 0, "unexpected", None, None)
    try:
        _raise_with_secrets()
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.stack_info = f"Stack (most recent call last):\n  {SECRETS}"
    assert RedactingFilter(["abc123secret"]).filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "RuntimeError" in line
    assert_redacted(line)
