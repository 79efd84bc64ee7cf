"""Fixtures for the transport tests (the fakes live in ``transport_fakes``)."""

from __future__ import annotations

import pytest
from transport_fakes import FakeBackoffice, SleepRecorder

from sonnys_async import _transport


@pytest.fixture
def fake() -> FakeBackoffice:
    return FakeBackoffice()


@pytest.fixture
def sleeper() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy in the environment: sessions send through the client's own transport."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _restore_testing_switch() -> object:
    yield
    _transport.set_testing(False)
