"""Bulk streams: create_employees and disable_employees over :func:`~sonnys_async.bulk.run_each`."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from .._secrets import generate_backoffice_password, generate_pos_pin
from ..bulk import Bulk, Outcome, run_each
from ..errors import DuplicateError, InputValidationError
from ..journal import Journal
from ..models import (
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    EmployeeCreated,
    EmployeeDisabled,
)
from .hiring import Hiring
from .inputs import as_request, employee_key, item_key
from .offboarding import Offboarding

__all__ = ["BulkOps", "map_items"]


class BulkOps:
    """Many hires or leavers at once, bounded, journaled and resumable.

    Args:
        hiring: One create, and finishing an interrupted one.
        offboarding: One disable.
    """

    def __init__(self, hiring: Hiring, offboarding: Offboarding) -> None:
        self._hiring = hiring
        self._offboarding = offboarding

    def create_employees(
        self,
        requests: Iterable[CreateEmployeeRequest | Mapping[str, Any]]
        | AsyncIterable[CreateEmployeeRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome[Any, EmployeeCreated]], None] | None = None,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, EmployeeCreated]:
        """Create many employees concurrently: ``async with`` the result, then ``async for``.

        Items may be :class:`CreateEmployeeRequest` s or plain dicts (validated one by one, so a
        bad row fails alone). Keyed by POS User ID; with a ``journal`` a re-run skips finished
        rows and settles interrupted ones by reading the roster. A missing POS PIN or Backoffice
        password is drawn before the item is journaled (so the ``started`` entry holds it; a
        re-run reuses it), and an interrupted hire found on the server is finished: POS
        template, then the linked Backoffice user; what cannot be finished fails the item with
        a :class:`~sonnys_async.errors.WriteNotVerifiedError` saying what is missing.

        A hire whose answer was lost ends ``unknown`` (never "failed": the insert may land
        later) and is settled once more when the items have run out: found on the server, it
        is finished and reported ``ok`` (``resolved``). A hire refused because its POS User ID
        is taken is read first: held by this very hire (same names and PIN: an earlier
        attempt landed late), it is finished and reported ``ok`` (``resolved``), not as a
        duplicate. A refused login stops the run (``summary.stopped == "authentication"``),
        and so does a Backoffice that stopped answering (``"unreachable"``).

        Args:
            requests: The hires.
            max_at_once: Creates in flight at once.
            max_per_second: Creates started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.
            on_outcome: Called with each outcome as it is recorded, also for items that finish
                after the consumer stopped iterating (Ctrl-C): where to write results row by
                row. ``Outcome.item`` is the request as sent (drawn secrets included) and
                ``Outcome.index`` its position in ``requests``; an ``unknown`` outcome may be
                followed by its settlement (same ``index``) at the end of the run.
            unreachable_after: Stop after this many hires in a row failed because the
                Backoffice did not answer (``None``: never).

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        async def one(item: Any) -> EmployeeCreated:
            return await self._hiring.create_in_bulk(as_request(CreateEmployeeRequest, item))

        async def resolve(item: Any) -> EmployeeCreated | None:
            return await self._hiring.resume(as_request(CreateEmployeeRequest, item))

        # The PIN and BO password are drawn *before* run_each sees an item, so its journaled
        # ``started`` entry holds them: a run killed mid-insert still knows the credentials of
        # what it may have created, and the re-run finishes that hire with the same ones.
        return run_each(
            one,
            map_items(requests, lambda item: _with_credentials(item, journal)),
            key=lambda item: item_key(item, "pos_user_id"),
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            resolve_on=_pos_user_id_taken,
            on_outcome=on_outcome,
            unreachable_after=unreachable_after,
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
        on_outcome: Callable[[Outcome[Any, EmployeeDisabled]], None] | None = None,
        skip_done: bool = False,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, EmployeeDisabled]:
        """Disable many employees concurrently (items: requests, dicts, or POS User IDs).

        Disabling is idempotent and cheap to repeat (an inactive employee is reported, not
        re-posted: reads only), so every item runs, also one the journal records as done: the
        journal only guards against lost answers. Skipping done keys would leave a rehire who
        leaves again active, and a re-run that adds ``disable_backoffice_user`` would end no
        login. Keys are the POS User ID, else the e-mail, else ``first last``, the text ones
        case-folded (as the server compares them).

        A disable whose answer was lost, or whose read-back failed after the server accepted
        it (:class:`~sonnys_async.errors.WriteNotVerifiedError` with ``partial``), ends
        ``unknown`` and is settled by running it again when the items have run out (it reads
        the state first, so it is safe to repeat): a result is a second outcome, ``ok`` and
        ``resolved``. A refused login, or a Backoffice that stopped answering, stops the run.

        Args:
            requests: Who to disable.
            max_at_once: Disables in flight at once.
            max_per_second: Disables started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.
            on_outcome: Called with each outcome as it is recorded, also for items that finish
                after the consumer stopped iterating; ``Outcome.index`` is the item's position.
            skip_done: Skip items the journal records as done (``skipped`` outcomes, the
                earlier result in ``Outcome.recorded``) instead of checking them again.
            unreachable_after: Stop after this many items in a row failed because the
                Backoffice did not answer (``None``: never).

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        def coerce(item: Any) -> DisableEmployeeRequest:
            if isinstance(item, int) and not isinstance(item, bool):
                return DisableEmployeeRequest(pos_user_id=item)
            return as_request(DisableEmployeeRequest, item)

        async def one(item: Any) -> EmployeeDisabled:
            return await self._offboarding.disable_employee_from(coerce(item))

        async def resolve(item: Any) -> EmployeeDisabled | None:
            # Running a disable again is safe (it reads the state first, and posts only for an
            # active employee): it settles a lost answer and finishes what is left.
            return await one(item)

        def key(item: Any) -> str:
            # POS User ID, else the e-mail, else the names and phone (case-folded, as the
            # lookups and the CLI's duplicate check compare them): two leavers who share a
            # name, told apart by their phones, are two keys.
            return str(item) if isinstance(item, int) else employee_key(item)

        def with_recorded_id(item: Any) -> Any:
            # A leaver an earlier run recorded is found again by the id it recorded: an inactive
            # employee may no longer be findable by e-mail (the server lists active ones).
            if journal is None or isinstance(item, int):
                return item
            state = journal.state(key(item))
            recorded = state.result if state is not None else None
            found = recorded.get("employee_id") if isinstance(recorded, Mapping) else None
            if not isinstance(found, int) or isinstance(found, bool):
                return item
            try:
                return coerce(item).model_copy(update={"employee_id": found})
            except InputValidationError:
                return item  # fails alone when it runs

        return run_each(
            one,
            map_items(requests, with_recorded_id),
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            on_outcome=on_outcome,
            skip_done=skip_done,
            unreachable_after=unreachable_after,
        )


def _pos_user_id_taken(error: BaseException) -> bool:
    """A create refused because a unique value is taken (POS User ID, e-mail, phone): maybe by
    this very hire, sent by an earlier attempt whose answer was lost and which landed late
    (``Hiring.resume`` tells, by POS User ID, names and PIN)."""
    return isinstance(error, DuplicateError) and error.field in {"pos_user_id", "email", "phone"}


def map_items(
    items: Iterable[Any] | AsyncIterable[Any], fn: Callable[[Any], Any]
) -> Iterable[Any] | AsyncIterable[Any]:
    """``fn`` over a sync or async iterable, lazily (run_each pulls items one slot at a time)."""
    if isinstance(items, AsyncIterable):

        async def mapped() -> AsyncIterator[Any]:
            async for item in items:
                yield fn(item)

        return mapped()
    return (fn(item) for item in items)


def _with_credentials(item: Any, journal: Journal | None) -> Any:
    """The item as a request whose POS PIN (and BO password, if any) is fixed.

    A missing secret is taken from the journal's last ``started`` entry for the same POS User
    ID (the credentials of an attempt that may have been applied), else generated. An item
    that does not validate is passed on unchanged, to fail alone when it runs.
    """
    try:
        req = as_request(CreateEmployeeRequest, item)
    except InputValidationError:
        return item
    state = journal.state(str(req.pos_user_id)) if journal is not None else None
    recorded = state.item if state is not None and isinstance(state.item, Mapping) else {}
    update: dict[str, Any] = {}
    if req.pos_pin is None:
        update["pos_pin"] = recorded.get("pos_pin") or generate_pos_pin()
    if req.requires_backoffice and req.backoffice_password is None:
        update["backoffice_password"] = (
            recorded.get("backoffice_password") or generate_backoffice_password()
        )
    if not update:
        return req
    try:
        return CreateEmployeeRequest.model_validate({**dict(req), **update})
    except InputValidationError:  # a journal edited by hand: draw fresh secrets
        return req.model_copy(
            update={
                "pos_pin": req.pos_pin or generate_pos_pin(),
                "backoffice_password": req.backoffice_password
                or (generate_backoffice_password() if req.requires_backoffice else None),
            }
        )
