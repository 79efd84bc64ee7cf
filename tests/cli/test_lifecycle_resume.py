"""Killed lifecycle runs, resumed with the same command: each change applied exactly once (a pay
raise is one wage record), a rehire's password set once and kept in the results."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from sonnys_async.sandbox import Sandbox
from sonnys_async.sandbox.state import StoredEmployee

from .conftest import Invoke, posts, read_csv, write_csv


class Killed(BaseException):
    """Stands for the process dying (not an error the run may catch)."""


class DieAfterWrites(httpx.AsyncBaseTransport):
    """The sandbox transport; the process dies before the write (a POST other than the login)
    after ``keep`` writes went through, and before every later one."""

    def __init__(self, inner: httpx.AsyncBaseTransport, keep: int) -> None:
        self.inner, self.keep, self.writes = inner, keep, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path != "/login_check":
            self.writes += 1
            if self.writes > self.keep:
                raise Killed
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _hourly_staff(sb: Sandbox, n: int) -> list[StoredEmployee]:
    staff = [
        e
        for e in sorted(sb.state.employees.values(), key=lambda e: e.id)
        if e.active and e.wages and all(w.is_hourly for w in e.wages)
    ]
    assert len(staff) >= n
    return staff[:n]


def _site_ids(sb: Sandbox, *codes: str) -> frozenset[int]:
    return frozenset(s.id for s in sb.state.tenant.tree.sites if s.code in codes)


def _unchanged_but_wage_and_sites(
    was: StoredEmployee, now: StoredEmployee, sb: Sandbox, rate: Decimal, sites: frozenset[int]
) -> None:
    """``now`` is ``was`` with exactly one more wage record (of ``rate``) and ``sites``."""
    before, after = dataclasses.asdict(was), dataclasses.asdict(now)
    for field in ("wages", "sites"):
        before.pop(field)
        after.pop(field)
    for data in (before, after):  # a set (the edit form lists them in its own order)
        data["department_ids"] = sorted(data["department_ids"])
    assert after == before, now.id
    assert sb.state.site_ids_of(now.sites) == sites, now.id
    assert len(now.wages) == len(was.wages) + 1, [w.rate for w in now.wages]
    for old, kept in zip(was.wages, now.wages, strict=False):
        assert (old.effective_date, old.rate, old.overtime_rate, old.is_hourly) == (
            kept.effective_date,
            kept.rate,
            kept.overtime_rate,
            kept.is_hourly,
        )
    new = now.wages[-1]
    assert (new.rate, new.end_date, new.is_hourly) == (rate, None, True)


def test_twenty_pay_raises_and_transfers_killed_once_and_resumed(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """The issue's done-when: a CSV of 20 pay raises and transfers applied with `modify`
    (killed once, resumed) changes exactly those fields, each once."""
    staff = _hourly_staff(sb, 20)
    raises = {e.id: max(w.rate for w in e.wages) + Decimal("1.25") for e in staff}
    src = write_csv(
        tmp_path / "raises.csv",
        ["pos_user_id", "wage_rate", "available_sites"],
        [[e.pos_user_id, f"{raises[e.id]:.2f}", "NAPER;WHEAT"] for e in staff],
    )
    before = copy.deepcopy(sb.state.employees)
    out = tmp_path / "raises-results.csv"
    args = ("modify", str(src), "--out", str(out))

    with pytest.raises(Killed):
        invoke(*args, transport=DieAfterWrites(sb.transport(), keep=17))
    raised = [e for e in staff if len(sb.state.employees[e.id].wages) > len(before[e.id].wages)]
    assert 0 < len(raised) < 20  # killed midway
    killed = Counter(r["status"] for r in read_csv(out))  # written before the kill
    assert killed["modified"] > 0
    assert killed["unknown"] > 0  # the rows the kill cut short: may have been applied

    result = invoke(*args)
    assert result.exit_code == 0, result.output
    sites = _site_ids(sb, "NAPER", "WHEAT")
    for e in staff:
        _unchanged_but_wage_and_sites(
            before[e.id], sb.state.employees[e.id], sb, raises[e.id], sites
        )
    for eid, was in before.items():  # nobody else was touched
        if eid not in raises:
            assert dataclasses.asdict(sb.state.employees[eid]) == dataclasses.asdict(was)
    rows = read_csv(out)
    assert sorted(int(r["row"]) for r in rows) == list(range(2, 22))
    # Done now, or (rows done before the kill) done earlier: never "unchanged".
    assert {r["status"] for r in rows} <= {"modified", "done earlier"}
    assert any(r["status"] == "done earlier" for r in rows)
    # Each row says what it changed (a row cut short says what its resume finished).
    assert all(r["changes_applied"] for r in rows)
    assert any(r["resolved"] == "yes" for r in rows)

    # And once more: everything is already so; nothing is sent.
    sent = len(posts(sb))
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert len(posts(sb)) == sent
    assert Counter(r["status"] for r in read_csv(out)) == {"done earlier": 20}


def test_a_killed_rehire_keeps_its_journaled_password(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    """Killed before the password reset of the first rehire: the re-run sets the journaled
    password (not a new one), and a third run skips the rehires (done earlier) keeping it."""
    leavers = [
        u
        for u in sb.state.users.values()
        if u.employee_id is not None and sb.state.employees[u.employee_id].active
    ][:2]
    assert len(leavers) == 2
    pos = [sb.state.employees[u.employee_id].pos_user_id for u in leavers]
    offboard = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[p] for p in pos])
    left = invoke("offboard", str(offboard), "--disable-backoffice-user")
    assert left.exit_code == 0, left.output
    src = write_csv(tmp_path / "rehires.csv", ["pos_user_id"], [[p] for p in pos])
    out = tmp_path / "rehired.csv"
    journal = tmp_path / "rehired.csv.journal.jsonl"
    args = ("rehire", str(src), "--out", str(out), "--concurrency", "1")
    # Each rehire posts: employee update, user update (reactivate), user update (password).
    with pytest.raises(Killed):
        invoke(*args, transport=DieAfterWrites(sb.transport(), keep=2))
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    started = {
        e["key"]: e["item"]["backoffice_password"]
        for e in map(json.loads, journal.read_text().splitlines())
        if e.get("event") == "started"
    }
    assert len(started) == 2  # the first rehire was not started again: it was settled
    rows = {r["lookup"]: r for r in read_csv(out)}
    for p, user in zip(pos, leavers, strict=True):
        row = rows[f"POS User ID {p}"]
        assert row["status"] == "rehired"
        assert row["backoffice_password"] == started[str(p)] == user.password
        assert not user.is_deleted
    assert rows[f"POS User ID {pos[0]}"]["resolved"] == "yes"

    sent = len(posts(sb))
    third = invoke(*args)
    assert third.exit_code == 0, third.output
    assert len(posts(sb)) == sent  # never a second reset
    rows = {r["lookup"]: r for r in read_csv(out)}
    assert {r["status"] for r in rows.values()} == {"done earlier"}
    for p, user in zip(pos, leavers, strict=True):
        assert rows[f"POS User ID {p}"]["backoffice_password"] == user.password


def test_a_killed_users_create_is_settled_with_its_journaled_password(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "users.csv",
        ["username", "permission", "first_name", "last_name", "email"],
        [
            ["alpha_user", "Manager", "Alpha", "User", "alpha@example.invalid"],
            ["beta_user", "General User", "Beta", "User", "beta@example.invalid"],
        ],
    )
    out = tmp_path / "users-results.csv"
    args = ("users", "create", str(src), "--out", str(out), "--concurrency", "1")
    with pytest.raises(Killed):  # the first insert lands; its access save never does
        invoke(*args, transport=DieAfterWrites(sb.transport(), keep=1))
    alpha = sb.state.user_by_username("alpha_user")
    assert alpha is not None
    assert not alpha.tokens
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    rows = {r["username"]: r for r in read_csv(out)}
    assert rows["alpha_user"]["resolved"] == "yes"
    assert rows["alpha_user"]["password"] == alpha.password
    assert alpha.tokens
    beta = sb.state.user_by_username("beta_user")
    assert beta is not None
    assert rows["beta_user"]["password"] == beta.password
    assert {r["status"] for r in rows.values()} == {"created"}
