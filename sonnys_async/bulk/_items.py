"""Item sources of a bulk run: sync and async iterables, pulled one item at a time."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Generic, Self, TypeVar

__all__ = ["aiter_items"]

X = TypeVar("X")


class _SyncItems(Generic[X]):
    """A sync iterator seen as an async one (pulled one item at a time, like the async case)."""

    __slots__ = ("_it",)

    def __init__(self, items: Iterable[X]) -> None:
        self._it = iter(items)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> X:
        try:
            return next(self._it)
        except StopIteration:
            raise StopAsyncIteration from None


def aiter_items(items: Iterable[X] | AsyncIterable[X]) -> AsyncIterator[X]:
    """``items`` as an async iterator (a sync one is pulled lazily, one ``next`` per item)."""
    if isinstance(items, AsyncIterable):
        return aiter(items)
    return _SyncItems(items)
