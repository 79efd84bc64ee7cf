"""modify_backoffice_user: a user's template, accessible sites, e-mail and username."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .. import _constants as C
from .._transport import AmbiguousWriteError
from ..core import pages, sites
from ..core import payloads as P
from ..core.forms import FormData
from ..core.text import norm
from ..domain import ALL, BoTemplate, SiteSelection, SiteTree
from ..errors import (
    BackofficeError,
    FieldIssue,
    InputValidationError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..models import BackofficeUserModified, ModifyBackofficeUserRequest
from .bo_access import BackofficeAccess
from .catalogue import Catalogue
from .contacts import ContactIndex
from .gateway import reading_back
from .inputs import request_from
from .roster import Roster
from .user_admin import BackofficeUserAdmin

__all__ = ["BackofficeUserChanges"]

logger = logging.getLogger(C.LOGGER_NAME)


class BackofficeUserChanges:
    """Changes to an existing Backoffice user (its edit page and its access page).

    Args:
        catalogue: Site tree and Backoffice templates.
        roster: The user's edit page.
        access: The access page.
        admin: User lookups and the edit-form round trip.
        contacts: Taken usernames and e-mails (told about changes).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        roster: Roster,
        access: BackofficeAccess,
        admin: BackofficeUserAdmin,
        contacts: ContactIndex,
    ) -> None:
        self._catalogue = catalogue
        self._roster = roster
        self._access = access
        self._admin = admin
        self._contacts = contacts

    async def has_sites(self, user_id: int) -> bool:
        """Whether the user can access at least one site (one access-page read)."""
        sites_now = (await self._access.read(user_id)).accessible_sites
        return sites_now == ALL or bool(sites_now)

    async def modify_backoffice_user(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        permission: str | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        new_email: str | None = None,
        new_username: str | None = None,
        verify: bool = True,
    ) -> BackofficeUserModified:
        """Change a Backoffice user's template, accessible sites, e-mail or username.

        ``permission`` and ``available_sites`` go through the access page (one full save: the
        one not given is kept as it is); ``new_email`` and ``new_username`` through the edit
        page (**unverified on a real tenant**: never submitted by the reference clients, §14).
        A form is submitted only when something differs; each change is read back. A user's
        names are on neither form: a linked user's names are its employee's
        (``modify_employee``).

        Args:
            user_id: Lookup key.
            username: Lookup key (the current username).
            permission: Backoffice template name.
            available_sites: ``"all"`` or site ids, names or short codes.
            new_email: New e-mail (unique among employees and users).
            new_username: New login name.
            verify: Read each change back.

        Returns:
            What changed (``changes_applied`` lists only real changes).

        Raises:
            NotFoundError: Unknown user, template or site (nothing was sent).
            InputValidationError: No site given, or the access change would leave the user
                without one (nothing was sent).
            DuplicateError: The e-mail or username is taken (nothing was applied).
            WriteNotVerifiedError: A change did not read back, or the access save failed after
                the e-mail or username was changed; ``partial`` says what was done.
            OutcomeUnknownError: The answer to the access save was lost (``partial`` lists an
                e-mail or username change applied before it).
        """
        return await self.modify_backoffice_user_from(
            request_from(ModifyBackofficeUserRequest, locals())
        )

    async def modify_backoffice_user_from(
        self, request: ModifyBackofficeUserRequest
    ) -> BackofficeUserModified:
        """:meth:`modify_backoffice_user` taking a validated request.

        Everything that can refuse the call (the user, template and sites, the access page and
        the catalogue the access save sends) is read and checked before the first POST, so an
        :class:`~sonnys_async.errors.InputValidationError` or
        :class:`~sonnys_async.errors.NotFoundError` means nothing was sent. A failure of the
        access save after the e-mail or username was changed is a
        :class:`~sonnys_async.errors.WriteNotVerifiedError` (or, for a lost answer,
        :class:`~sonnys_async.errors.OutcomeUnknownError`) whose ``partial`` lists that change.
        """
        req = request
        tree = await self._catalogue.get_site_tree()
        template = None
        if req.permission is not None:
            bo = await self._catalogue.backoffice()
            template = P.resolve_bo_template(bo.templates, req.permission)
        selection = (
            sites.resolve(tree, req.available_sites) if req.available_sites is not None else None
        )
        if selection is not None and selection != ALL and not selection:
            raise InputValidationError(
                [FieldIssue("available_sites", "a Backoffice user needs at least one site")]
            )
        uid = await self._admin.user_id_of(req.user_id, req.username)
        edit = await self._roster.user_edit_page(uid)
        new_email = (
            req.new_email if req.new_email and norm(req.new_email) != norm(edit.email) else None
        )
        new_name = (
            req.new_username
            if req.new_username and norm(req.new_username) != norm(edit.username)
            else None
        )
        applied: list[str] = []
        warnings: list[str] = []

        def partial() -> BackofficeUserModified:
            return BackofficeUserModified(
                user_id=uid,
                username=new_name if new_name and "username" in applied else edit.username,
                changes_applied=tuple(applied),
                verified=False,
                warnings=tuple(warnings),
            )

        # ---- before any write: what the access page needs (and whether it can be saved)
        wants_access = template is not None or selection is not None
        access: _AccessPlan | None = None
        if wants_access:
            access = await self._plan_access(uid, tree, template, selection)

        # ---- the edit page: e-mail and username
        if new_email or new_name:
            await self._update_login(uid, new_email, new_name, req.verify, partial)
            applied += [n for n, v in (("email", new_email), ("username", new_name)) if v]
        elif req.new_email or req.new_username:
            warnings.append("the e-mail and username are already as requested")

        # ---- the access page: template tokens and sites (one full save)
        if wants_access and access is None:
            warnings.append("the template and sites are already as requested")
        if access is not None:
            try:
                await self._save_access(uid, tree, template, access, req.verify, partial)
            except WriteNotVerifiedError:
                raise  # its partial already lists what was applied
            except (OutcomeUnknownError, AmbiguousWriteError) as exc:
                done = f"the {', '.join(applied)} change was applied, but " if applied else ""
                raise OutcomeUnknownError(
                    f"Backoffice user {uid}: {done}the answer to the access save was lost: {exc}",
                    url="/user/permissions/update",
                    partial=partial() if applied else None,
                ) from exc
            except BackofficeError as exc:
                if not applied:
                    raise  # a refusal before anything was applied
                raise WriteNotVerifiedError(
                    f"Backoffice user {uid}: the {', '.join(applied)} change was applied, but "
                    f"the access save failed: {exc}",
                    what="backoffice_access",
                    partial=partial(),
                ) from exc
            if template is not None and access.tokens_change:
                applied.append("permission")
            if access.sites_change:
                applied.append("sites")
        logger.info("Backoffice user %d modified: %s", uid, ", ".join(applied) or "nothing")
        return BackofficeUserModified(
            user_id=uid,
            username=new_name or edit.username,
            changes_applied=tuple(applied),
            permission_applied=template.name if template is not None else None,
            verified=req.verify,
            warnings=tuple(warnings),
        )

    async def _plan_access(
        self,
        uid: int,
        tree: SiteTree,
        template: BoTemplate | None,
        selection: SiteSelection | None,
    ) -> _AccessPlan | None:
        """The access save to make (``None``: none is needed), read and checked before any
        write.

        Raises:
            InputValidationError: The save would leave the user without a site (the server
                refuses that, §13.4): ``available_sites`` must be given.
        """
        current = await self._access.read(uid)
        want_sites = selection if selection is not None else current.accessible_sites
        want_tokens = frozenset(template.tokens) if template is not None else current.enabled
        want_tokens &= frozenset(current.tokens)
        same_sites = sites.same_selection(tree, want_sites, current.accessible_sites)
        if same_sites and want_tokens == current.enabled:
            return None
        if want_sites != ALL and not want_sites:
            raise InputValidationError(
                [
                    FieldIssue(
                        "available_sites",
                        f"Backoffice user {uid} has no accessible site: give available_sites",
                    )
                ]
            )
        # The save sends the catalogue's tokens: read (and cache) it before any write.
        await self._catalogue.backoffice()
        return _AccessPlan(
            sites=want_sites,
            tokens=want_tokens,
            sites_change=not same_sites,
            tokens_change=want_tokens != current.enabled,
        )

    async def _update_login(
        self,
        uid: int,
        new_email: str | None,
        new_name: str | None,
        verify: bool,
        partial: Callable[[], BackofficeUserModified],
    ) -> None:
        """Post the edit form with the new e-mail and/or username; read it back."""

        def change(data: FormData) -> None:
            if new_email:
                data.set("employee[email]", new_email)
            if new_name:
                data.set("user[username]", new_name)

        def done(page: pages.UserEditPage) -> bool:
            return (not new_email or norm(page.email) == norm(new_email)) and (
                not new_name or norm(page.username) == norm(new_name)
            )

        await self._admin.update_form(uid, change, what="Backoffice user update", done=done)
        # Accepted by the server: the new values count as taken from now on.
        self._contacts.note_user(uid, username=new_name, email=new_email)
        if not verify:
            return
        with reading_back(f"Backoffice user {uid} update", what="read_back", partial=partial()):
            ok = done(await self._roster.user_edit_page(uid))
        if not ok:
            raise WriteNotVerifiedError(
                f"Backoffice user {uid}: the e-mail or username does not read back",
                what="user",
                partial=partial(),
            )

    async def _save_access(
        self,
        uid: int,
        tree: SiteTree,
        template: BoTemplate | None,
        plan: _AccessPlan,
        verify: bool,
        partial: Callable[[], BackofficeUserModified],
    ) -> None:
        """Save the planned access (one full replacement); read it back."""
        await self._access.set(uid, tree, plan.sites, template, enabled=plan.tokens)
        if not verify:
            return
        with reading_back(
            f"Backoffice user {uid} access", what="backoffice_access", partial=partial()
        ):
            ok = await self._access.matches(uid, tree, plan.sites, template, enabled=plan.tokens)
        if not ok:
            raise WriteNotVerifiedError(
                f"Backoffice user {uid}: access does not read back as requested",
                what="backoffice_access",
                partial=partial(),
            )


@dataclass(frozen=True, slots=True)
class _AccessPlan:
    """The access save :meth:`BackofficeUserChanges.modify_backoffice_user_from` will make."""

    sites: SiteSelection
    tokens: frozenset[str]
    sites_change: bool
    tokens_change: bool
