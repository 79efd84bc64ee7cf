"""Rows whose answer was lost are "unknown" (never "failed"), keep their credentials, and are
settled at the end of the run or on resume; credentials, once journaled, stay in the results
until the row is done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from sonnys_async.cli._output import ResultsWriter
from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, read_csv, write_csv
from .test_resume import SAMPLE, killed_after_insert


class Lost(httpx.AsyncBaseTransport):
    """The sandbox, except: the first POST /employee/insert never arrives (its sender times
    out) until :attr:`land` is set, and GETs matching ``fail_get`` answer 503 (with
    ``hold_insert``: once the insert is held)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        hold_insert: bool = False,
        fail_get: Callable[[httpx.Request], bool] = lambda r: False,
    ) -> None:
        self.inner, self.fail_get = inner, fail_get
        self.hold = hold_insert
        self.held: httpx.Request | None = None
        self.land = False
        self.failing = not hold_insert  # with hold_insert: from the held POST on

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.held is not None and self.land:
            held, self.held = self.held, None
            await self.inner.handle_async_request(held)  # the delayed POST arrives
        if self.hold and request.method == "POST" and request.url.path == "/employee/insert":
            self.hold = False
            await request.aread()
            self.held, self.failing = request, True
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        if self.failing and request.method == "GET" and self.fail_get(request):
            return httpx.Response(503, request=request, text="Service Unavailable")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def looks_up(pos_user_id: object) -> Callable[[httpx.Request], bool]:
    return lambda r: r.url.path == "/employee" and r.url.params.get("posUserId") == str(pos_user_id)


def test_a_lost_answer_that_cannot_be_settled_is_unknown_with_its_credentials(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "hires.csv",
        HEADER,
        [hire(1, backoffice_username="lost_one", permission="Manager"), hire(2)],
    )
    out = tmp_path / "results.csv"
    lost = Lost(sb.transport(), hold_insert=True, fail_get=looks_up(95001))
    result = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1", transport=lost)
    assert result.exit_code == 1, result.output
    rows = {r["row"]: r for r in read_csv(out)}
    assert rows["2"]["status"] == "unknown"
    assert rows["2"]["error"].startswith("OutcomeUnknownError")
    assert rows["2"]["pos_pin"]  # the PIN and password it was sent with: they may be live
    assert rows["2"]["backoffice_password"]
    assert rows["3"]["status"] == "created"
    assert "unknown (may have been applied; re-run to settle)" in result.stdout

    # The delayed insert lands; the re-run settles the row from the server and finishes it.
    lost.land, lost.fail_get = True, (lambda r: False)
    again = invoke("onboard", str(src), "--out", str(out), transport=lost)
    assert again.exit_code == 0, again.output
    final = {r["pos_user_id"]: r for r in read_csv(out)}
    assert len(read_csv(out)) == 2
    assert (final["95001"]["status"], final["95001"]["resolved"]) == ("created", "yes")
    assert final["95001"]["pos_pin"] == rows["2"]["pos_pin"]
    assert final["95001"]["backoffice_password"] == rows["2"]["backoffice_password"]
    stored = sb.state.employee_by_pos_user_id(95001)
    assert stored is not None
    assert str(stored.pos_pin) == rows["2"]["pos_pin"]


def test_a_hire_that_lands_late_is_settled_at_the_end_of_the_same_run(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(n) for n in range(1, 5)])
    out = tmp_path / "results.csv"
    lost = Lost(sb.transport(), hold_insert=True, fail_get=looks_up(95001))

    failed: list[httpx.Request] = []

    def then_land(request: httpx.Request) -> bool:
        if looks_up(95001)(request) and not lost.land:
            failed.append(request)  # the settling read (and its retries) fail...
            return True
        if failed:
            lost.land = True  # ...then the delayed POST arrives, before the next request
        return False

    lost.fail_get = then_land
    result = invoke("onboard", str(src), "--out", str(out), "--concurrency", "1", transport=lost)
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert Counter(r["status"] for r in rows) == {"created": 4}  # the unknown row gave way
    [settled] = [r for r in rows if r["pos_user_id"] == "95001"]
    assert settled["resolved"] == "yes"
    assert sum(1 for e in sb.state.employees.values() if e.pos_user_id == 95001) == 1


def test_a_resumed_row_that_fails_to_settle_keeps_its_journaled_credentials(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    journal_path = tmp_path / "run.jsonl"
    victim = killed_after_insert(sb, journal_path, 45680, "Killed4Good9z")
    out = tmp_path / "results.csv"
    args = ("onboard", str(SAMPLE), "--out", str(out), "--journal", str(journal_path))
    broken = Lost(sb.transport(), fail_get=looks_up(victim.key))
    first = invoke(*args, transport=broken)
    assert first.exit_code == 1, first.output
    [row] = [r for r in read_csv(out) if r["pos_user_id"] == victim.key]
    assert row["status"] == "unknown"
    assert (row["pos_pin"], row["backoffice_password"]) == ("45680", "Killed4Good9z")

    second = invoke(*args)
    assert second.exit_code == 0, second.output
    rows = read_csv(out)
    assert len(rows) == 50
    [row] = [r for r in rows if r["pos_user_id"] == victim.key]
    assert (row["status"], row["pos_pin"], row["backoffice_password"]) == (
        "created",
        "45680",
        "Killed4Good9z",
    )


def test_compaction_never_drops_a_credential_no_later_row_holds(tmp_path: Path) -> None:
    fields = ["row", "status", "pos_user_id", "pos_pin", "backoffice_password"]
    out = tmp_path / "r.csv"

    def identity(r: object) -> str:
        return r["pos_user_id"]  # type: ignore[index]

    with ResultsWriter(out, fields) as w:
        w.write({"row": 2, "status": "unknown", "pos_user_id": 1, "pos_pin": 11111})
        w.write({"row": 3, "status": "unknown", "pos_user_id": 2, "pos_pin": 22222})
        w.write({"row": 4, "status": "created", "pos_user_id": 3, "pos_pin": 33333})
    kwargs = {"append": True, "identity": identity, "secrets": ("pos_pin", "backoffice_password")}
    with ResultsWriter(out, fields, **kwargs) as w:
        w.write({"row": 2, "status": "failed", "pos_user_id": 1})  # no PIN: keep the old row
        w.write({"row": 3, "status": "created", "pos_user_id": 2, "pos_pin": 22222})
        w.write({"row": 4, "status": "done earlier", "pos_user_id": 3, "pos_pin": 33333})
    rows = [(r["status"], r["pos_user_id"], r["pos_pin"]) for r in read_csv(out)]
    assert rows == [
        ("unknown", "1", "11111"),
        ("failed", "1", ""),
        ("created", "2", "22222"),
        ("done earlier", "3", "33333"),
    ]
