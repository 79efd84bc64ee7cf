"""The sync facade mirrors the async client exactly (names, parameters, returns, docstrings)."""

from __future__ import annotations

import inspect
from typing import Any

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._portal import sync_annotation
from sonnys_async.sync import BackofficeClient

#: Async names and their sync spelling.
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
#: Members whose docstrings legitimately differ (they talk about the sync lifecycle).
LIFECYCLE = {"close", "__enter__", "__exit__"}
#: Async return annotations and their sync spelling.
RETURNS = {
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterator",
    "AsyncGenerator": "Iterator",
    "Bulk": "BlockingBulk",
}


def public_members(cls: type, *, rename: bool) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name in dir(cls):
        if name.startswith("_") and name not in {"__init__", *RENAMED, *RENAMED.values()}:
            continue
        if name in {"__enter__", "__exit__"} and rename:
            continue  # the async class has no sync lifecycle of its own
        members[RENAMED.get(name, name) if rename else name] = inspect.getattr_static(cls, name)
    return members


def _function(member: Any) -> Any:
    if isinstance(member, (classmethod, staticmethod)):
        return member.__func__
    if isinstance(member, property):
        return member.fget
    return member


def parity_problems(async_cls: type, sync_cls: type) -> list[str]:
    """Every difference between the async API and its sync twin, as readable lines."""
    expected = public_members(async_cls, rename=True)
    actual = public_members(sync_cls, rename=False)
    problems = [f"no sync twin for {name}" for name in sorted(expected.keys() - actual.keys())]
    problems += [f"sync-only member {name}" for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        a, s = expected[name], actual[name]
        if type(a) is not type(s) and not (inspect.isfunction(a) and inspect.isfunction(s)):
            problems.append(f"{name}: {type(a).__name__} vs {type(s).__name__}")
            continue
        if name in {"__enter__", "__exit__"}:
            continue  # context-manager protocol: presence is what matters
        fa, fs = _function(a), _function(s)
        sig_a, sig_s = inspect.signature(fa), inspect.signature(fs)
        if list(sig_a.parameters.values()) != list(sig_s.parameters.values()):
            problems.append(f"{name}: parameters {sig_a} vs {sig_s}")
        if name not in LIFECYCLE:
            want = sync_annotation(sig_a.return_annotation, RETURNS)
            if want != sig_s.return_annotation:
                problems.append(f"{name}: returns {want!r} expected, {sig_s.return_annotation!r}")
            if inspect.getdoc(fa) != inspect.getdoc(fs):
                problems.append(f"{name}: docstrings differ")
        wrapped = getattr(fs, "__wrapped__", None)
        if wrapped is not None and wrapped is not fa:
            problems.append(f"{name}: wraps {wrapped.__qualname__}, not {fa.__qualname__}")
    return problems


def test_sync_facade_mirrors_the_async_client() -> None:
    assert parity_problems(AsyncBackofficeClient, BackofficeClient) == []


def test_class_docstrings_match() -> None:
    assert BackofficeClient.__doc__ == AsyncBackofficeClient.__doc__


def test_parity_check_catches_a_missing_twin() -> None:
    class Grown(AsyncBackofficeClient):
        async def rename_site(self, site_id: int) -> None:
            """New API."""

    assert parity_problems(Grown, BackofficeClient) == ["no sync twin for rename_site"]


def test_parity_check_catches_drift() -> None:
    class Drifted(BackofficeClient):
        def list_sites(self, *, refresh: bool = True) -> list[Any]:  # type: ignore[override]
            """Other words."""
            return []

        def get_employee(self, employee_id: int) -> Any:  # type: ignore[override]
            return None

    problems = parity_problems(AsyncBackofficeClient, Drifted)
    assert any(p.startswith("list_sites: parameters") for p in problems)
    assert "list_sites: docstrings differ" in problems
    assert any(p.startswith("list_sites: returns") for p in problems)
    assert any(p.startswith("get_employee:") for p in problems)


def test_bulk_twins_return_plain_iterators() -> None:
    sig = inspect.signature(BackofficeClient.create_employees)
    assert sig.return_annotation == "BlockingBulk[Any, EmployeeCreated]"
    assert inspect.signature(AsyncBackofficeClient.create_employees).return_annotation == (
        "Bulk[Any, EmployeeCreated]"
    )
