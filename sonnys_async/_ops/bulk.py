"""Bulk streams: create_employees and disable_employees over run_each."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any

from ..bulk import Bulk, run_each
from ..journal import Journal
from ..models import (
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    EmployeeCreated,
    EmployeeDisabled,
)
from . import payloads as P
from .base import (
    as_request,
    item_key,
)
from .changes import Changes

__all__ = ["BulkOps"]


class BulkOps(Changes):
    """Bulk streams over :func:`~sonnys_async.bulk.run_each`."""

    def create_employees(
        self,
        requests: Iterable[CreateEmployeeRequest | Mapping[str, Any]]
        | AsyncIterable[CreateEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
    ) -> Bulk[Any, EmployeeCreated]:
        """Create many employees concurrently; iterate the result with ``async for``.

        Items may be :class:`CreateEmployeeRequest` s or plain dicts (validated one by one, so a
        bad row fails alone). Keyed by POS User ID; with a ``journal`` a re-run skips finished
        rows and settles interrupted ones by reading the roster.

        Args:
            requests: The hires.
            max_at_once: Creates in flight at once.
            max_per_second: Creates started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        async def one(item: Any) -> EmployeeCreated:
            return await self.create_employee_from(as_request(CreateEmployeeRequest, item))

        async def resolve(item: Any) -> EmployeeCreated | None:
            req = as_request(CreateEmployeeRequest, item)
            rows = await self._rows_by_pos_user_id(req.pos_user_id)
            if not rows:
                return None
            # Created by an interrupted run; its PIN is only on the edit page.
            edit = await self._edit_page(rows[0].employee_id)
            tree = await self.get_site_tree()
            return EmployeeCreated(
                employee_id=edit.employee_id,
                pos_user_id=req.pos_user_id,
                pos_pin=edit.pos_pin or 0,
                first_name=edit.first_name,
                last_name=edit.last_name,
                email=edit.email or req.email,
                permission_applied=rows[0].access or "",
                sites_granted=P.selection_names(tree, edit.available_sites),
                site_ids=edit.available_sites,
                departments=tuple(edit.departments),
                wage_site="",
                wage_rate=req.wage_rate,
                overtime_wage_rate=req.effective_overtime_rate,
                verified=False,
                warnings=("recovered from an interrupted run; check its POS template",),
            )

        return run_each(
            one,
            requests,
            key=lambda item: item_key(item, "pos_user_id"),
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
        )

    def disable_employees(
        self,
        requests: Iterable[DisableEmployeeRequest | Mapping[str, Any] | int]
        | AsyncIterable[DisableEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
    ) -> Bulk[Any, EmployeeDisabled]:
        """Disable many employees concurrently (items: requests, dicts, or POS User IDs).

        Disabling is idempotent (an inactive employee is reported, not re-posted), so an
        interrupted journaled run simply runs the item again.

        Args:
            requests: Who to disable.
            max_at_once: Disables in flight at once.
            max_per_second: Disables started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        def coerce(item: Any) -> DisableEmployeeRequest:
            if isinstance(item, int) and not isinstance(item, bool):
                return DisableEmployeeRequest(pos_user_id=item)
            return as_request(DisableEmployeeRequest, item)

        async def one(item: Any) -> EmployeeDisabled:
            return await self.disable_employee_from(coerce(item))

        async def resolve(item: Any) -> EmployeeDisabled | None:
            return None  # re-running a disable is safe: it checks the state first

        def key(item: Any) -> str:
            if isinstance(item, int):
                return str(item)
            for name in ("pos_user_id", "email"):
                value = item_key(item, name, required=False)
                if value:
                    return value
            return f"{item_key(item, 'first_name')} {item_key(item, 'last_name')}"

        return run_each(
            one,
            requests,
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
        )
