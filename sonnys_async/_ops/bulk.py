"""Bulk streams: create_employees and disable_employees over run_each."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from .._secrets import generate_backoffice_password, generate_pos_pin
from ..bulk import Bulk, Outcome, run_each
from ..core import payloads as P
from ..core import sites
from ..core.text import digits, norm
from ..errors import FieldIssue, InputValidationError, NotFoundError
from ..journal import Journal
from ..models import (
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    EmployeeCreated,
    EmployeeDisabled,
)
from .base import (
    as_request,
    item_key,
)
from .changes import Changes

__all__ = ["BulkOps"]


class BulkOps(Changes):
    """Bulk streams over :func:`~sonnys_async.bulk.run_each`, and their pre-flight check."""

    async def preflight_employees(
        self,
        requests: Sequence[CreateEmployeeRequest],
        *,
        check_unique: bool = True,
        max_at_once: int = 4,
    ) -> list[FieldIssue]:
        """Every problem the tenant would find with these hires, found by reading only.

        Names first: each request's sites, departments, wage site and templates must exist
        (the rules :meth:`create_employee` applies, so a hire that passes will not fail on a
        name). With ``check_unique`` also the values the server keeps unique: POS User ID,
        e-mail and phone (among employees, active or not, and Backoffice users) and the
        Backoffice username, both against the tenant and between the requests themselves. The
        roster is read once for the phones (the server has no phone filter, protocol §10.2).

        Args:
            requests: The hires, as validated requests.
            check_unique: Also look for values already taken (one to three reads per hire).
            max_at_once: Hires checked concurrently.

        Returns:
            One :class:`~sonnys_async.errors.FieldIssue` per problem, ``row`` being the
            request's position in ``requests`` (0-based); empty when all is well.
        """
        issues = await self._name_issues(requests)
        if check_unique:
            issues += await self._unique_issues(requests, max_at_once)
        return sorted(issues, key=lambda i: (i.row or 0, i.field))

    async def _name_issues(self, requests: Sequence[CreateEmployeeRequest]) -> list[FieldIssue]:
        tree = await self.get_site_tree()
        departments = await self.list_departments()
        pos_templates = await self.list_pos_templates()
        needs_bo = any(r.requires_backoffice for r in requests)
        bo_templates = await self.list_backoffice_templates() if needs_bo else []
        issues: list[FieldIssue] = []

        def check(row: int, name: str, resolve: Callable[[], object]) -> None:
            try:
                resolve()
            except NotFoundError as exc:
                issues.append(FieldIssue(name, str(exc), row))

        for row, req in enumerate(requests):
            check(row, "available_sites", partial(sites.resolve, tree, req.available_sites))
            check(row, "permission", partial(P.resolve_pos_template, pos_templates, req.permission))
            if req.departments:
                check(
                    row, "departments", partial(P.resolve_departments, departments, req.departments)
                )
            if req.wage_site is not None:
                check(row, "wage_site", partial(sites.resolve, tree, [req.wage_site]))
            if req.requires_backoffice:
                bo_name = req.backoffice_permission or req.permission
                check(
                    row,
                    "backoffice_permission",
                    partial(P.resolve_bo_template, bo_templates, bo_name),
                )
        return issues

    async def _unique_issues(
        self, requests: Sequence[CreateEmployeeRequest], max_at_once: int
    ) -> list[FieldIssue]:
        issues: list[FieldIssue] = []
        first_seen: dict[tuple[str, str], int] = {}
        for row, req in enumerate(requests):
            for field, value in (
                ("pos_user_id", str(req.pos_user_id)),
                ("email", norm(req.email)),
                ("phone", req.phone),
                ("backoffice_username", norm(req.backoffice_username)),
            ):
                if not value:
                    continue
                earlier = first_seen.setdefault((field, value), row)
                if earlier != row:
                    issues.append(FieldIssue(field, f"same value as request {earlier}", row))
        roster = await self.list_employees(active="all")
        phones = {digits(e.phone)[-10:] for e in roster if e.phone}

        async def taken(pair: tuple[int, CreateEmployeeRequest]) -> list[FieldIssue]:
            row, req = pair
            found: list[FieldIssue] = []
            if not await self.is_pos_user_id_available(req.pos_user_id):
                found.append(FieldIssue("pos_user_id", "already in use", row))
            if not await self.is_email_available(req.email):
                found.append(
                    FieldIssue("email", "already in use by an employee or a Backoffice user", row)
                )
            if req.phone in phones:
                found.append(FieldIssue("phone", "already in use by an employee", row))
            username = req.backoffice_username
            if username and not await self.is_backoffice_username_available(username):
                found.append(
                    FieldIssue("backoffice_username", "already taken by a Backoffice user", row)
                )
            return found

        async with run_each(taken, list(enumerate(requests)), max_at_once=max_at_once) as bulk:
            async for outcome in bulk:
                if outcome.error is not None:
                    row = outcome.item[0]
                    issues.append(FieldIssue("row", f"could not be checked: {outcome.error}", row))
                issues.extend(outcome.result or ())
        return issues

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
    ) -> Bulk[Any, EmployeeCreated]:
        """Create many employees concurrently: ``async with`` the result, then ``async for``.

        Items may be :class:`CreateEmployeeRequest` s or plain dicts (validated one by one, so a
        bad row fails alone). Keyed by POS User ID; with a ``journal`` a re-run skips finished
        rows and settles interrupted ones by reading the roster. A missing POS PIN or Backoffice
        password is drawn before the item is journaled (so the ``started`` entry holds it; a
        re-run reuses it), and an interrupted hire found on the server is finished: POS
        template, then the linked Backoffice user; what cannot be finished fails the item with
        a :class:`~sonnys_async.errors.WriteNotVerifiedError` saying what is missing.

        Args:
            requests: The hires.
            max_at_once: Creates in flight at once.
            max_per_second: Creates started per second.
            journal: Append-only record for resumable runs.
            fail_fast: Start no new item after the first failure.
            on_outcome: Called with each outcome as it is recorded, also for items that finish
                after the consumer stopped iterating (Ctrl-C): where to write results row by
                row. ``Outcome.item`` is the request as sent (drawn secrets included) and
                ``Outcome.index`` its position in ``requests``.

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes.
        """

        async def one(item: Any) -> EmployeeCreated:
            return await self.create_employee_from(as_request(CreateEmployeeRequest, item))

        async def resolve(item: Any) -> EmployeeCreated | None:
            return await self._resume_create(as_request(CreateEmployeeRequest, item))

        # The PIN and BO password are drawn *before* run_each sees an item, so its journaled
        # ``started`` entry holds them: a run killed mid-insert still knows the credentials of
        # what it may have created, and the re-run finishes that hire with the same ones.
        return run_each(
            one,
            _map_items(requests, lambda item: _with_credentials(item, journal)),
            key=lambda item: item_key(item, "pos_user_id"),
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            on_outcome=on_outcome,
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
    ) -> Bulk[Any, EmployeeDisabled]:
        """Disable many employees concurrently (items: requests, dicts, or POS User IDs).

        Disabling is idempotent and cheap to repeat (an inactive employee is reported, not
        re-posted: reads only), so every item runs, also one the journal records as done: the
        journal only guards against lost answers. Skipping done keys would leave a rehire who
        leaves again active, and a re-run that adds ``disable_backoffice_user`` would end no
        login. Keys are the POS User ID, else the e-mail, else ``first last``, the text ones
        case-folded (as the server compares them).

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
            pos_user_id = item_key(item, "pos_user_id", required=False)
            if pos_user_id:
                return pos_user_id
            # Case-folded: the lookups ignore case, and so does the CLI's duplicate check, so
            # "Ann@X.com" and "ann@x.com" are one leaver in the journal too.
            email = item_key(item, "email", required=False)
            if email:
                return email.casefold()
            first, last = item_key(item, "first_name"), item_key(item, "last_name")
            return f"{first} {last}".casefold()

        return run_each(
            one,
            requests,
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            on_outcome=on_outcome,
            skip_done=skip_done,
        )


def _map_items(
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
