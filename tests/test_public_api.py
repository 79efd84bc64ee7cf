"""The public namespace: curated, sorted, and free of private module names."""

from __future__ import annotations

import inspect

import sonnys_async


def test_all_is_sorted_and_unique() -> None:
    assert sonnys_async.__all__ == sorted(set(sonnys_async.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [n for n in sonnys_async.__all__ if not hasattr(sonnys_async, n)]
    assert missing == []


def test_exported_objects_live_in_public_modules() -> None:
    for name in sonnys_async.__all__:
        obj = getattr(sonnys_async, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            parts = obj.__module__.split(".")
            assert not any(p.startswith("_") for p in parts), f"{name}: {obj.__module__}"


def test_public_callables_have_docstrings() -> None:
    for name in sonnys_async.__all__:
        obj = getattr(sonnys_async, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
    for cls in (sonnys_async.AsyncBackofficeClient, sonnys_async.BackofficeClient):
        for attr, member in vars(cls).items():
            if not attr.startswith("_") and callable(member):
                assert inspect.getdoc(member), f"{cls.__name__}.{attr}"


def test_error_tree_has_one_root() -> None:
    for name in sonnys_async.__all__:
        obj = getattr(sonnys_async, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, sonnys_async.BackofficeError), name
