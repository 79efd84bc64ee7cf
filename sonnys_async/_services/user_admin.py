"""Backoffice users after their creation: list, read, change, reset a password, reactivate.

The edit form (``/user/edit/<id>`` -> ``/user/update``, protocol §14) carries the e-mail, the
username, a password change and the active flag; the access page (§13) carries the template's
tokens and the accessible sites. Neither carries names: a linked user's names are its employee's.
The server was never seen reactivating a user or changing an e-mail (§14: never submitted by the
reference clients); the sandbox's choices are documented in ``docs/sandbox.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from .. import _constants as C
from .._secrets import generate_backoffice_password
from .._transport import AmbiguousWriteError, SessionHandle
from ..core import pages
from ..core import payloads as P
from ..core.forms import FormData
from ..core.text import digits
from ..domain import ALL
from ..errors import (
    FieldIssue,
    InputValidationError,
    NotFoundError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..models import (
    BackofficePasswordReset,
    BackofficeStatus,
    BackofficeUser,
    BackofficeUserReactivated,
    BackofficeUserSummary,
    ResetBackofficePasswordRequest,
)
from .bo_access import BackofficeAccess
from .catalogue import Catalogue
from .contacts import ContactIndex
from .gateway import Gateway, reading_back, settling
from .inputs import request_from
from .roster import ROSTER_LIMIT, Roster

__all__ = ["BackofficeUserAdmin", "LoginCheck"]

logger = logging.getLogger(C.LOGGER_NAME)

#: Tries a username and password on the tenant (``True``: the login was accepted).
LoginCheck = Callable[[str, str], Awaitable[bool]]

_DELETED = "user[isDeleted]"
_KEEP_PASSWORD = "user[changePassword]"  # checked = "do not change" (§14)


def _summary(row: pages.UserRow) -> BackofficeUserSummary:
    return BackofficeUserSummary(
        user_id=row.user_id,
        username=row.username,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email or None,
        phone=digits(row.phone) or None,
        is_active=row.is_active,
    )


class BackofficeUserAdmin:
    """Reads and changes existing Backoffice users.

    Args:
        gateway: Page reads and form submits.
        catalogue: Site tree and Backoffice templates.
        roster: The user list and edit pages.
        access: The access page (template tokens and sites).
        contacts: Taken usernames and e-mails (told about changes).
        check_login: Tries a login as the user (proves a new password).
    """

    def __init__(
        self,
        gateway: Gateway,
        catalogue: Catalogue,
        roster: Roster,
        access: BackofficeAccess,
        contacts: ContactIndex,
        check_login: LoginCheck,
    ) -> None:
        self._gateway = gateway
        self._catalogue = catalogue
        self._roster = roster
        self._access = access
        self._contacts = contacts
        self._check_login = check_login

    # ------------------------------------------------------------------ reads

    async def list_backoffice_users(
        self,
        *,
        status: BackofficeStatus = "active",
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        email: str | None = None,
    ) -> list[BackofficeUserSummary]:
        """Backoffice users of the user list, filtered by the server (§12.1).

        Args:
            status: ``"active"`` (default), ``"inactive"`` or ``"all"``.
            first_name: Name filter, as the list's search form applies it.
            last_name: Name filter.
            username: Username filter.
            email: E-mail filter.

        Returns:
            One summary per user (no template or sites: :meth:`get_backoffice_user`).
        """
        if status not in ("active", "inactive", "all"):
            raise InputValidationError([FieldIssue("status", "must be active, inactive or all")])
        params: list[tuple[str, str | int]] = []
        for key, value in (
            ("firstNameSearch", first_name),
            ("lastNameSearch", last_name),
            ("userNameSearch", username),
            ("emailSearch", email),
        ):
            if value:
                params.append((key, value.strip()))
        params += [("statusSearch", status), ("limit", ROSTER_LIMIT)]
        rows = await self._roster.user_rows(params)
        return [_summary(r) for r in rows if status == "all" or r.is_active == (status == "active")]

    async def user_id_of(
        self, user_id: int | None, username: str | None, email: str | None = None
    ) -> int:
        """The id of the one user a key names.

        Raises:
            InputValidationError: Not exactly one key given.
            NotFoundError: No such user (or, by e-mail, several).
        """
        given = sum(k is not None for k in (user_id, username, email))
        if given != 1:
            raise InputValidationError(
                [FieldIssue("user_id", "give exactly one of user_id / username / email")]
            )
        if user_id is not None:
            return user_id
        rows = await self._roster.users_by(username=username, email=email)
        if len(rows) != 1:
            key = f"username {username!r}" if username is not None else f"e-mail {email!r}"
            what = "no" if not rows else f"{len(rows)}"
            raise NotFoundError(f"{what} Backoffice users with {key}")
        return rows[0].user_id

    async def get_backoffice_user(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        email: str | None = None,
    ) -> BackofficeUser:
        """One Backoffice user: login, e-mail, linked employee, status, template and sites.

        Reads the user's edit page and access page (and, by username or e-mail, one list
        search). The template is the one whose tokens equal the user's enabled ones (the server
        stores tokens, not a template, §13.3).

        Args:
            user_id: Lookup key.
            username: Lookup key (case-insensitive).
            email: Lookup key (case-insensitive; must name one user).

        Returns:
            The user.
        """
        uid = await self.user_id_of(user_id, username, email)
        edit = await self._roster.user_edit_page(uid)
        access = await self._access.read(uid)
        tree = await self._catalogue.get_site_tree()
        names = tuple(t.name for t in access.templates if frozenset(t.tokens) == access.enabled)
        row = next(iter(await self._roster.users_by(username=edit.username)), None)
        selection = access.accessible_sites
        return BackofficeUser(
            user_id=uid,
            username=edit.username,
            first_name=row.first_name if row is not None else "",
            last_name=row.last_name if row is not None else "",
            email=edit.email or None,
            linked_employee_id=edit.employee_id,
            is_active=not edit.is_deleted,
            permission=names[0] if len(names) == 1 else None,
            matching_templates=names,
            enabled_tokens=frozenset(access.enabled),
            accessible_sites="all" if selection == ALL else P.selection_names(tree, selection),
            accessible_site_ids=selection,
        )

    # ------------------------------------------------------------------ the edit form

    async def update_form(
        self,
        user_id: int,
        change: Callable[[FormData], object],
        *,
        what: str,
        done: Callable[[pages.UserEditPage], bool],
        partial: object = None,
    ) -> None:
        """Re-post a user's edit form with ``change`` applied; settle a lost answer by
        reading (a full-form update: resending it after reading it is not applied is safe).

        Raises:
            OutcomeUnknownError: The answer was lost and could not be settled (the page could
                not be read, or the resent form's answer was lost too); ``partial`` as given.
        """

        async def stored(session: SessionHandle | None) -> bool:
            return done(await self._roster.user_edit_page(user_id, session=session))

        await self._post_form(user_id, change, what=what, stored=stored, partial=partial)

    async def _post_form(
        self,
        user_id: int,
        change: Callable[[FormData], object],
        *,
        what: str,
        stored: Callable[[SessionHandle | None], Awaitable[bool]],
        partial: object,
        edit: pages.UserEditPage | None = None,
    ) -> None:
        """:meth:`update_form` settling a lost answer with ``stored`` (given the POST's
        session, so PHP's lock serves its reads after the POST); ``edit`` is the page to
        replay when the caller has just read it."""
        if edit is None:
            edit = await self._roster.user_edit_page(user_id)
        data = edit.form.replay()
        change(data)
        pairs = data.pairs()
        try:
            await self._gateway.submit(
                "/user/update", pairs, what=what, ok=lambda loc: loc.startswith("/user")
            )
        except AmbiguousWriteError as exc:
            subject = f"Backoffice user {user_id}: {what}"
            with settling(subject, url="/user/update", partial=partial):
                applied = await stored(exc.session)
            if applied:
                return
            try:
                await self._gateway.submit(
                    "/user/update", pairs, what=what, ok=lambda loc: loc.startswith("/user")
                )
            except AmbiguousWriteError:
                raise OutcomeUnknownError(
                    f"{subject}: the answer was lost twice",
                    url="/user/update",
                    partial=partial,
                ) from exc

    async def reactivate_backoffice_user(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        verify: bool = True,
    ) -> BackofficeUserReactivated:
        """Let a deactivated Backoffice login log in again (``user[isDeleted]`` unchecked).

        **Unverified on a real tenant**: the server was never seen reactivating a user (§14);
        the sandbox does. Nothing is sent for a user who is already active.

        Args:
            user_id: The user's id.
            username: Or its username.
            verify: Read the edit page back.

        Returns:
            What was done.

        Raises:
            NotFoundError: No such user.
            WriteNotVerifiedError: The user still reads as inactive.
        """
        uid = await self.user_id_of(user_id, username)
        return await self.reactivate(uid, verify=verify)

    async def reactivate(self, user_id: int, *, verify: bool) -> BackofficeUserReactivated:
        """Reactivate user ``user_id`` (nothing is sent if it is active already)."""
        edit = await self._roster.user_edit_page(user_id)
        if not edit.is_deleted:
            return BackofficeUserReactivated(
                user_id=user_id, username=edit.username, was_already_active=True
            )
        await self.update_form(
            user_id,
            lambda data: data.uncheck(_DELETED),
            what="reactivation",
            done=lambda page: not page.is_deleted,
        )
        if verify:
            with reading_back(f"Backoffice user {user_id} reactivation", what="user_status"):
                still = (await self._roster.user_edit_page(user_id)).is_deleted
            if still:
                raise WriteNotVerifiedError(
                    f"Backoffice user {user_id} still reads as inactive",
                    what="user_status",
                    expected="active",
                    actual="inactive",
                )
        logger.info("Backoffice user %d reactivated", user_id)
        return BackofficeUserReactivated(user_id=user_id, username=edit.username, verified=verify)

    async def reset_backoffice_password(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        password: str | None = None,
        verify: bool = True,
    ) -> BackofficePasswordReset:
        """Give a Backoffice login a new password (returned once; masked in reprs).

        A password cannot be read back, so with ``verify`` the new one is proven by logging in
        as the user once (a separate session; the bot's own sessions are untouched). An
        inactive user cannot log in: reactivate it first, or pass ``verify=False``.

        Args:
            user_id: The user's id.
            username: Or its username.
            password: At least 8 letters/digits; generated (12) when omitted.
            verify: Prove the password by one login as the user.

        Returns:
            The user and the new password.

        Raises:
            NotFoundError: No such user.
            InputValidationError: ``verify`` and the user is inactive (nothing was sent).
            WriteNotVerifiedError: The login with the new password was refused, or could not
                be tried; ``partial`` is the reset with the password (``verified=False``).
            OutcomeUnknownError: The answer was lost and the password could not be proven;
                ``partial`` as above.
        """
        req = request_from(ResetBackofficePasswordRequest, locals())
        uid = await self.user_id_of(req.user_id, req.username)
        return await self.reset_password(uid, req.password, verify=req.verify)

    async def reset_password(
        self, user_id: int, password: str | None, *, verify: bool
    ) -> BackofficePasswordReset:
        """Set user ``user_id``'s password (generated when ``None``) and prove it.

        Raises:
            InputValidationError: ``verify`` and the user is inactive (nothing was sent).
            OutcomeUnknownError: The answer was lost and the new password could not be
                proven; ``partial`` is the reset (with the password, ``verified=False``).
            WriteNotVerifiedError: The login with the new password was refused or could not
                be tried; ``partial`` as above.
        """
        new = password or generate_backoffice_password()
        edit = await self._roster.user_edit_page(user_id)
        if verify and edit.is_deleted:
            raise InputValidationError(
                [
                    FieldIssue(
                        "user_id",
                        f"Backoffice user {user_id} is inactive and cannot log in to prove a new "
                        "password: reactivate it first, or pass verify=False",
                    )
                ]
            )
        unproven = BackofficePasswordReset(
            user_id=user_id, username=edit.username, password=new, verified=False
        )
        proven = False

        def change(data: FormData) -> None:
            data.uncheck(_KEEP_PASSWORD)
            for name in ("user[password]", "user[confirmPassword]"):
                data.set(name, new)

        async def stored(session: SessionHandle | None) -> bool:
            # A password is not shown on any page: a lost answer is settled by a login with
            # the new one, after a read on the POST's session (PHP's lock serves it after the
            # POST). Refused: not applied, so the same full form may be sent once more.
            nonlocal proven
            page = await self._roster.user_edit_page(user_id, session=session)
            if page.is_deleted:
                raise OutcomeUnknownError(
                    f"Backoffice user {user_id}: password reset: the answer was lost and the "
                    "user is inactive, so a login cannot prove whether the password was set",
                    url="/user/update",
                    partial=unproven,
                )
            proven = await self._check_login(edit.username, new)
            return proven

        await self._post_form(
            user_id, change, what="password reset", stored=stored, partial=unproven, edit=edit
        )
        if verify and not proven:
            with reading_back(
                f"Backoffice user {user_id} password reset", what="password", partial=unproven
            ):
                proven = await self._check_login(edit.username, new)
            if not proven:
                raise WriteNotVerifiedError(
                    f"Backoffice user {user_id}: a login with the new password was refused",
                    what="password",
                    partial=unproven,
                )
        logger.info("Backoffice user %d: password reset", user_id)
        return BackofficePasswordReset(
            user_id=user_id, username=edit.username, password=new, verified=proven
        )
