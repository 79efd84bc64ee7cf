"""``Sandbox.save`` / ``Sandbox.load``: a tenant kept in a file is the same tenant."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from sonnys_async import BackofficeClient, RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.sandbox.snapshot import snapshot


def _client(sb: Sandbox) -> BackofficeClient:
    return BackofficeClient(
        sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
    )


def test_a_saved_tenant_loads_as_it_was(tmp_path: Path) -> None:
    sb = Sandbox(SandboxOptions(employees=30, bo_users=4, seed=9, tenant="flat"))
    with _client(sb) as client:
        hire = client.create_employee(
            first_name="Kept", last_name="Hire", phone="6155550190",
            email="kept.hire@example.com", pos_user_id=88001, wage_rate="15.25",
            start_date=date(2026, 5, 1), available_sites="all", permission="Manager",
            requires_backoffice=True, backoffice_username="kepthire",
        )  # fmt: skip
    path = tmp_path / "tenant.json"
    sb.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = Sandbox.load(path)
    assert snapshot(loaded.state) == snapshot(sb.state)
    assert loaded.options.tenant == "flat"
    assert (loaded.options.employees, loaded.options.seed) == (30, 9)
    stored = loaded.state.employee_by_pos_user_id(88001)
    assert stored is not None
    assert stored.pos_pin == hire.pos_pin
    login = loaded.state.user_by_username("kepthire")
    assert login is not None
    assert login.password == hire.backoffice_password


def test_a_loaded_tenant_serves_and_continues_its_ids(tmp_path: Path) -> None:
    sb = Sandbox(SandboxOptions(employees=10, bo_users=2))
    path = tmp_path / "tenant.json"
    sb.save(path)
    loaded = Sandbox.load(path, SandboxOptions(latency_ms=0, error_rate=0.0))
    biggest = max(loaded.state.employees)
    with _client(loaded) as client:
        created = client.create_employee(
            first_name="After", last_name="Load", phone="6155550191",
            email="after.load@example.com", pos_user_id=88002, wage_rate="14.00",
            start_date=date(2026, 5, 1), available_sites=["FIESTA"], permission="Cashier",
        )  # fmt: skip
    assert created.employee_id == biggest + 1
    assert loaded.state.employees[created.employee_id].first_name == "After"


def test_what_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="not a sandbox state file"):
        Sandbox.load(bad)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match="not a sandbox state file"):
        Sandbox.load(bad)
    sb = Sandbox(SandboxOptions(employees=2, bo_users=1))
    sb.save(bad)
    text = bad.read_text(encoding="utf-8").replace('"bot_id"', '"bot_idx"')
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        Sandbox.load(bad)
