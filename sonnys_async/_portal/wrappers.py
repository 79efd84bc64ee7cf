"""Turning the async class's methods into the sync class's: same signature and docstring."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from .iterator import BlockingIterator
from .owner import PortalOwner

__all__ = ["SYNC_RETURN_NAMES", "blocking", "blocking_iter", "sync_annotation", "sync_returns"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")


def blocking(
    method: Callable[Concatenate[A, P], Awaitable[R]],
) -> Callable[Concatenate[PortalOwner[A], P], R]:
    """Turn an async method into a blocking one with the same signature and docstring.

    Args:
        method: The async class's function (``AsyncBackofficeClient.get_employee``).

    Returns:
        A function for the sync class that runs ``method`` through the owner's portal.
    """

    @functools.wraps(method)
    def call(self: PortalOwner[A], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._call(method, *args, **kwargs)

    return call


def blocking_iter(
    method: Callable[Concatenate[A, P], AsyncIterable[T]],
) -> Callable[Concatenate[PortalOwner[A], P], BlockingIterator[T]]:
    """Turn a method returning an async iterable into one returning a plain iterator.

    The signature and docstring are kept; the return annotation is translated with
    :data:`SYNC_RETURN_NAMES` (``AsyncIterator[X]`` -> ``Iterator[X]``).

    Args:
        method: The async class's function (an async generator, or a plain method returning an
            async iterable).

    Returns:
        A function for the sync class returning a :class:`BlockingIterator`.
    """

    @functools.wraps(method)
    def call(self: PortalOwner[A], /, *args: P.args, **kwargs: P.kwargs) -> BlockingIterator[T]:
        return self._iterate(method, *args, **kwargs)

    sync_returns(call, method)
    return call


#: How async return annotations read on the sync side (postponed-evaluation strings).
SYNC_RETURN_NAMES: dict[str, str] = {
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterator",
    "AsyncGenerator": "Iterator",
}


def sync_annotation(annotation: object, names: Mapping[str, str] | None = None) -> object:
    """``AsyncIterator[X]`` -> ``Iterator[X]`` for a string annotation (others are returned)."""
    if not isinstance(annotation, str):
        return annotation
    table = SYNC_RETURN_NAMES if names is None else names
    head, bracket, rest = annotation.partition("[")
    if head not in table:
        return annotation
    if head == "AsyncGenerator" and bracket:
        rest = rest.rsplit(",", 1)[0] + "]"  # AsyncGenerator[X, None] -> Iterator[X]
    return f"{table[head]}{bracket}{rest}"


def sync_returns(
    wrapper: Callable[..., Any], method: Callable[..., Any], names: Mapping[str, str] | None = None
) -> None:
    """Give ``wrapper`` the signature of ``method`` with its return annotation made sync."""
    annotations = dict(getattr(method, "__annotations__", {}))
    if "return" in annotations:
        annotations["return"] = sync_annotation(annotations["return"], names)
    wrapper.__annotations__ = annotations
    signature = inspect.signature(method)
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=sync_annotation(signature.return_annotation, names)
    )
