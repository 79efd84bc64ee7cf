"""A journal is bound to the tenant and bot user it was written for: opening it for another
is refused before anything is written; an unbound journal from before bindings is adopted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sonnys_async.errors import InputValidationError
from sonnys_async.journal import Journal, JournalTenant, JournalTenantError, read_journal

from .fakes import Hire

SANDBOX = JournalTenant("http://washu.sandbox.test", "automation-bot")
REAL = JournalTenant("https://washu.sonnyscontrols.com", "automation-bot")


def test_a_new_journal_records_its_tenant_first(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path, tenant=REAL) as journal:
        journal.record_started("1", Hire(1, 20001))
        assert journal.tenant == REAL
        assert not journal.adopted
    first, second = (json.loads(line) for line in path.read_text().splitlines())
    assert first["tenant"] == {
        "base_url": "https://washu.sonnyscontrols.com",
        "username": "automation-bot",
    }
    assert "event" not in first
    assert second["event"] == "started"
    assert read_journal(path).tenant == REAL


def test_a_journal_of_another_tenant_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path, tenant=SANDBOX) as journal:
        journal.record_started("1", Hire(1, 20001))
        journal.record_ok("1", {"pin": 20001})
    before = path.read_bytes()
    with pytest.raises(JournalTenantError) as caught:
        Journal(path, tenant=REAL)
    assert isinstance(caught.value, InputValidationError)  # the library's error tree
    message = str(caught.value)
    assert "http://washu.sandbox.test" in message
    assert "https://washu.sonnyscontrols.com" in message
    assert path.read_bytes() == before
    with pytest.raises(JournalTenantError):
        Journal(path, tenant=JournalTenant("http://washu.sandbox.test", "someone-else"))


def test_the_same_tenant_matches_whatever_the_case_and_trailing_slash(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    Journal(path, tenant=REAL).close()
    same = JournalTenant("HTTPS://Washu.SonnysControls.com/", "Automation-Bot")
    with Journal(path, tenant=same) as journal:
        assert journal.tenant == REAL


def test_an_unbound_journal_from_before_bindings_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:  # no binding, as older versions wrote
        journal.record_started("1", Hire(1, 20001))
    with Journal(path, tenant=REAL) as journal:
        assert journal.adopted
        assert journal.state("1") is not None
    assert read_journal(path).tenant == REAL
    with pytest.raises(JournalTenantError):
        Journal(path, tenant=SANDBOX)


def test_an_unbound_opening_accepts_a_bound_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    Journal(path, tenant=REAL).close()
    with Journal(path) as journal:
        assert journal.tenant == REAL


def test_read_journal_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path, tenant=REAL) as journal:
        journal.record_started("1", Hire(1, 20001))
    with path.open("a") as f:
        f.write('{"v":1,"key":"2","event":"sta')  # torn by a kill
    before = path.read_bytes()
    contents = read_journal(path)
    assert path.read_bytes() == before
    assert [s.key for s in contents] == ["1"]
    assert contents.torn_at is not None
    assert read_journal(tmp_path / "missing.jsonl").tenant is None
