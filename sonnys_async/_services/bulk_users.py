"""Bulk streams of Backoffice logins over :func:`~sonnys_async.bulk.run_each`:
create_backoffice_users and modify_backoffice_users.

A create happens once: a done create is skipped on a re-run, an interrupted one is settled by
ownership before anything is sent again. A change is idempotent by value: every item runs on
every run, reads first and writes only what differs.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import Any

from ..bulk import Bulk, Outcome, run_each
from ..core import payloads as P
from ..core.text import norm
from ..domain import ALL
from ..errors import (
    DuplicateError,
    NotFoundError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..journal import Journal
from ..models import (
    BackofficeUserCreated,
    BackofficeUserModified,
    CreateBackofficeUserRequest,
    ModifyBackofficeUserRequest,
)
from .bulk_memory import Prior, Priors, casefolded_key, partial_id, with_secret
from .bulk_ops import map_items
from .catalogue import Catalogue
from .inputs import as_request
from .roster import Roster, Target
from .user_admin import BackofficeUserAdmin
from .user_changes import BackofficeUserChanges
from .users import BackofficeUsers

__all__ = ["BulkUsers", "user_key"]

#: A Backoffice user item's key: its username (case-folded), else its user id.
user_key = casefolded_key("username", "user_id")


class BulkUsers:
    """Many Backoffice logins created or changed at once, bounded, journaled and resumable.

    Stateless (everything a run remembers lives in the run and its journal).

    Args:
        catalogue: The site tree (names of a settled user's sites).
        roster: Employee lookups (a linked user's employee) and edit pages.
        users: One ``create_backoffice_user``.
        admin: User lookups, reads and passwords (settling an interrupted create).
        user_changes: One ``modify_backoffice_user``.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        roster: Roster,
        users: BackofficeUsers,
        admin: BackofficeUserAdmin,
        user_changes: BackofficeUserChanges,
    ) -> None:
        self._catalogue = catalogue
        self._roster = roster
        self._users = users
        self._admin = admin
        self._user_changes = user_changes

    def create_backoffice_users(
        self,
        requests: Iterable[CreateBackofficeUserRequest | Mapping[str, Any]]
        | AsyncIterable[CreateBackofficeUserRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome[Any, BackofficeUserCreated]], None] | None = None,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, BackofficeUserCreated]:
        """Create many Backoffice logins concurrently (items:
        :class:`CreateBackofficeUserRequest` s or dicts).

        Keyed by username (case-folded). A missing password is drawn *before* the item is
        journaled, so the ``started`` entry holds the password of a login that may exist (a
        re-run reuses it). A re-run skips a done item (``skipped``, the journaled result with
        its password in ``Outcome.recorded``) and settles an interrupted one before sending
        anything: no user has the username -> sent again; a user has it and is ours (linked
        to our employee; standalone: unlinked, with our e-mail and names) -> finished: the
        template and sites are made whole and the journaled password is set and proven by one
        login, reported ``ok`` and ``resolved``; a user that is not ours holds it -> the item
        fails with :class:`~sonnys_async.errors.DuplicateError` (that account is never
        touched); so does a user other than the one an earlier attempt is known to have made
        (its id, from a partial write). A create refused because the username (or e-mail) is
        taken is settled the same way when the journal shows an earlier attempt of the item
        that may have been applied (interrupted, or ``unknown``: it may have landed late);
        otherwise -- a first attempt, or earlier attempts that were all refused, which proves
        none of them made a user -- it just fails (an existing login is never adopted, nor
        given a new password, by a create). A refused login, or a Backoffice that stopped
        answering, stops the run.

        Args:
            requests: The logins.
            max_at_once: Creates in flight at once.
            max_per_second: Creates started per second.
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
        key = casefolded_key("username")
        priors = Priors(journal, key, "user_id")
        #: Keys whose create this run was refused as a duplicate.
        refused: set[str] = set()
        #: Keys whose create this run may have made a user, and its id (an unproven write).
        made: dict[str, int] = {}

        def prepare(item: Any) -> Any:
            return with_secret(
                CreateBackofficeUserRequest,
                priors.capture(item),
                "password",
                journal=journal,
                key=key(item),
                needed=lambda req: True,
            )

        async def one(item: Any) -> BackofficeUserCreated:
            req = as_request(CreateBackofficeUserRequest, item)
            try:
                return await self._users.create_backoffice_user_from(req)
            except DuplicateError:
                refused.add(key(item))
                raise
            except (WriteNotVerifiedError, OutcomeUnknownError) as exc:
                made_id = partial_id(exc.partial, "user_id")
                if made_id is not None:
                    made[key(item)] = made_id
                raise

        async def resolve(item: Any) -> BackofficeUserCreated | None:
            prior = priors.of(item)
            if key(item) in refused and not prior.maybe_applied:
                # Refused, and no earlier attempt can have made a user (none, or every one
                # refused): whoever holds the username is not adopted (nor given a password).
                return None
            req = as_request(CreateBackofficeUserRequest, item)
            return await self._settle_user(req, made.get(key(item), prior.known_id))

        return run_each(
            one,
            map_items(requests, prepare),
            key=key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            resolve_on=_login_taken,
            on_outcome=on_outcome,
            unreachable_after=unreachable_after,
        )

    async def _settle_user(
        self, req: CreateBackofficeUserRequest, made_id: int | None
    ) -> BackofficeUserCreated | None:
        """An interrupted create, from the user list: ``None`` when no user has the username
        (not applied); the finished user when ours; :class:`DuplicateError` when not.

        ``made_id``: the user an earlier attempt is known to have made (``None``: unknown);
        a user holding the username under another id is not ours, whatever it looks like."""
        rows = await self._admin.list_backoffice_users(status="all", username=req.username)
        held = [r for r in rows if norm(r.username) == norm(req.username)]
        if not held:
            return None
        if made_id is not None and held[0].user_id != made_id:
            raise DuplicateError(
                f"Backoffice username {req.username!r} belongs to another user "
                f"({held[0].user_id}), not to the user an earlier attempt made ({made_id}); "
                "that account is left alone",
                field="username",
                value=req.username,
            )
        user = await self._admin.get_backoffice_user(user_id=held[0].user_id)
        employee: Target | None = None
        if req.linked:
            employee = await self._roster.resolve(
                pos_user_id=req.link_to_employee_pos_user_id, email=req.link_to_employee_email
            )
            ours = user.linked_employee_id == employee.employee_id
        else:
            ours = (
                user.linked_employee_id is None
                and norm(user.email) == norm(req.email)
                and (norm(user.first_name), norm(user.last_name))
                == (norm(req.first_name), norm(req.last_name))
            )
        if not ours:
            raise DuplicateError(
                f"Backoffice username {req.username!r} belongs to another user "
                f"({user.user_id}); nothing was created",
                field="username",
                value=req.username,
            )
        sites: Any = req.available_sites
        if sites is None and user.accessible_site_ids != ALL and not user.accessible_site_ids:
            # The access was never saved: the create's default sites.
            sites = "all"
            if employee is not None:
                chosen = (await self._roster.edit_page(employee.employee_id)).available_sites
                sites = "all" if chosen == ALL else sorted(chosen)
        await self._user_changes.modify_backoffice_user_from(
            ModifyBackofficeUserRequest(
                user_id=user.user_id,
                permission=req.permission,
                available_sites=sites,
                verify=req.verify,
            )
        )
        assert req.password is not None  # drawn before the item was journaled
        reset = await self._admin.reset_password(user.user_id, req.password, verify=req.verify)
        after = await self._admin.get_backoffice_user(user_id=user.user_id)
        tree = await self._catalogue.get_site_tree()
        return BackofficeUserCreated(
            user_id=after.user_id,
            username=after.username,
            password=reset.password,
            email=after.email or req.email or "",
            linked_employee_id=after.linked_employee_id,
            permission_applied=after.permission,
            sites_granted=P.selection_names(tree, after.accessible_site_ids),
            site_ids=after.accessible_site_ids,
            verified=req.verify,
            warnings=(
                "an earlier attempt had created this user: its template and sites were made "
                "whole and the journaled password was set",
            ),
        )

    def modify_backoffice_users(
        self,
        requests: Iterable[ModifyBackofficeUserRequest | Mapping[str, Any]]
        | AsyncIterable[ModifyBackofficeUserRequest],
        *,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        journal: Journal | None = None,
        fail_fast: bool = False,
        on_outcome: Callable[[Outcome[Any, BackofficeUserModified]], None] | None = None,
        unreachable_after: int | None = 5,
    ) -> Bulk[Any, BackofficeUserModified]:
        """Change many Backoffice logins concurrently (items:
        :class:`ModifyBackofficeUserRequest` s or dicts).

        Idempotent by value, so every item runs on every run, also one the journal records as
        done: ``modify_backoffice_user`` reads the user first and submits a form only when
        something differs (``changes_applied == ()`` otherwise). Keys are the username
        (case-folded), else the user id. A ``new_username`` is followed on a re-run: the user
        is found again by the id the journal recorded, or, after an interrupted attempt, by
        the new username. An item whose answer was lost ends ``unknown`` and is settled by
        running it again once the items have run out. A refused login, or a Backoffice that
        stopped answering, stops the run.

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
        priors = Priors(journal, user_key, "user_id")

        async def change(item: Any, prior: Prior) -> BackofficeUserModified:
            req = as_request(ModifyBackofficeUserRequest, item)
            user_id = req.user_id
            if user_id is None:
                user_id = prior.known_id or await self._user_id(req, prior)
            by_id = req.model_copy(update={"user_id": user_id, "username": None})
            return await self._user_changes.modify_backoffice_user_from(by_id)

        async def one(item: Any) -> BackofficeUserModified:
            return await change(item, priors.of(item))

        async def resolve(item: Any) -> BackofficeUserModified:
            # Only an item with an earlier attempt is settled: it may have been renamed.
            return await change(item, Prior(True, priors.of(item).known_id))

        return run_each(
            one,
            map_items(requests, priors.capture),
            key=user_key,
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            fail_fast=fail_fast,
            resolve=resolve,
            on_outcome=on_outcome,
            skip_done=False,
            unreachable_after=unreachable_after,
        )

    async def _user_id(self, req: ModifyBackofficeUserRequest, prior: Prior) -> int:
        """The user a username names; after an earlier attempt that may have renamed it
        (done, or left ambiguous: never a refused one), the user of the new username."""
        try:
            return await self._admin.user_id_of(None, req.username)
        except NotFoundError:
            if not prior.maybe_applied or req.new_username is None:
                raise
            return await self._admin.user_id_of(None, req.new_username)


def _login_taken(error: BaseException) -> bool:
    """A create refused because its username or e-mail is taken: maybe by this very login,
    sent by an earlier attempt whose answer was lost and which landed late."""
    return isinstance(error, DuplicateError) and error.field in {"username", "email"}
