"""Backoffice logins: create (insert, access, verify), deactivate, find the linked ones."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Literal

from .. import _constants as C
from .._secrets import generate_backoffice_password
from .._transport import AmbiguousWriteError
from ..core import pages, sites
from ..core import payloads as P
from ..core.text import norm
from ..domain import ALL, BoTemplate, SiteSelection, SiteTree
from ..errors import (
    BackofficeError,
    DuplicateError,
    FieldIssue,
    InputValidationError,
    NotFoundError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..models import BackofficeUserCreated, BackofficeUserDisabled, CreateBackofficeUserRequest
from .bo_access import BackofficeAccess
from .catalogue import Catalogue
from .contacts import ContactIndex
from .gateway import Gateway, reading_back, settling, trailing_id
from .inputs import request_from
from .roster import Roster

__all__ = ["BackofficeUsers"]

logger = logging.getLogger(C.LOGGER_NAME)


def _sites_from_codes(tree: SiteTree, codes: Iterable[str]) -> SiteSelection | None:
    """The sites of a roster row's short codes; ``None`` if any code is not in ``tree``
    (never a silently reduced set)."""
    by_code = {s.code.casefold(): s.id for s in tree.sites if s.code}
    wanted = [c.casefold() for c in codes]
    if any(c not in by_code for c in wanted):
        return None
    ids = frozenset(by_code[c] for c in wanted)
    return ALL if ids == tree.site_ids else ids


def _is_our_user(
    edit: pages.UserEditPage,
    row: pages.UserRow,
    employee_id: int | None,
    email: str,
    names: tuple[str, str] | None,
) -> bool:
    if employee_id is not None:
        return edit.employee_id == employee_id
    if edit.employee_id or norm(edit.email) != norm(email):
        return False
    return names is None or (norm(row.first_name), norm(row.last_name)) == (
        norm(names[0]),
        norm(names[1]),
    )


class BackofficeUsers:
    """Create and deactivate Backoffice users, and find the ones linked to an employee.

    Args:
        gateway: Page reads and form submits.
        catalogue: Site tree and Backoffice templates.
        roster: Lookups (employees to link, users by username or e-mail).
        access: The user access page (template and sites).
        contacts: The index of taken usernames and e-mails (told about new users).
    """

    def __init__(
        self,
        gateway: Gateway,
        catalogue: Catalogue,
        roster: Roster,
        access: BackofficeAccess,
        contacts: ContactIndex,
    ) -> None:
        self._gateway = gateway
        self._catalogue = catalogue
        self._roster = roster
        self._access = access
        self._contacts = contacts

    # ------------------------------------------------------------------ deactivate

    async def disable_backoffice_user(
        self,
        *,
        user_id: int | None = None,
        username: str | None = None,
        verify: bool = True,
    ) -> BackofficeUserDisabled:
        """Deactivate a Backoffice login (``user[isDeleted]`` checked on its edit form).

        The meaning of ``user[isDeleted]`` ("User is active? No") is **inferred** from the
        form's labels (protocol §14); the sandbox treats it as "cannot log in".

        Args:
            user_id: The user's id.
            username: Or its username (exact, case-insensitive).
            verify: Read the edit page back.

        Returns:
            What was done.

        Raises:
            NotFoundError: No such user.
            WriteNotVerifiedError: The user still reads as active.
        """
        if (user_id is None) == (username is None):
            raise InputValidationError([FieldIssue("user_id", "give user_id or username")])
        if user_id is None:
            assert username is not None
            rows = await self._roster.users_by(username=username)
            if not rows:
                raise NotFoundError(f"no Backoffice user named {username!r}")
            user_id = rows[0].user_id
        return await self.disable(user_id, verify=verify)

    async def disable(self, user_id: int, *, verify: bool) -> BackofficeUserDisabled:
        """Deactivate user ``user_id`` (nothing is sent if it is inactive already)."""
        edit = await self._roster.user_edit_page(user_id)
        if edit.is_deleted:
            return BackofficeUserDisabled(
                user_id=user_id, username=edit.username, was_already_inactive=True, verified=True
            )
        data = edit.form.replay()
        data.check("user[isDeleted]", "1")
        try:
            await self._gateway.submit(
                "/user/update",
                data.pairs(),
                what="Backoffice user update",
                ok=lambda loc: loc.startswith("/user"),
            )
        except AmbiguousWriteError as exc:
            with settling(f"Backoffice user {user_id} deactivation", url="/user/update"):
                after = await self._roster.user_edit_page(user_id, session=exc.session)
            if not after.is_deleted:
                raise OutcomeUnknownError(
                    f"Backoffice user {user_id} update: the answer was lost and it is still active",
                    url="/user/update",
                ) from exc
        with reading_back(f"Backoffice user {user_id} deactivation", what="user_status"):
            proven = not verify or (await self._roster.user_edit_page(user_id)).is_deleted
        if not proven:
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id} still reads as active",
                what="user_status",
                expected="inactive",
                actual="active",
            )
        logger.info("Backoffice user %d deactivated", user_id)
        return BackofficeUserDisabled(user_id=user_id, username=edit.username, verified=verify)

    async def linked_user_ids(self, employee_id: int, edit: pages.EmployeeEditPage) -> list[int]:
        """Backoffice users linked to an employee: candidates by e-mail (or name), confirmed
        on each user's edit page (``user[employeeId]``, §14)."""
        if edit.email:
            candidates = await self._roster.users_by(email=edit.email)
        else:
            candidates = await self._roster.users_by(
                first_name=edit.first_name, last_name=edit.last_name
            )
        linked: list[int] = []
        for row in candidates:
            user_edit = await self._roster.user_edit_page(row.user_id)
            if user_edit.employee_id == employee_id:
                linked.append(row.user_id)
        return linked

    # ------------------------------------------------------------------ create

    async def create_backoffice_user(
        self,
        *,
        username: str,
        permission: str,
        email: str | None = None,
        password: str | None = None,
        link_to_employee_pos_user_id: int | str | None = None,
        link_to_employee_email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        verify: bool = True,
    ) -> BackofficeUserCreated:
        """Create a Backoffice login and give it a template and accessible sites.

        Linked (``link_to_employee_pos_user_id`` or ``link_to_employee_email``): the employee
        must be active. Standalone: ``first_name``, ``last_name`` and ``email``. Unlike the
        reference library, the template is applied, together with accessible sites (the
        access form refuses zero sites, §13.4): by default the linked employee's own sites, or
        every site for a standalone user (the reference's ``"all"`` default). Linked by POS
        User ID with ``email`` given, this costs 4 requests with a warm cache.

        Args:
            username: ``^[A-Za-z]\\w{2,63}$``.
            permission: Backoffice template name (case-insensitive).
            email: Required standalone; linked it defaults to the employee's e-mail.
            password: At least 8 letters/digits; generated (12) when omitted.
            link_to_employee_pos_user_id: Link by POS User ID.
            link_to_employee_email: Link by the employee's e-mail.
            first_name: Standalone user's first name (2-64).
            last_name: Standalone user's last name (2-64).
            available_sites: ``"all"`` or sites; see above for the default.
            verify: Read the access page back.

        Returns:
            The user id, username, password (shown once), template and sites.

        Raises:
            NotFoundError: Unknown template, site or employee (before any write).
            InputValidationError: The linked employee is inactive.
            DuplicateError: Username or e-mail taken.
            WriteNotVerifiedError: The user exists but its access could not be set or
                proven; ``partial`` is a :class:`BackofficeUserCreated`.
            OutcomeUnknownError: The insert's answer was lost and could not be settled;
                ``partial`` is the request with its (generated) password: the user may exist.
        """
        return await self.create_backoffice_user_from(
            request_from(CreateBackofficeUserRequest, locals())
        )

    async def create_backoffice_user_from(
        self, request: CreateBackofficeUserRequest
    ) -> BackofficeUserCreated:
        """:meth:`create_backoffice_user` taking a validated request."""
        req = request
        tree = await self._catalogue.get_site_tree()
        bo = await self._catalogue.backoffice()
        template = P.resolve_bo_template(bo.templates, req.permission)
        requested = sites.resolve(tree, req.available_sites) if req.available_sites else None
        employee_id: int | None = None
        email = req.email
        expected_name: tuple[str, str] | None = None
        if req.linked:
            if req.link_to_employee_pos_user_id is not None:
                target = await self._roster.resolve(pos_user_id=req.link_to_employee_pos_user_id)
                row = target.row
                assert row is not None
                if not row.is_active:
                    raise InputValidationError(
                        [
                            FieldIssue(
                                "link_to_employee_pos_user_id",
                                "the employee is inactive; reactivate it first",
                            )
                        ]
                    )
                if requested is None:
                    requested = _sites_from_codes(tree, row.site_codes)
                if requested is None:
                    # A list-row code the cached tree cannot map: dropping it would give the
                    # user fewer sites than the employee has, so read the sites themselves.
                    requested = (await self._roster.edit_page(target.employee_id)).available_sites
                if email is None:
                    email = await self._employee_email(target.employee_id)
            else:
                assert req.link_to_employee_email is not None
                target = await self._roster.resolve(email=req.link_to_employee_email)
                email = email or target.email or req.link_to_employee_email
                if requested is None:
                    edit = await self._roster.edit_page(target.employee_id)
                    if not edit.active:
                        raise InputValidationError(
                            [
                                FieldIssue(
                                    "link_to_employee_email",
                                    "the employee is inactive; reactivate it first",
                                )
                            ]
                        )
                    requested = edit.available_sites
            employee_id = target.employee_id
            expected_name = (target.first_name, target.last_name)
        else:
            # Standalone: a username pre-flight fits here (3 requests otherwise). Linked creates
            # skip it to keep their 4-request budget; the server refuses a taken username, and
            # a lost insert answer is settled by ownership (_settle_insert).
            if await self._roster.users_by(username=req.username):
                raise DuplicateError(
                    f"Backoffice username {req.username!r} is already in use",
                    field="username",
                    value=req.username,
                )
            expected_name = (req.first_name or "", req.last_name or "")
            if requested is None:
                requested = ALL
        if requested != ALL and not requested:
            raise InputValidationError(
                [FieldIssue("available_sites", "a Backoffice user needs at least one site")]
            )
        if not email:
            raise InputValidationError(
                [FieldIssue("email", "the employee has no e-mail; give one")]
            )
        password = req.password or generate_backoffice_password()
        return await self.create(
            username=req.username,
            password=password,
            email=email,
            employee_id=employee_id,
            first_name=req.first_name,
            last_name=req.last_name,
            selection=requested,
            template=template,
            verify=req.verify,
            expected_name=expected_name,
            pending=req.model_copy(update={"password": password, "email": email}),
        )

    async def _employee_email(self, employee_id: int) -> str | None:
        for option in await self._roster.employee_options():
            if option.employee_id == employee_id and option.email:
                return option.email
        return (await self._roster.edit_page(employee_id)).email or None

    async def create(
        self,
        *,
        username: str,
        password: str,
        email: str,
        employee_id: int | None,
        first_name: str | None,
        last_name: str | None,
        selection: SiteSelection,
        template: BoTemplate,
        verify: bool,
        expected_name: tuple[str, str] | None,
        pending: object = None,
    ) -> BackofficeUserCreated:
        """Insert a user, set its access, and (with ``verify``) read the access back.

        Args:
            pending: The ``partial`` of an :class:`OutcomeUnknownError` about the insert (the
                request with its password: the user may exist with it). The caller that
                passes none keeps the password itself.

        Raises:
            DuplicateError / FormRejectedError: The insert was refused.
            OutcomeUnknownError: The insert's answer was lost and could not be settled
                (``partial`` is ``pending``).
            WriteNotVerifiedError: The user exists but its access is not (provably) set
                (``partial`` is the result, with the password, ``verified=False``).
        """
        tree = await self._catalogue.get_site_tree()
        body = P.user_insert_pairs(
            username=username,
            password=password,
            email=email,
            employee_id=employee_id,
            first_name=first_name,
            last_name=last_name,
        )
        try:
            resp = await self._gateway.submit(
                "/user/insert",
                body,
                what="Backoffice user insert",
                ok=lambda loc: loc.startswith("/user/permissions/"),
                values={"username": username, "email": email},
            )
            assert resp.location is not None
            user_id = trailing_id(resp.location, "/user/permissions/")
        except AmbiguousWriteError as exc:
            user_id = await self._settle_insert(
                username,
                exc,
                employee_id=employee_id,
                email=email,
                names=expected_name,
                pending=pending,
            )
        self._contacts.note_user(user_id, username=username, email=email)

        def result(**extra: Any) -> BackofficeUserCreated:
            fields: dict[str, Any] = {
                "user_id": user_id,
                "username": username,
                "password": password,
                "email": email,
                "linked_employee_id": employee_id,
                "permission_applied": template.name,
                "sites_granted": P.selection_names(tree, selection),
                "site_ids": selection,
                "verified": verify,
            }
            fields.update(extra)
            return BackofficeUserCreated(**fields)

        try:
            await self._access.set(user_id, tree, selection, template)
        except BackofficeError as exc:
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id} was created, but its access was not set: {exc}",
                what="backoffice_access",
                expected=template.name,
                partial=result(permission_applied=None, sites_granted=(), verified=False),
            ) from exc
        with reading_back(
            f"Backoffice user {user_id} access",
            what="backoffice_access",
            partial=result(verified=False),
        ):
            proven = not verify or await self._access.matches(user_id, tree, selection, template)
        if not proven:
            raise WriteNotVerifiedError(
                f"Backoffice user {user_id}: access does not read back as {template.name!r}",
                what="backoffice_access",
                expected=template.name,
                partial=result(verified=False),
            )
        logger.info(
            "created Backoffice user %d (%r, template %r, linked employee %s)",
            user_id,
            username,
            template.name,
            employee_id,
        )
        return result()

    async def _settle_insert(
        self,
        username: str,
        exc: AmbiguousWriteError,
        *,
        employee_id: int | None,
        email: str,
        names: tuple[str, str] | None,
        pending: object,
    ) -> int:
        """The insert's answer was lost: find the user it would have made, on the POST's
        session (PHP's lock serves the reads after the POST).

        A user holding the username is ours only if its edit page says so: linked to our
        employee (``user[employeeId]``, §14), or, standalone, unlinked with our e-mail and
        names. A stranger holding it means our insert was refused (usernames are unique):
        taking that account over would hand out a password that does not work.

        Raises:
            DuplicateError: The username belongs to someone else; nothing was created.
            OutcomeUnknownError: State could not be read, several users look like ours, or no
                user has the username yet (the request may still arrive: unknown, not "not
                applied").
        """
        session = exc.session
        with settling(f"Backoffice user insert {username!r}", url="/user/insert", partial=pending):
            rows = await self._roster.users_by(username=username, session=session)
            ours: list[int] = []
            for row in rows:
                edit = await self._roster.user_edit_page(row.user_id, session=session)
                if _is_our_user(edit, row, employee_id, email, names):
                    ours.append(row.user_id)
        if len(ours) == 1:
            logger.info("Backoffice user insert answer lost, but user %d is ours", ours[0])
            return ours[0]
        if len(ours) > 1:
            raise OutcomeUnknownError(
                f"Backoffice user insert {username!r}: answer lost and users {ours} all match",
                url="/user/insert",
                partial=pending,
            ) from exc
        if rows:
            raise DuplicateError(
                f"Backoffice username {username!r} belongs to another user "
                f"({', '.join(str(r.user_id) for r in rows)}); the insert was not applied",
                field="username",
                value=username,
            ) from exc
        raise OutcomeUnknownError(
            f"Backoffice user insert {username!r}: the answer was lost and no user has the "
            "username yet; the request may still arrive, so it is neither applied nor safe to "
            "resend now: settle it later",
            url="/user/insert",
            partial=pending,
        ) from exc
