"""Fake operations for the bulk tests: a scripted async operation and a tiny 'server'."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel

from sonnys_async.bulk import Bulk, Outcome
from sonnys_async.errors import DuplicateError, OutcomeUnknownError


class FakeOp:
    """A fake async operation: a few checkpoints, then a result (or a scripted error)."""

    def __init__(self, *, fail: dict[int, BaseException] | None = None, steps: int = 3) -> None:
        self.fail = fail or {}
        self.steps = steps
        self.calls: Counter[int] = Counter()
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, item: int) -> int:
        self.calls[item] += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            for _ in range(self.steps):
                await anyio.lowlevel.checkpoint()
            if item in self.fail:
                raise self.fail[item]
            return item * 10
        finally:
            self.in_flight -= 1


async def double(x: int) -> dict[str, int]:
    return {"x": x, "twice": 2 * x}


async def collect(bulk: Bulk[Any, Any]) -> list[Outcome[Any, Any]]:
    """Run ``bulk`` to the end; its outcomes in completion order."""
    async with bulk:
        return [o async for o in bulk]


@dataclasses.dataclass(frozen=True)
class Hire:
    pos_user_id: int
    pin: int


@dataclasses.dataclass(frozen=True)
class Created:
    employee_id: int
    pos_user_id: int
    pin: int


class FakeServer:
    """Holds 'employees' by POS user ID; an insert can be scripted to be applied then lost."""

    def __init__(self) -> None:
        self.employees: dict[int, int] = {}  # pos_user_id -> pin
        self.inserts: Counter[int] = Counter()
        self.drop_after_apply: set[int] = set()
        self.refuse: set[int] = set()

    async def create(self, hire: Hire) -> Created:
        await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.refuse:
            raise DuplicateError("That POS user ID is already in use!", field="pos_user_id")
        self.inserts[hire.pos_user_id] += 1
        self.employees[hire.pos_user_id] = hire.pin
        # The response takes a while: a kill now leaves an applied but unacknowledged insert.
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.drop_after_apply:
            self.drop_after_apply.discard(hire.pos_user_id)
            raise OutcomeUnknownError("connection dropped after sending", url="/employee/insert")
        return Created(1000 + hire.pos_user_id, hire.pos_user_id, hire.pin)

    async def resolve(self, hire: Hire) -> Created | None:
        await anyio.lowlevel.checkpoint()
        if hire.pos_user_id in self.employees:
            return Created(1000 + hire.pos_user_id, hire.pos_user_id, hire.pin)
        return None


def hires(n: int) -> list[Hire]:
    return [Hire(100 + i, 20000 + i) for i in range(n)]


def key(h: Hire) -> int:
    return h.pos_user_id


def lines(path: Path) -> list[dict[str, object]]:
    """The entries of a journal file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]
