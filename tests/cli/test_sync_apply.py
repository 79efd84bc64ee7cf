"""`sync apply`: a reviewed plan applied exactly (then planning again finds nothing to do),
its safeguards (mass disable, a changed plan file, another tenant's plan, another plan's
journal), stale records, a killed run resumed, and credentials kept in the results file only."""

from __future__ import annotations

import json
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from sonnys_async.models import SyncPlan
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, logins, posts, read_csv
from .test_sync_plan import roster, scenario, write_roster

#: Statuses of an item that is done.
DONE = {"created", "updated", "disabled", "rehired", "done earlier"}


def plan_file(invoke: Invoke, tmp_path: Path, rows: list[dict[str, Any]], name: str) -> Path:
    path = write_roster(tmp_path / f"{name}.csv", rows)
    out = tmp_path / f"{name}.json"
    result = invoke("sync", "plan", str(path), "--out", str(out), "--disable-threshold", "1")
    assert result.exit_code in (0, 1), result.output
    return out


def holders(sb: Sandbox, pos_user_id: int) -> int:
    return sum(1 for e in sb.state.employees.values() if e.pos_user_id == pos_user_id)


def assert_results_match_the_server(sb: Sandbox, results: Path) -> list[dict[str, str]]:
    """Every item done, each new hire once on the server with the PIN and password the
    results file holds."""
    rows = read_csv(results)
    for row in rows:
        if row["status"] == "conflict":
            continue
        assert row["status"] in DONE, row
        if row["backoffice_username"] and row["backoffice_password"]:
            user = sb.state.user_by_username(row["backoffice_username"])
            assert user is not None
            assert row["backoffice_password"] == user.password
        if row["action"] == "create":
            pos = int(row["pos_user_id"])
            assert holders(sb, pos) == 1
            stored = sb.state.employee_by_pos_user_id(pos)
            assert stored is not None
            assert row["pos_pin"] == str(stored.pos_pin)
    return rows


def test_applying_a_plan_makes_the_tenant_match_and_planning_again_finds_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, expected = scenario(sb)
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    out = tmp_path / "results.csv"
    result = invoke("sync", "apply", str(plan_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    results = assert_results_match_the_server(sb, out)
    statuses = Counter(r["status"] for r in results)
    assert statuses == {
        "created": 3,
        "updated": 1,
        "disabled": 2,
        "rehired": 1,
        "conflict": 1,
    }
    for pos in expected["disable"]:
        assert not sb.state.employee_by_pos_user_id(pos).active  # type: ignore[union-attr]
    for pos in expected["rehire"] | expected["create"]:
        assert sb.state.employee_by_pos_user_id(pos).active  # type: ignore[union-attr]
    # Secrets: in the results file (0600) and the journal (0600), nowhere else.
    journal = tmp_path / "results.csv.journal.jsonl"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    secrets = {r["pos_pin"] for r in results if r["pos_pin"]}
    secrets |= {r["backoffice_password"] for r in results if r["backoffice_password"]}
    assert len(secrets) == 5  # three PINs, two passwords (a new hire's, the rehire's)
    [rehired] = [r for r in results if r["status"] == "rehired"]
    user = sb.state.user_by_username("syncback")
    assert user is not None
    assert rehired["backoffice_password"] == user.password
    shown = [
        result.output,
        plan_path.read_text(encoding="utf-8"),
        plan_path.with_suffix(".html").read_text(encoding="utf-8"),
    ]
    for secret in secrets:
        assert not any(secret in text for text in shown), secret
    assert "*****" in result.output
    # Planning again (the invalid row fixed) finds nothing to do.
    fixed = [r for r in rows if r["last_name"] != "Phone"]
    again = invoke(
        "sync",
        "plan",
        str(write_roster(tmp_path / "again.csv", fixed)),
        "--out",
        str(tmp_path / "again.json"),
    )
    assert again.exit_code == 0, again.output
    assert "nothing to change" in again.output
    assert (
        SyncPlan.from_json((tmp_path / "again.json").read_text(encoding="utf-8")).actionable == ()
    )


def test_running_the_same_apply_again_sends_nothing(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, _ = scenario(sb)
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    out = tmp_path / "results.csv"
    assert invoke("sync", "apply", str(plan_path), "--out", str(out)).exit_code == 0
    before = len(posts(sb))
    again = invoke("sync", "apply", str(plan_path), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert len(posts(sb)) == before
    results = assert_results_match_the_server(sb, out)
    assert Counter(r["status"] for r in results) == {"done earlier": 7, "conflict": 1}
    assert len([r for r in results if r["pos_pin"]]) == 3  # the PINs stay


def test_a_half_roster_needs_allow_mass_disable(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows = roster(sb)
    path = write_roster(tmp_path / "half.csv", rows[: len(rows) // 2])
    plan_path = tmp_path / "plan.json"
    planned = invoke("sync", "plan", str(path), "--out", str(plan_path))
    assert planned.exit_code == 0, planned.output
    assert "MASS DISABLE" in planned.output
    assert "--allow-mass-disable" in planned.output
    assert 'id="mass-disable"' in plan_path.with_suffix(".html").read_text(encoding="utf-8")
    out = tmp_path / "results.csv"
    refused = invoke("sync", "apply", str(plan_path), "--out", str(out))
    assert refused.exit_code == 2, refused.output
    assert "--allow-mass-disable" in refused.output
    assert posts(sb) == []
    assert logins(sb) == 1
    assert not out.exists()
    allowed = invoke("sync", "apply", str(plan_path), "--out", str(out), "--allow-mass-disable")
    assert allowed.exit_code == 0, allowed.output
    disabled = [r for r in read_csv(out) if r["status"] == "disabled"]
    assert len(disabled) == len(rows) - len(rows) // 2


@pytest.mark.parametrize("change", ["content", "tenant", "bot_user", "format"])
def test_a_changed_plan_or_another_tenants_plan_is_refused_before_anything_is_sent(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, change: str
) -> None:
    rows, _ = scenario(sb)
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    text = plan_path.read_text(encoding="utf-8")
    if change == "content":  # an edit after review: the digest no longer matches
        changed = text.replace('"21.00"', '"99.00"')
        assert changed != text
        message = "does not match its digest"
    elif change == "format":
        changed = "not json"
        message = "not a roster-sync plan"
    else:  # a plan made elsewhere, sealed properly
        other = {"tenant": "https://other.sonnyscontrols.com", "bot_user": "another-bot"}[change]
        plan = SyncPlan.from_json(text).model_copy(update={change: other, "digest": ""})
        changed = plan.sealed().to_json()
        message = "made for"
    plan_path.write_text(changed, encoding="utf-8")
    out = tmp_path / "results.csv"
    result = invoke("sync", "apply", str(plan_path), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert posts(sb) == []
    assert not out.exists()
    assert not (tmp_path / "results.csv.journal.jsonl").exists()


def test_a_record_changed_since_planning_is_stale_and_untouched(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, expected = scenario(sb)
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    [target] = expected["update"]
    stored = sb.state.employee_by_pos_user_id(target)
    assert stored is not None
    stored.first_name = "Renamed"  # someone edits the record in Backoffice meanwhile
    wages = list(stored.wages)
    out = tmp_path / "results.csv"
    result = invoke("sync", "apply", str(plan_path), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "plan again" in result.output
    [row] = [r for r in read_csv(out) if r["pos_user_id"] == str(target)]
    assert row["status"] == "stale"
    assert "StaleRecordError" in row["error"]
    assert "plan again" in row["error"]
    assert stored.wages == wages
    others = [r for r in read_csv(out) if r["pos_user_id"] != str(target)]
    assert {r["status"] for r in others} <= DONE | {"conflict"}


def test_the_journal_of_another_plan_is_refused(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    rows, _ = scenario(sb)
    first = plan_file(invoke, tmp_path, rows, "first")
    out = tmp_path / "results.csv"
    assert invoke("sync", "apply", str(first), "--out", str(out)).exit_code == 0
    rows.append(
        {"first_name": "Late", "last_name": "Hire", "phone": "2145550377", "email": "late@x.io"}
    )
    second = plan_file(invoke, tmp_path, rows, "second")
    sent = len(posts(sb))
    result = invoke("sync", "apply", str(second), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "not of this plan" in result.output
    assert len(posts(sb)) == sent


class Killed(BaseException):
    """Stands for the process dying mid-run (not an error the run may catch)."""


class DieAfterPosts(httpx.AsyncBaseTransport):
    """The sandbox transport; the process "dies" instead of sending the POST after ``count``
    (logins aside)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, count: int) -> None:
        self.inner, self.left = inner, count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path != "/login_check":
            if self.left == 0:
                raise Killed
            self.left -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


#: With one item at a time the scenario's POSTs are: 1-3 the update (edit, wage, template),
#: 4-5 the disable (employee, login), 6-9 the rehire (employee, template, login insert, login
#: access), 10-17 the creates (insert, template; the second also login insert and access), 18
#: the other disable. The run dies before POST ``after + 1``.
KILL_POINTS = [
    1,  # mid-update: edited, wage not yet
    4,  # employee disabled, login not yet
    8,  # a rehire's new login inserted, its access not yet
    10,  # a new hire inserted, template not yet
    13,  # a new hire with a login: employee done, login not yet
    14,  # its login inserted, access not yet
]


@pytest.mark.parametrize("after", KILL_POINTS)
def test_a_killed_apply_run_again_finishes_without_duplicates(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, after: int
) -> None:
    rows, expected = scenario(sb)
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    out = tmp_path / "results.csv"
    args = ("sync", "apply", str(plan_path), "--out", str(out), "--concurrency", "1")
    with pytest.raises(Killed):
        invoke(*args, transport=DieAfterPosts(sb.transport(), after))
    assert len(posts(sb)) == after
    journal = tmp_path / "results.csv.journal.jsonl"
    assert json.loads(journal.read_text(encoding="utf-8").splitlines()[1])["key"] == "plan"
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    results = assert_results_match_the_server(sb, out)
    latest = {r["key"]: r["status"] for r in results}
    assert Counter(latest.values())["conflict"] == 1
    assert len(latest) == 8  # 7 items and the conflict, each once after compaction
    for pos in expected["create"]:
        assert holders(sb, pos) == 1
        assert sb.state.employee_by_pos_user_id(pos).grants  # type: ignore[union-attr]
    fixed = [r for r in rows if r["last_name"] != "Phone"]
    path = write_roster(tmp_path / "again.csv", fixed)
    again_plan = invoke("sync", "plan", str(path), "--out", str(tmp_path / "again.json"))
    assert again_plan.exit_code == 0, again_plan.output
    assert "nothing to change" in again_plan.output
