"""A run that cannot go on stops cleanly: a refused login is tried once (exit 3, for every
command), a Backoffice that stops answering ends the run with exit 4, and re-running the same
command resumes where it stopped."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, BeforePost, Invoke, hire, logins, posts, read_csv, write_csv


class GoesAway(httpx.AsyncBaseTransport):
    """The sandbox, until ``after`` employee inserts went through; then nothing answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport, after: int) -> None:
        self.inner, self.after, self.refused = inner, after, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.after <= 0:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "POST" and request.url.path == "/employee/insert":
            self.after -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("command", ["onboard", "offboard"])
def test_a_wrong_password_sends_one_login_for_fifty_rows(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, command: str
) -> None:
    if command == "onboard":
        src = write_csv(tmp_path / "in.csv", HEADER, [hire(n) for n in range(1, 51)])
    else:
        ids = [[e.pos_user_id] for e in list(sb.state.employees.values())[:40]]
        src = write_csv(
            tmp_path / "in.csv", ["pos_user_id"], ids + [[97000 + n] for n in range(10)]
        )
    out = tmp_path / "results.csv"
    result = invoke(command, str(src), "--out", str(out), "--concurrency", "4", password="wrong")
    assert result.exit_code == 3, result.output
    assert "login refused" in result.stderr
    assert logins(sb) == 1
    assert posts(sb) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no journal, no results


@pytest.mark.parametrize("args", [["sites"], ["templates"], ["employees", "export", "x.csv"]])
def test_a_wrong_password_exits_3_for_every_command(
    invoke: Invoke, sb: Sandbox, args: list[str]
) -> None:
    result = invoke(*args, password="wrong")
    assert result.exit_code == 3
    assert logins(sb) == 1


def test_a_backoffice_that_stops_answering_stops_the_run_and_the_rerun_resumes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(n) for n in range(1, 31)])
    out = tmp_path / "results.csv"
    down = GoesAway(sb.transport(), after=5)
    first = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1", transport=down)
    assert first.exit_code == 4, first.output
    assert "stopped mid-run: the Backoffice stopped answering" in first.stderr
    assert "run the same command again to resume" in first.stderr
    rows = read_csv(out)
    # The 5th hire was inserted, then its POS template could not be applied: applied, not
    # verified (with its PIN); the next 5 rows found nobody answering; the rest never started.
    assert Counter(r["status"] for r in rows) == {"created": 4, "unverified": 1, "failed": 5}
    [partial] = [r for r in rows if r["status"] == "unverified"]
    assert partial["pos_pin"] == str(sb.state.employee_by_pos_user_id(95005).pos_pin)
    assert "not started (re-run to continue)" in first.stdout

    second = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1")
    assert second.exit_code == 0, second.output
    final = read_csv(out)
    assert len(final) == 30
    assert Counter(r["status"] for r in final) == {"created": 26, "done earlier": 4}
    [finished] = [r for r in final if r["pos_user_id"] == "95005"]
    assert (finished["status"], finished["resolved"]) == ("created", "yes")
    holders = Counter(e.pos_user_id for e in sb.state.employees.values())
    assert all(holders[95000 + n] == 1 for n in range(1, 31))


def test_offboard_against_an_unreachable_backoffice_fails_fast_writing_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[95001], [95002]])
    out = tmp_path / "results.csv"
    down = GoesAway(sb.transport(), after=0)
    result = invoke("offboard", str(src), "--out", str(out), transport=down)
    assert result.exit_code == 3, result.output
    assert "cannot reach the Backoffice" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leavers.csv"]


def test_a_login_refused_mid_run_stops_it_with_exit_3_and_the_rerun_resumes(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(n) for n in range(1, 21)])
    out = tmp_path / "results.csv"
    bot = sb.state.user_by_username(sb.username)
    assert bot is not None

    def rotate_the_password() -> None:  # someone changes the bot's password mid-run
        bot.password = "rotated-" + bot.password
        sb.expire_sessions()

    rotated = BeforePost(sb.transport(), "/employee/insert", rotate_the_password, skip=3)
    first = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1", transport=rotated)
    assert first.exit_code == 3, first.output
    assert "login refused" in first.stderr
    before = logins(sb)
    assert before <= 3  # the first login, then the refused re-login (tried once)
    done = {r["pos_user_id"] for r in read_csv(out) if r["status"] == "created"}
    assert len(done) == 3

    result = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1")
    assert result.exit_code == 3  # still the old password in this test's client
    bot.password = bot.password.removeprefix("rotated-")
    again = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1")
    assert again.exit_code == 0, again.output
    holders = Counter(e.pos_user_id for e in sb.state.employees.values())
    assert all(holders[95000 + n] == 1 for n in range(1, 21))
    assert len(read_csv(out)) == 20
