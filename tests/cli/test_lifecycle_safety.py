"""The lifecycle commands keep the bulk commands' safety: one refused login (exit 3), the
breaker (exit 4), a journal bound to its tenant, cells neutralised against formula injection,
data shown as text on the terminal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox, SandboxOptions

from .conftest import Invoke, logins, posts, read_csv, write_csv


class GoesAway(httpx.AsyncBaseTransport):
    """The sandbox, until ``after`` writes went through; then nothing answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport, after: int) -> None:
        self.inner, self.after = inner, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.after <= 0:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "POST" and request.url.path != "/login_check":
            self.after -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _changes(sb: Sandbox, tmp_path: Path, n: int) -> Path:
    staff = sorted((e for e in sb.state.employees.values() if e.active), key=lambda e: e.id)
    return write_csv(
        tmp_path / "changes.csv",
        ["pos_user_id", "departments"],
        [[e.pos_user_id, "Cashier;Line"] for e in staff[:n]],
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("modify",),
        ("users", "disable"),
    ],
)
def test_a_refused_login_is_tried_once_and_writes_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    if argv == ("modify",):
        src = _changes(sb, tmp_path, 10)
    else:
        src = write_csv(tmp_path / "changes.csv", ["user_id"], [[n] for n in range(1, 11)])
    out = tmp_path / "out.csv"
    result = invoke(*argv, str(src), "--out", str(out), password="wrong")
    assert result.exit_code == 3, result.output
    assert "login refused" in result.stderr
    assert logins(sb) == 1
    assert posts(sb) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.csv"]


def test_users_export_with_a_wrong_password_exits_3(invoke: Invoke, sb: Sandbox) -> None:
    assert invoke("users", "export", "x.csv", password="wrong").exit_code == 3
    assert logins(sb) == 1


def test_a_backoffice_that_stops_answering_stops_modify_and_the_rerun_resumes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = _changes(sb, tmp_path, 20)
    out = tmp_path / "out.csv"
    args = ("modify", str(src), "--out", str(out), "--concurrency", "1")
    first = invoke(*args, transport=GoesAway(sb.transport(), after=3))
    assert first.exit_code == 4, first.output
    assert "stopped mid-run: the Backoffice stopped answering" in first.stderr
    # Two changes read back; the third was applied but its read-back found nobody answering;
    # then 5 rows in a row failed and the breaker stopped the run.
    assert Counter(r["status"] for r in read_csv(out)) == {
        "modified": 2,
        "unverified": 1,
        "failed": 5,
    }
    second = invoke(*args)
    assert second.exit_code == 0, second.output
    final = Counter(r["status"] for r in read_csv(out))
    assert final == {"modified": 18, "done earlier": 2}


def test_a_journal_of_another_tenant_is_refused(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = _changes(sb, tmp_path, 2)
    out = tmp_path / "out.csv"
    assert invoke("modify", str(src), "--out", str(out)).exit_code == 0
    journal = out.with_name(out.name + ".journal.jsonl").read_bytes()
    real = Sandbox(SandboxOptions(employees=10, base_url="https://washu.sonnyscontrols.com"))
    state = AppState(sandbox_instance=real, client_options={"retry": RetryPolicy.no_wait()})
    result = CliRunner().invoke(
        cli, ["--sandbox", "modify", str(src), "--out", str(out)], obj=state
    )
    assert result.exit_code == 2, result.output
    assert "https://washu.sonnyscontrols.com" in " ".join(result.stderr.split())
    assert real.request_log == []
    assert out.with_name(out.name + ".journal.jsonl").read_bytes() == journal


def test_formula_cells_are_neutralised_and_terminal_text_is_escaped(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "users.csv",
        ["username", "permission", "first_name", "last_name", "email"],
        [["formula_user", "Manager", "=HYPERLINK(1)", "@Evil", "formula@example.invalid"]],
    )
    out = tmp_path / "created.csv"
    created = invoke("users", "create", str(src), "--out", str(out))
    assert created.exit_code == 0, created.output
    assert "starts with '='" in created.stderr  # warned about on input
    export = tmp_path / "export.csv"
    assert invoke("users", "export", str(export)).exit_code == 0
    [row] = [r for r in read_csv(export) if r["username"] == "formula_user"]
    assert (row["first_name"], row["last_name"]) == ("'=HYPERLINK(1)", "'@Evil")

    # A control character never reaches the terminal (the row is refused, the value never
    # echoed); markup in a name prints as typed, in the table of rows not done.
    bad = write_csv(
        tmp_path / "changes.csv",
        ["first_name", "last_name", "departments"],
        [["Ann\x1b[2J", "Lee", "Cashier"], ["[bold]Ann", "Lee[/x]", "Cashier"]],
    )
    result = invoke("modify", str(bad), "--skip-invalid")
    assert result.exit_code == 1, result.output
    shown = result.output + result.stderr
    assert "\x1b" not in shown
    assert "found U+001B" in shown
    assert "[bold]Ann Lee[/x]" in shown
