"""Bulk streams of employee changes and rehires over :func:`~sonnys_async.bulk.run_each`:
modify_employees and rehire_employees (Backoffice logins: :mod:`.bulk_users`).

What a re-run with the same journal does differs per operation, because they differ in what
repeating them costs: ``modify_employees`` is idempotent **by value** (every item runs again,
reads first and writes only what differs; a wage record, which is appended rather than
replaced, is added only when the latest record differs), ``rehire_employees`` is not (it gives
the login a new password, so a done rehire is skipped and its journaled password kept).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import Any

from ..bulk import Bulk, Outcome, run_each
from ..core.text import norm
from ..errors import NotFoundError
from ..journal import Journal
from ..models import (
    EmployeeModified,
    EmployeeRehired,
    ModifyEmployeeRequest,
    RehireEmployeeRequest,
)
from .bulk_memory import Prior, Priors, casefolded_key, wage_in_place, with_secret
from .bulk_ops import map_items
from .changes import Changes
from .inputs import as_request, employee_key
from .profiles import Profiles
from .rehiring import Rehiring
from .roster import Roster, Target

__all__ = ["BulkLifecycle"]

#: A wage change dropped because it is in place already.
_NO_WAGE: Mapping[str, None] = {
    "wage_rate": None,
    "overtime_wage_rate": None,
    "wage_effective_date": None,
    "wage_site": None,
}
#: The lookup fields of a ModifyEmployeeRequest.
_NO_LOOKUP: Mapping[str, None] = {
    "pos_user_id": None,
    "email": None,
    "first_name": None,
    "last_name": None,
    "phone": None,
}


class BulkLifecycle:
    """Many employee changes and rehires at once, bounded, journaled and resumable.

    Stateless (everything a run remembers lives in the run and its journal).

    Args:
        roster: Employee lookups.
        profiles: Wage history and POS grants (read before a change is repeated).
        changes: One ``modify_employee``.
        rehiring: One ``rehire_employee``.
    """

    def __init__(
        self, roster: Roster, profiles: Profiles, changes: Changes, rehiring: Rehiring
    ) -> None:
        self._roster = roster
        self._profiles = profiles
        self._changes = changes
        self._rehiring = rehiring

    def modify_employees(
        self,
        requests: Iterable[ModifyEmployeeRequest | Mapping[str, Any]]
        | AsyncIterable[ModifyEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome[Any, EmployeeModified]], None] | None = None,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, EmployeeModified]:
        """Change many employees concurrently (items: :class:`ModifyEmployeeRequest` s or dicts).

        Idempotent by value, so every item runs on every run, also one the journal records as
        done: each reads the employee first and writes only what differs. Properties (names,
        contacts, sites, departments, PIN, start date, status) are compared on the edit page
        by ``modify_employee`` itself; a wage change is dropped when the latest wage record
        already has the requested rate (and overtime rate, if given) -- a record is appended,
        not replaced, so sending it again would add a second one; a POS template is dropped
        when the employee's grants already match it. An item with nothing left to change
        sends nothing (``changes_applied == ()``, the reasons in ``warnings``).

        Keys are the POS User ID, else the e-mail, else ``first last`` (plus the phone's
        digits when given), text case-folded. A change of the lookup key itself (``new_email``
        for an e-mail lookup, ``new_first_name`` / ``new_last_name`` for a name lookup) is
        followed on a re-run: the employee is found again by the POS User ID the journal
        recorded, or, after an interrupted attempt, by the new value.

        An item whose answer was lost (or whose read-back failed after something was
        written) ends ``unknown`` and is settled by running it again once the items have run
        out (a result is a second outcome, ``ok`` and ``resolved``); a lost wage answer whose
        record is not stored yet is sent again then, and the server keeps at most one record
        per start date (§9.3). A refused login, or a Backoffice that stopped answering, stops
        the run.

        Args:
            requests: The changes.
            max_at_once: Changes in flight at once.
            max_per_second: Changes started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.
            on_outcome: Called with each outcome as it is recorded, also for items that finish
                after the consumer stopped iterating; ``Outcome.index`` is the item's position.
            unreachable_after: Stop after this many items in a row failed because the
                Backoffice did not answer (``None``: never).

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """
        priors = Priors(journal, employee_key, "pos_user_id")

        async def one(item: Any) -> EmployeeModified:
            return await self._modify(as_request(ModifyEmployeeRequest, item), priors.of(item))

        async def resolve(item: Any) -> EmployeeModified:
            # Only an item with an earlier attempt is settled: it may have changed its lookup.
            prior = Prior(True, priors.of(item).known_id)
            return await self._modify(as_request(ModifyEmployeeRequest, item), prior)

        return run_each(
            one,
            map_items(requests, priors.capture),
            key=employee_key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            on_outcome=on_outcome,
            skip_done=False,
            unreachable_after=unreachable_after,
        )

    async def _modify(self, req: ModifyEmployeeRequest, prior: Prior) -> EmployeeModified:
        target, lookup = await self._target(req, prior)
        notes: list[str] = []
        update: dict[str, Any] = {**_NO_LOOKUP, **lookup}
        if req.changes_compensation:
            compensation = await self._profiles.compensation(target.employee_id)
            note = wage_in_place(compensation, req.wage_rate, req.overtime_wage_rate)
            if note is not None:
                update.update(_NO_WAGE)
                notes.append(note)
        if req.permission is not None:
            granted = await self._profiles.permission(target.employee_id)
            if norm(req.permission) in {norm(n) for n in granted.matching_templates}:
                update["permission"] = None
                notes.append(f"the POS grants already match {req.permission!r}: not re-applied")
        reduced = req.model_copy(update=update)
        if not (
            reduced.changes_properties
            or reduced.changes_compensation
            or reduced.permission is not None
        ):
            return EmployeeModified(
                employee_id=target.employee_id,
                pos_user_id=target.pos_user_id,
                changes_applied=(),
                verified=req.verify,
                warnings=tuple(notes),
            )
        result = await self._changes.modify_employee_from(reduced)
        if not notes:
            return result
        return result.model_copy(update={"warnings": (*notes, *result.warnings)})

    async def _target(
        self, req: ModifyEmployeeRequest, prior: Prior
    ) -> tuple[Target, dict[str, Any]]:
        """The employee an item names, and the lookup that finds it again (its POS User ID
        when it has one): by the POS User ID an earlier run recorded, else the item's own
        lookup, else (after an interrupted attempt that may have changed the lookup key
        itself) the new value."""
        lookup: dict[str, Any] = {
            "pos_user_id": req.pos_user_id,
            "email": req.email,
            "first_name": req.first_name,
            "last_name": req.last_name,
            "phone": req.phone or None,
        }
        if req.pos_user_id is None and prior.known_id is not None:
            lookup = {"pos_user_id": prior.known_id}
        try:
            target = await self._roster.resolve(**lookup)
        except NotFoundError:
            renamed = _renamed_lookup(req) if prior.maybe_applied else None
            if renamed is None:
                raise
            lookup = renamed
            target = await self._roster.resolve(**lookup)
        if target.pos_user_id is not None:
            lookup = {"pos_user_id": target.pos_user_id}
        return target, lookup

    def rehire_employees(
        self,
        requests: Iterable[RehireEmployeeRequest | Mapping[str, Any]]
        | AsyncIterable[RehireEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome[Any, EmployeeRehired]], None] | None = None,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, EmployeeRehired]:
        """Rehire many former employees concurrently (items: :class:`RehireEmployeeRequest` s
        or dicts), each with their Backoffice login.

        A rehire gives the login a new password, which is **not** idempotent: a re-run with the
        same journal skips an item the journal records as done (``skipped``, its journaled
        result -- password included -- in ``Outcome.recorded``); it never resets the password
        again. A missing ``backoffice_password`` is drawn *before* the item is journaled (with
        ``restore_backoffice``), so the ``started`` entry holds the password that may have
        been set; an interrupted or ``unknown`` rehire is run again with that same password
        (reactivating, applying sites, template and login again is harmless, and the new
        password is the journaled one). A wage change is dropped when the latest wage record
        already has the requested rate, so a repeated rehire never adds a second record.

        Keys are the POS User ID, else the e-mail (case-folded). A refused login, or a
        Backoffice that stopped answering, stops the run.

        Args:
            requests: The rehires.
            max_at_once: Rehires in flight at once.
            max_per_second: Rehires started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.
            on_outcome: Called with each outcome as it is recorded, also for items that finish
                after the consumer stopped iterating. ``Outcome.item`` is the request as sent
                (its drawn password included).
            unreachable_after: Stop after this many items in a row failed because the
                Backoffice did not answer (``None``: never).

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """
        key = casefolded_key("pos_user_id", "email")

        def prepare(item: Any) -> Any:
            return with_secret(
                RehireEmployeeRequest,
                item,
                "backoffice_password",
                journal=journal,
                key=key(item),
                needed=lambda req: req.restore_backoffice,
            )

        async def one(item: Any) -> EmployeeRehired:
            return await self._rehire(as_request(RehireEmployeeRequest, item))

        return run_each(
            one,
            map_items(requests, prepare),
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=one,
            on_outcome=on_outcome,
            unreachable_after=unreachable_after,
        )

    async def _rehire(self, req: RehireEmployeeRequest) -> EmployeeRehired:
        notes: list[str] = []
        if req.wage_rate is not None or req.overtime_wage_rate is not None:
            target = await self._roster.resolve(pos_user_id=req.pos_user_id, email=req.email)
            compensation = await self._profiles.compensation(target.employee_id)
            note = wage_in_place(compensation, req.wage_rate, req.overtime_wage_rate)
            if note is not None:
                req = req.model_copy(update=_NO_WAGE)
                notes.append(note)
        result = await self._rehiring.rehire_employee_from(req)
        if not notes:
            return result
        return result.model_copy(update={"warnings": (*notes, *result.warnings)})


def _renamed_lookup(req: ModifyEmployeeRequest) -> dict[str, Any] | None:
    """The lookup of an employee whose lookup key the item itself changes (``None``: it
    changes none)."""
    if req.email is not None and req.new_email is not None:
        return {"email": req.new_email}
    if req.first_name is not None and (req.new_first_name or req.new_last_name):
        return {
            "first_name": req.new_first_name or req.first_name,
            "last_name": req.new_last_name or req.last_name,
            "phone": req.new_phone or req.phone or None,
        }
    return None
