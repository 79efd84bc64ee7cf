"""The journal and the results file belong to one tenant and bot user: a rehearsal's files
are never taken for the real run's (which would skip rows as "done earlier" and report
sandbox PINs as real)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox, SandboxOptions

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv


def run_on(sb: Sandbox, *args: str) -> Result:
    state = AppState(sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()})
    return CliRunner().invoke(cli, ["--sandbox", *args], obj=state, catch_exceptions=False)


@pytest.mark.parametrize(
    "other",
    [
        SandboxOptions(employees=10, base_url="https://washu.sonnyscontrols.com"),
        SandboxOptions(employees=10, username="other-bot"),
    ],
)
def test_a_rehearsals_journal_is_refused_for_another_tenant_or_user(
    invoke: Invoke, tmp_path: Path, other: SandboxOptions
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2)])
    out = tmp_path / "results.csv"
    assert invoke("onboard", str(src), "--out", str(out)).exit_code == 0
    rehearsal = out.read_bytes()
    journal = out.with_name(out.name + ".journal.jsonl").read_bytes()
    real = Sandbox(other)
    result = run_on(real, "onboard", str(src), "--out", str(out))
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert "http://washu.sandbox.test" in message
    assert other.base_url in message
    assert real.request_log == []  # refused before anything was sent
    assert out.read_bytes() == rehearsal
    assert out.with_name(out.name + ".journal.jsonl").read_bytes() == journal
    # offboarding too
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001]])
    assert invoke("offboard", str(leavers), "--out", str(tmp_path / "off.csv")).exit_code == 0
    result = run_on(real, "offboard", str(leavers), "--out", str(tmp_path / "off.csv"))
    assert result.exit_code == 2
    assert posts(real) == []


def test_journal_and_results_record_the_tenant_and_bot_user(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out = tmp_path / "results.csv"
    assert invoke("onboard", str(src), "--out", str(out)).exit_code == 0
    [row] = read_csv(out)
    assert (row["tenant"], row["bot_user"]) == (sb.base_url, sb.username)
    first = json.loads(out.with_name(out.name + ".journal.jsonl").read_text().splitlines()[0])
    assert first["tenant"] == {"base_url": sb.base_url, "username": sb.username}


def test_a_journal_from_before_bindings_is_adopted_and_resumed(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1), hire(2)])
    out = tmp_path / "results.csv"
    journal_path = tmp_path / "old.jsonl"
    with Journal(journal_path) as journal:  # what an older version wrote: no tenant line
        journal.record_failed("95001", RuntimeError("earlier attempt refused"))
    result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal_path))
    assert result.exit_code == 0, result.output
    assert "binding it to" in result.stderr
    with Journal(journal_path) as journal:
        assert journal.tenant is not None
        assert journal.tenant.base_url == sb.base_url
