"""Interrupted bulk runs resume from the journal: every hire exists once, no credential lost;
Ctrl-C prints what was done and how to resume; one run per journal."""

from __future__ import annotations

import json
import os
import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, _runs
from sonnys_async.cli._app import open_client
from sonnys_async.cli._csv import ONBOARD_COLUMNS, HireRow, parse_hires, read_rows
from sonnys_async.cli._jobs import ONBOARD_RESULT_FIELDS, onboard
from sonnys_async.cli._output import ResultsWriter, make_console
from sonnys_async.data import sample_path
from sonnys_async.journal import Journal
from sonnys_async.models import CreateEmployeeRequest
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, posts, read_csv, write_csv

SAMPLE = sample_path("sample_hires.csv")


def sample_hires() -> list[HireRow]:
    rows, errors = read_rows(SAMPLE, ONBOARD_COLUMNS)
    hires, more = parse_hires(rows)
    assert not errors + more
    return hires


def assert_each_hire_once_with_its_credentials(sb: Sandbox, results: Path, count: int) -> None:
    """Server truth vs. the results file: one employee per POS ID, PINs/passwords recorded."""
    rows = read_csv(results)
    assert len(rows) == count
    holders = Counter(e.pos_user_id for e in sb.state.employees.values())
    for row in rows:
        assert row["status"] in {"created", "done earlier"}, row["error"]
        pos = int(row["pos_user_id"])
        assert holders[pos] == 1, pos
        stored = sb.state.employee_by_pos_user_id(pos)
        assert stored is not None
        assert int(row["employee_id"]) == stored.id
        assert int(row["pos_pin"]) == stored.pos_pin
        if row["backoffice_username"]:
            [user] = [
                u for u in sb.state.users.values() if u.username == row["backoffice_username"]
            ]
            assert row["backoffice_password"] == user.password
            assert user.employee_id == stored.id


@pytest.mark.parametrize("kind", ["disconnect", "timeout"])
def test_insert_applied_but_answer_lost_then_rerun(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, kind: Any
) -> None:
    out = tmp_path / "results.csv"
    journal = tmp_path / "run.jsonl"
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=True, kind=kind)
    args = ("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal))
    first = invoke(*args)
    assert first.exit_code in (0, 1), first.output
    second = invoke(*args)
    assert second.exit_code == 0, second.output
    assert_each_hire_once_with_its_credentials(sb, out, 50)


def test_permissions_post_lost_leaves_a_partial_hire_that_the_rerun_completes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    journal = tmp_path / "run.jsonl"
    sb.faults.drop_next(
        method="POST", path="/employee/permissions/update", after_apply=False, count=1
    )
    args = ("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal))
    first = invoke(*args)
    assert first.exit_code in (0, 1), first.output
    second = invoke(*args)
    assert second.exit_code == 0, second.output
    assert_each_hire_once_with_its_credentials(sb, out, 50)
    templates = {r["pos_user_id"]: r["permission"] for r in read_csv(out)}
    for row in sample_hires():
        stored = sb.state.employee_by_pos_user_id(row.request.pos_user_id)
        assert stored is not None
        assert stored.grants, templates[str(row.request.pos_user_id)]


def test_run_cancelled_after_k_outcomes_resumes_with_the_journal(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Ctrl-C after 7 results: in-flight hires finish and are journaled; the rerun does the rest."""
    journal_path = tmp_path / "run.jsonl"
    first_out = tmp_path / "first.csv"
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )

    class CancellingWriter(ResultsWriter):
        scope: anyio.CancelScope

        def write(self, row: Any) -> None:
            super().write(row)
            if self.rows == 7:
                self.scope.cancel()

    async def interrupted_run() -> None:
        with (
            Journal(journal_path) as journal,
            CancellingWriter(first_out, ONBOARD_RESULT_FIELDS) as w,
        ):
            with anyio.CancelScope() as scope:
                w.scope = scope
                async with open_client(state, None, max_concurrency=8, sessions=4) as client:
                    await onboard(
                        client,
                        sample_hires(),
                        writer=w,
                        journal=journal,
                        console=make_console(),
                        max_at_once=4,
                        max_per_second=None,
                    )
            assert scope.cancelled_caught

    anyio.run(interrupted_run)
    first_rows = read_csv(first_out)
    assert 7 <= len(first_rows) < 50  # in-flight hires finished after the cancel
    with Journal(journal_path) as journal:
        counts = journal.counts()
    assert counts == {"done": len(first_rows), "failed": 0, "ambiguous": 0}

    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal_path))
    assert result.exit_code == 0, result.output
    assert_each_hire_once_with_its_credentials(sb, out, 50)
    statuses = Counter(r["status"] for r in read_csv(out))
    assert statuses == {"done earlier": len(first_rows), "created": 50 - len(first_rows)}
    # The credentials of the first run are carried over from the journal.
    earlier = {r["pos_user_id"]: r["pos_pin"] for r in first_rows}
    assert {
        r["pos_user_id"]: r["pos_pin"] for r in read_csv(out) if r["pos_user_id"] in earlier
    } == earlier


def killed_after_insert(sb: Sandbox, journal_path: Path, pin: int, password: str) -> HireRow:
    """What a process killed right after an insert leaves: a `started` journal entry (the
    request as the client journals it, secrets drawn) and the bare employee on the server."""
    victim = next(h for h in sample_hires() if h.request.requires_backoffice)
    request = CreateEmployeeRequest.model_validate(
        {**victim.request.model_dump(), "pos_pin": pin, "backoffice_password": password}
    )
    with Journal(journal_path) as journal:
        journal.record_started(victim.key, request)
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )

    async def apply_insert_only() -> None:
        plain = request.model_copy(
            update={
                "requires_backoffice": False,
                "backoffice_username": None,
                "backoffice_password": None,
                "backoffice_permission": None,
            }
        )
        async with open_client(state, None) as client:
            await client.create_employee_from(plain)

    anyio.run(apply_insert_only)
    return victim


def test_process_killed_right_after_an_insert_was_applied(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """The journal says `started` (with the generated PIN and password) and nothing else, but
    the server has the employee: the rerun reuses the journaled credentials, finds the hire,
    finishes it, and records it once."""
    journal_path = tmp_path / "run.jsonl"
    victim = killed_after_insert(sb, journal_path, 45678, "Killed4Good9x")
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal_path))
    assert result.exit_code == 0, result.output
    assert_each_hire_once_with_its_credentials(sb, out, 50)
    [row] = [r for r in read_csv(out) if r["pos_user_id"] == victim.key]
    assert row["resolved"] == "yes"
    assert row["pos_pin"] == "45678"
    assert row["backoffice_password"] == "Killed4Good9x"
    assert "interrupted" in row["warnings"]


def test_resumed_hire_whose_username_was_taken_meanwhile_fails_with_its_credentials(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """The client's resume, not a CLI copy of it: a username now held by an unlinked user is
    not reported as done; the row is "unverified" (the hire exists, the login does not),
    naming what is missing, and keeps what was sent."""
    journal_path = tmp_path / "run.jsonl"
    victim = killed_after_insert(sb, journal_path, 45679, "Killed4Good9y")
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )

    async def take_username() -> None:
        async with open_client(state, None) as client:
            await client.create_backoffice_user(
                username=victim.request.backoffice_username,
                permission="Manager",
                first_name="Some",
                last_name="Body",
                email="somebody@example.invalid",
            )

    anyio.run(take_username)
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal_path))
    assert result.exit_code == 1, result.output
    rows = read_csv(out)
    [row] = [r for r in rows if r["pos_user_id"] == victim.key]
    assert row["status"] == "unverified"
    assert row["error"].startswith("WriteNotVerifiedError")
    assert "Backoffice user is missing" in row["error"]
    stored = sb.state.employee_by_pos_user_id(victim.request.pos_user_id)
    assert stored is not None
    assert stored.grants  # the POS template part was finished
    assert row["employee_id"] == str(stored.id)
    assert row["pos_pin"] == "45679" == str(stored.pos_pin)
    assert row["backoffice_password"] == "Killed4Good9y"
    assert Counter(r["status"] for r in rows) == {"created": 49, "unverified": 1}


def test_journal_holds_the_secrets_the_results_report(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Blank PINs and passwords are drawn before a row is journaled, and those are the ones
    the results file (and the server) end up with."""
    out = tmp_path / "results.csv"
    journal_path = tmp_path / "run.jsonl"
    args = ("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal_path))
    assert invoke(*args).exit_code == 0
    entries = [json.loads(line) for line in journal_path.read_text().splitlines()]
    started = {e["key"]: e["item"] for e in entries if e.get("event") == "started"}
    assert len(started) == 50
    for row in read_csv(out):
        item = started[row["pos_user_id"]]
        assert str(item["pos_pin"]) == row["pos_pin"]
        assert (item["backoffice_password"] or "") == row["backoffice_password"]


def test_rerun_of_a_finished_run_writes_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    assert invoke("onboard", str(SAMPLE), "--out", str(out)).exit_code == 0
    posts_before = sum(1 for r in sb.request_log if r.method == "POST" and r.path != "/login_check")
    again = invoke("onboard", str(SAMPLE), "--out", str(out))  # default journal next to --out
    assert again.exit_code == 0, again.output
    assert (
        sum(1 for r in sb.request_log if r.method == "POST" and r.path != "/login_check")
        == posts_before
    )
    assert_each_hire_once_with_its_credentials(sb, out, 50)
    assert {r["status"] for r in read_csv(out)} == {"done earlier"}


def test_a_second_run_on_a_held_journal_stops_with_a_clear_message(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    fcntl = pytest.importorskip("fcntl")  # POSIX only
    journal = tmp_path / "run.jsonl"
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    out = tmp_path / "results.csv"
    fd = os.open(journal, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
        result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal))
    finally:
        os.close(fd)
    assert result.exit_code == 2
    assert "in use by another run" in " ".join(result.stderr.split())
    assert posts(sb) == []
    assert not out.exists()
    result = invoke("onboard", str(src), "--out", str(out), "--journal", str(journal))
    assert result.exit_code == 0, result.output


def test_ctrl_c_prints_the_partial_summary_and_how_to_resume(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT mid-run (sent after the 6th result row): the rows in flight finish, the
    summary of what was done is printed with the resume hint, exit 130; the re-run resumes."""
    sent: list[int] = []

    class InterruptingWriter(ResultsWriter):
        def write(self, row: Any) -> None:
            super().write(row)
            if self.rows == 6 and not sent:
                sent.append(1)
                signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_runs, "ResultsWriter", InterruptingWriter)
    out = tmp_path / "results.csv"
    result = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert sent
    assert result.exit_code == 130, result.output
    assert "Onboarding summary" in result.stdout
    done = len(read_csv(out))
    assert 6 <= done < 50
    assert re.search(rf"done\W+{done}\b", result.stdout)
    err = " ".join(result.stderr.split())
    assert "run the same command again to resume" in err
    monkeypatch.undo()
    again = invoke("onboard", str(SAMPLE), "--out", str(out))
    assert again.exit_code == 0, again.output
    rows = read_csv(out)
    assert Counter(r["status"] for r in rows) == {"done earlier": done, "created": 50 - done}
    holders = Counter(e.pos_user_id for e in sb.state.employees.values())
    assert all(holders[int(r["pos_user_id"])] == 1 for r in rows)
