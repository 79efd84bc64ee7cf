"""rehire_employee: a leaver comes back, with their Backoffice login, in one verified call."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from .. import _constants as C
from ..core import payloads as P
from ..domain import ALL
from ..errors import (
    BackofficeError,
    FieldIssue,
    InputValidationError,
    NotFoundError,
    WriteNotVerifiedError,
)
from ..models import (
    BackofficeLogin,
    CreateBackofficeUserRequest,
    EmployeeRehired,
    ModifyBackofficeUserRequest,
    ModifyEmployeeRequest,
    RehireEmployeeRequest,
)
from .catalogue import Catalogue
from .changes import Changes
from .inputs import request_from
from .roster import Roster
from .user_admin import BackofficeUserAdmin
from .user_changes import BackofficeUserChanges
from .users import BackofficeUsers

__all__ = ["Rehiring"]

logger = logging.getLogger(C.LOGGER_NAME)


class Rehiring:
    """Bring a former employee back: reactivate, apply what changed, restore their login.

    Args:
        catalogue: The Backoffice templates (checked before any write).
        roster: Lookups and edit pages.
        changes: ``modify_employee`` (reactivation and the changes that come with it).
        users: Linked Backoffice users, and creating one.
        admin: Reactivating a login and resetting its password.
        user_changes: A login's template and sites.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        roster: Roster,
        changes: Changes,
        users: BackofficeUsers,
        admin: BackofficeUserAdmin,
        user_changes: BackofficeUserChanges,
    ) -> None:
        self._catalogue = catalogue
        self._roster = roster
        self._changes = changes
        self._users = users
        self._admin = admin
        self._user_changes = user_changes

    async def rehire_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        departments: Iterable[int | str] | None = None,
        permission: str | None = None,
        wage_rate: Decimal | float | int | str | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        wage_effective_date: date | datetime | None = None,
        wage_site: int | str | None = None,
        restore_backoffice: bool = True,
        backoffice_username: str | None = None,
        backoffice_password: str | None = None,
        backoffice_permission: str | None = None,
        verify: bool = True,
    ) -> EmployeeRehired:
        """Rehire a former employee: reactivate them and give back their Backoffice login.

        The employee keeps their record, POS User ID and PIN (a disable keeps them, §8.2); the
        edit form reactivates them, together with any new sites or departments, and a new wage
        or POS template is applied as ``modify_employee`` does. With ``restore_backoffice`` the
        Backoffice login linked to the employee (found by e-mail or name, confirmed on its edit
        page, §14) is reactivated if it was deactivated, given a new password (returned once)
        proven by one login as the user, and, with ``backoffice_permission`` (or
        ``permission``) or new sites, given that template and the employee's sites. When no
        login is linked and ``backoffice_username`` is given, one is created. Reactivating a
        Backoffice login was never seen on a real tenant (§14): it is marked unverified in
        ``docs/client.md``.

        Args:
            pos_user_id: Lookup key (works for inactive employees).
            email: Lookup key: the ``/user/create`` list, then Backoffice users with that
                e-mail and their linked employee (the server lists no other e-mails).
            available_sites: New available sites.
            departments: New departments.
            permission: POS template to apply.
            wage_rate: New hourly rate (a new wage record).
            overtime_wage_rate: New overtime rate.
            wage_effective_date: When the new wage starts (default today).
            wage_site: Labour site of the new wage.
            restore_backoffice: Restore (or create) the Backoffice login.
            backoffice_username: Username of a login to create when none is linked.
            backoffice_password: The login's new password; generated (12) when omitted.
            backoffice_permission: Backoffice template; defaults to ``permission``.
            verify: Read every change back.

        Returns:
            The employee, what changed, and the Backoffice login with its new password.

        Raises:
            NotFoundError: No such employee (or template, site, department: before any write).
            InputValidationError: A login must be created but no template is named.
            WriteNotVerifiedError: A step after the reactivation failed or did not read back;
                ``partial`` is an :class:`EmployeeRehired` of what was done.
        """
        return await self.rehire_employee_from(request_from(RehireEmployeeRequest, locals()))

    async def rehire_employee_from(self, request: RehireEmployeeRequest) -> EmployeeRehired:
        """:meth:`rehire_employee` taking a validated :class:`RehireEmployeeRequest`."""
        req = request
        employee_id = await self._employee_id(req)
        before = await self._roster.edit_page(employee_id)
        if before.pos_user_id is None:
            raise NotFoundError(f"employee {employee_id} has no POS User ID to rehire by")
        linked: list[int] = []
        bo_template: str | None = None
        notes: list[str] = []
        if req.restore_backoffice:
            bo_template = await self._backoffice_template(req, notes)
            linked = await self._users.linked_user_ids(employee_id, before)
            if not linked and req.backoffice_username and bo_template is None:
                raise InputValidationError(
                    [FieldIssue("backoffice_permission", "needed to create a Backoffice login")]
                )
        # ---- the employee: reactivated, with what changes (one modify, verified)
        modified = await self._changes.modify_employee_from(
            ModifyEmployeeRequest(
                pos_user_id=before.pos_user_id,
                activate=True,
                available_sites=req.available_sites,
                departments=req.departments,
                permission=req.permission,
                wage_rate=req.wage_rate,
                overtime_wage_rate=req.overtime_wage_rate,
                wage_effective_date=req.wage_effective_date,
                wage_site=req.wage_site,
                verify=req.verify,
            )
        )
        fields: dict[str, Any] = {
            "employee_id": employee_id,
            "pos_user_id": before.pos_user_id,
            "first_name": before.first_name,
            "last_name": before.last_name,
            "rehired_at": datetime.now(UTC),
            "was_already_active": before.active,
            "changes_applied": modified.changes_applied,
            "permission_applied": modified.permission_applied,
            "verified": req.verify,
            "warnings": (*modified.warnings, *notes),
        }
        logger.info("employee %d rehired", employee_id)
        if not req.restore_backoffice:
            return EmployeeRehired(**fields)
        try:
            login = await self._login(req, employee_id, before.pos_user_id, linked, bo_template)
        except BackofficeError as exc:
            # Every step that may have set a password carries it on its error's partial (a
            # result with verified=False, or the create request when the insert is unknown).
            partial_user = getattr(exc, "partial", None)
            partial = EmployeeRehired(
                **{
                    **fields,
                    "verified": False,
                    "backoffice_user_id": getattr(partial_user, "user_id", None),
                    "backoffice_username": getattr(partial_user, "username", None),
                    "backoffice_password": getattr(partial_user, "password", None),
                    "warnings": (
                        *fields["warnings"],
                        f"employee rehired; Backoffice login step failed: {exc}",
                    ),
                }
            )
            raise WriteNotVerifiedError(
                f"employee {employee_id} was rehired, but the Backoffice login step failed: {exc}",
                what="backoffice_user",
                partial=partial,
            ) from exc
        fields["warnings"] = (*fields["warnings"], *login.pop("warnings", ()))
        fields.update(login)
        return EmployeeRehired(**fields)

    async def _backoffice_template(
        self, req: RehireEmployeeRequest, notes: list[str]
    ) -> str | None:
        """The Backoffice template to give the login, checked before any write: the one
        named, else the POS template's namesake if the tenant has one (else the login keeps
        its access)."""
        if req.backoffice_permission is None and req.permission is None:
            return None
        templates = (await self._catalogue.backoffice()).templates
        if req.backoffice_permission is not None:
            return P.resolve_bo_template(templates, req.backoffice_permission).name
        assert req.permission is not None
        try:
            return P.resolve_bo_template(templates, req.permission).name
        except NotFoundError:
            notes.append(
                f"no Backoffice template is named {req.permission!r}: a restored login keeps "
                "its access (give backoffice_permission to change it)"
            )
            return None

    async def _employee_id(self, req: RehireEmployeeRequest) -> int:
        if req.pos_user_id is not None:
            return (await self._roster.resolve(pos_user_id=req.pos_user_id)).employee_id
        assert req.email is not None
        # The /user/create list, then the Backoffice logins with that e-mail (an inactive
        # employee is found through the login they kept).
        return (await self._roster.resolve(email=req.email)).employee_id

    async def _login(
        self,
        req: RehireEmployeeRequest,
        employee_id: int,
        pos_user_id: int,
        linked: list[int],
        bo_template: str | None,
    ) -> dict[str, Any]:
        """Restore (or create) the employee's Backoffice login; the result's fields."""
        if not linked:
            if not req.backoffice_username:
                return {"warnings": ("no Backoffice login is linked to this employee",)}
            assert bo_template is not None
            created = await self._users.create_backoffice_user_from(
                CreateBackofficeUserRequest(
                    username=req.backoffice_username,
                    permission=bo_template,
                    password=req.backoffice_password,
                    link_to_employee_pos_user_id=pos_user_id,
                    verify=req.verify,
                )
            )
            return {
                "backoffice_login": "created",
                "backoffice_user_id": created.user_id,
                "backoffice_username": created.username,
                "backoffice_password": created.password,
                "backoffice_permission_applied": created.permission_applied,
            }
        user_id = linked[0]
        reactivated = await self._admin.reactivate(user_id, verify=req.verify)
        login: BackofficeLogin = "restored" if reactivated.was_already_active else "reactivated"
        applied: str | None = None
        sites = req.available_sites
        if sites is None and not await self._user_changes.has_sites(user_id):
            # A login without any site (e.g. created by an earlier, interrupted attempt) gets
            # the employee's: the access form refuses none (§13.4).
            employee_sites = (await self._roster.edit_page(employee_id)).available_sites
            sites = "all" if employee_sites == ALL else tuple(sorted(employee_sites))
        if bo_template is not None or sites is not None:
            changed = await self._user_changes.modify_backoffice_user_from(
                ModifyBackofficeUserRequest(
                    user_id=user_id,
                    permission=bo_template,
                    available_sites=sites,
                    verify=req.verify,
                )
            )
            applied = changed.permission_applied
        reset = await self._admin.reset_password(
            user_id, req.backoffice_password, verify=req.verify
        )
        return {
            "backoffice_login": login,
            "backoffice_user_id": user_id,
            "backoffice_username": reset.username,
            "backoffice_password": reset.password,
            "backoffice_permission_applied": applied,
        }
