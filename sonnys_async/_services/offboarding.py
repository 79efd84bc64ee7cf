"""disable_employee: the whole edit form re-posted without ``employee[isActive]`` (§8.2)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from .. import _constants as C
from ..errors import BackofficeError, WriteNotVerifiedError
from ..models import DisableEmployeeRequest, EmployeeDisabled
from .employee_form import EmployeeForm
from .inputs import request_from
from .roster import Roster
from .users import BackofficeUsers

__all__ = ["Offboarding"]

logger = logging.getLogger(C.LOGGER_NAME)


class Offboarding:
    """Leavers: deactivate the employee, and optionally their linked Backoffice logins.

    Args:
        roster: The lookup and the edit page.
        form: The employee update form.
        users: Linked Backoffice users and their deactivation.
    """

    def __init__(self, roster: Roster, form: EmployeeForm, users: BackofficeUsers) -> None:
        self._roster = roster
        self._form = form
        self._users = users

    async def disable_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        employee_id: int | None = None,
        disable_backoffice_user: bool = False,
        verify: bool = True,
    ) -> EmployeeDisabled:
        """Deactivate an employee: the whole edit form re-posted without ``employee[isActive]``.

        The employee keeps its sites, POS credentials and history (§8.2); its POS User ID stays
        reserved. Disabling an employee who is already inactive sends nothing and returns
        ``was_already_inactive=True``. By POS User ID this costs 4 requests (lookup, edit form,
        update, read-back).

        ``disable_backoffice_user=True`` also deactivates the Backoffice login linked to the
        employee by re-posting its edit form with ``user[isDeleted]`` checked. That this flag
        means "deactivated, cannot log in" is **inferred** from the form's label ("User is
        active? No", protocol §14); it was never exercised on a real tenant.

        Args:
            pos_user_id: Look up by POS User ID (cheapest).
            email: Look up by e-mail (via ``/user/create``'s employee list).
            first_name: Look up by name (with ``last_name``; ``phone`` breaks ties; an active
                match is preferred over inactive namesakes).
            last_name: See ``first_name``.
            phone: Tiebreak for a name lookup.
            employee_id: The server's employee id (as a result recorded it): no lookup.
            disable_backoffice_user: Also deactivate the linked Backoffice user(s).
            verify: Read back the edit page (default).

        Returns:
            The employee, when, and any Backoffice users deactivated.

        Raises:
            NotFoundError / AmbiguousMatchError: The lookup did not find exactly one employee.
            FormRejectedError: The server refused the update.
            WriteNotVerifiedError: The employee still reads as active (or other fields moved);
                or, with ``disable_backoffice_user``, the employee was disabled but a linked
                Backoffice user could not be found or deactivated (``what="backoffice_user"``,
                ``partial`` an :class:`EmployeeDisabled` of the employee step).
        """
        return await self.disable_employee_from(request_from(DisableEmployeeRequest, locals()))

    async def disable_employee_from(self, request: DisableEmployeeRequest) -> EmployeeDisabled:
        """:meth:`disable_employee` taking a validated :class:`DisableEmployeeRequest`."""
        req = request
        if req.employee_id is not None:
            employee_id = req.employee_id
        else:
            target = await self._roster.resolve(
                pos_user_id=req.pos_user_id,
                email=req.email,
                first_name=req.first_name,
                last_name=req.last_name,
                phone=req.phone,
                prefer_active=True,
            )
            employee_id = target.employee_id
        edit = await self._roster.edit_page(employee_id)
        already = not edit.active
        disabled_users: list[int] = []
        warnings: list[str] = []
        unverified: WriteNotVerifiedError | None = None
        if not already:
            data = edit.form.replay()
            data.remove("employee[isActive]")
            try:
                await self._form.update(
                    employee_id,
                    data.pairs(),
                    expect_active=False,
                    verify=req.verify,
                    before=edit,
                )
            except WriteNotVerifiedError as exc:
                if exc.what != "read_back":
                    raise  # read back, and not inactive: not done
                # Accepted, but the read-back failed: applied, not proven. The Backoffice-login
                # step still runs, and the result says what each step did.
                unverified = exc
                warnings.append(f"employee disable accepted, read-back failed: {exc}")
        logger.info(
            "employee %d %s",
            employee_id,
            "was already inactive" if already else "disabled",
        )

        def result(**extra: Any) -> EmployeeDisabled:
            fields: dict[str, Any] = {
                "employee_id": employee_id,
                "pos_user_id": edit.pos_user_id,
                "first_name": edit.first_name,
                "last_name": edit.last_name,
                "email": edit.email or None,
                "disabled_at": datetime.now(UTC),
                "was_already_inactive": already,
                "backoffice_user_ids_disabled": tuple(disabled_users),
                "verified": req.verify and unverified is None,
                "warnings": tuple(warnings),
            }
            fields.update(extra)
            return EmployeeDisabled(**fields)

        state = "was already inactive" if already else "was disabled"
        if req.disable_backoffice_user:
            try:
                for user_id in await self._users.linked_user_ids(employee_id, edit):
                    user = await self._users.disable(user_id, verify=req.verify)
                    if not user.was_already_inactive:
                        disabled_users.append(user_id)
            except BackofficeError as exc:
                # The employee step is done and must not be lost to the caller: say so, and
                # hand back what was done (like create's partial results).
                raise WriteNotVerifiedError(
                    f"employee {employee_id} {state}, but its linked Backoffice "
                    f"user(s) could not be deactivated: {exc}",
                    what="backoffice_user",
                    expected="inactive",
                    partial=result(
                        verified=False,
                        warnings=(
                            *warnings,
                            f"employee {state}; Backoffice user step failed: {exc}",
                        ),
                    ),
                ) from exc
            if not disabled_users:
                warnings.append("no active Backoffice user linked to this employee was found")
        if unverified is not None:
            raise WriteNotVerifiedError(
                f"employee {employee_id} {state} (the server accepted the update), but "
                f"reading it back failed: {unverified}",
                what="read_back",
                expected="inactive",
                partial=result(verified=False),
            ) from unverified
        return result()
