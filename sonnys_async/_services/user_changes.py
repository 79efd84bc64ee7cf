"""modify_backoffice_user: a user's template, accessible sites, e-mail and username."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from .. import _constants as C
from ..core import pages, sites
from ..core import payloads as P
from ..core.forms import FormData
from ..core.text import norm
from ..domain import ALL
from ..errors import FieldIssue, InputValidationError, WriteNotVerifiedError
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
            NotFoundError: Unknown user, template or site (before any write).
            DuplicateError: The e-mail or username is taken.
            WriteNotVerifiedError: A change did not read back; ``partial`` says what was done.
        """
        return await self.modify_backoffice_user_from(
            request_from(ModifyBackofficeUserRequest, locals())
        )

    async def modify_backoffice_user_from(
        self, request: ModifyBackofficeUserRequest
    ) -> BackofficeUserModified:
        """:meth:`modify_backoffice_user` taking a validated request."""
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
        applied: list[str] = []
        warnings: list[str] = []

        def partial() -> BackofficeUserModified:
            return BackofficeUserModified(
                user_id=uid,
                username=edit.username,
                changes_applied=tuple(applied),
                verified=False,
                warnings=tuple(warnings),
            )

        # ---- the edit page: e-mail and username
        new_email = (
            req.new_email if req.new_email and norm(req.new_email) != norm(edit.email) else None
        )
        new_name = (
            req.new_username
            if req.new_username and norm(req.new_username) != norm(edit.username)
            else None
        )
        if new_email or new_name:

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
            if req.verify:
                with reading_back(
                    f"Backoffice user {uid} update", what="read_back", partial=partial()
                ):
                    ok = done(await self._roster.user_edit_page(uid))
                if not ok:
                    raise WriteNotVerifiedError(
                        f"Backoffice user {uid}: the e-mail or username does not read back",
                        what="user",
                        partial=partial(),
                    )
            applied += [n for n, v in (("email", new_email), ("username", new_name)) if v]
            self._contacts.note_user(uid, username=new_name, email=new_email)
        elif req.new_email or req.new_username:
            warnings.append("the e-mail and username are already as requested")

        # ---- the access page: template tokens and sites (one full save)
        if template is not None or selection is not None:
            current = await self._access.read(uid)
            want_sites = selection if selection is not None else current.accessible_sites
            want_tokens = frozenset(template.tokens) if template is not None else current.enabled
            want_tokens &= frozenset(current.tokens)
            same_sites = sites.same_selection(tree, want_sites, current.accessible_sites)
            if same_sites and want_tokens == current.enabled:
                warnings.append("the template and sites are already as requested")
            else:
                if want_sites != ALL and not want_sites:
                    raise InputValidationError(
                        [
                            FieldIssue(
                                "available_sites", "the user has no site; give available_sites"
                            )
                        ]
                    )
                await self._access.set(uid, tree, want_sites, template, enabled=want_tokens)
                if req.verify:
                    with reading_back(
                        f"Backoffice user {uid} access", what="backoffice_access", partial=partial()
                    ):
                        ok = await self._access.matches(
                            uid, tree, want_sites, template, enabled=want_tokens
                        )
                    if not ok:
                        raise WriteNotVerifiedError(
                            f"Backoffice user {uid}: access does not read back as requested",
                            what="backoffice_access",
                            partial=partial(),
                        )
                if template is not None and want_tokens != current.enabled:
                    applied.append("permission")
                if not same_sites:
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
