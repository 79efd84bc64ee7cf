"""demo: the bundled sample onboarded into a sandbox and a few offboarded, secrets masked, on
any stdout (an ASCII one included); its results in one predictable folder, replaced by every run,
showing each hire's final state."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv

#: The bundled leavers (sample_leavers.csv), by POS User ID.
LEAVERS = {"90003", "90010", "90012", "90021", "90032"}


def test_demo_runs_end_to_end(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--latency-ms", "0", sandbox=False)
    assert result.exit_code == 0, result.output
    out = tmp_path / "demo-results"  # the default: in the working directory
    assert sorted(p.name for p in out.iterdir()) == [
        "offboarded.csv",
        "results.csv",
        "tenant.json",
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("results.csv", "offboarded.csv", "tenant.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    rows = read_csv(out / "results.csv")
    assert len(rows) == 50
    assert [int(r["row"]) for r in rows] == sorted(int(r["row"]) for r in rows)
    # The final state of every row: the leavers as offboarded, the others as created.
    assert {r["pos_user_id"] for r in rows if r["status"] == "offboarded"} == LEAVERS
    assert {r["status"] for r in rows if r["pos_user_id"] not in LEAVERS} == {"created"}
    assert all(r["offboarded_at"] for r in rows if r["status"] == "offboarded")
    [mateo] = [r for r in rows if r["pos_user_id"] == "90010"]  # the leaver with a login
    assert mateo["backoffice_login"] == "deactivated"
    assert mateo["backoffice_password"]
    assert {r["status"] for r in read_csv(out / "offboarded.csv")} == {"disabled"}
    assert "50 hired and 5 offboarded" in result.stdout
    flat = " ".join(result.stdout.split())
    assert "results in demo-results/ (replaced by every run)" in flat
    assert "(45 active, 5 offboarded)" in flat
    assert "sonnys-backoffice --sandbox-state demo-results/tenant.json sandbox" in flat
    shown_ids = {r["pos_user_id"] for r in rows}  # a random PIN may equal a POS id on screen
    for row in rows:
        if row["pos_pin"] not in shown_ids:
            assert row["pos_pin"] not in result.stdout
    leaver = sb.state.employee_by_pos_user_id(90003)
    assert leaver is not None
    assert not leaver.active
    # The saved tenant is the demo's: browse it with --sandbox-state.
    kept = Sandbox.load(out / "tenant.json")
    stored = kept.state.employee_by_pos_user_id(90001)
    assert stored is not None
    assert str(stored.pos_pin) == next(r["pos_pin"] for r in rows if r["pos_user_id"] == "90001")


def test_a_second_run_replaces_the_first(tmp_path: Path) -> None:
    out = tmp_path / "here"
    pins = []
    for _ in range(2):
        state = AppState(client_options={"retry": RetryPolicy.no_wait()})
        result = CliRunner().invoke(
            cli, ["demo", "--latency-ms", "0", "--out", str(out)], obj=state
        )
        assert result.exit_code == 0, result.output
        rows = read_csv(out / "results.csv")
        assert len(rows) == 50  # replaced, not appended to
        pins.append([r["pos_pin"] for r in rows])
    assert pins[0] != pins[1]  # a new tenant and new PINs: the file is the second run's
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]  # no other folder
    assert sorted(p.name for p in out.iterdir()) == [
        "offboarded.csv",
        "results.csv",
        "tenant.json",
    ]


def test_demo_prints_on_an_ascii_stdout(sb: Sandbox, tmp_path: Path) -> None:
    state = AppState(
        use_sandbox=True, sandbox_instance=sb, client_options={"retry": RetryPolicy.no_wait()}
    )
    result = CliRunner(charset="ascii").invoke(
        cli, ["demo", "--latency-ms", "0", "--out", str(tmp_path / "d")], obj=state
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    assert "*****" in result.stdout
