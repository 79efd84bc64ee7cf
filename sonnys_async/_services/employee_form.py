"""The employee edit form (``/employee/update``): post a whole form, settle it, verify it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .. import _constants as C
from .._transport import AmbiguousWriteError
from ..core import pages
from ..errors import OutcomeUnknownError, WriteNotVerifiedError
from .gateway import Gateway, reading_back, settling
from .roster import Roster

__all__ = ["Check", "EmployeeForm"]

logger = logging.getLogger(C.LOGGER_NAME)

#: ``(what, expected, actual)`` mismatches of the fields a change should have set.
Check = Callable[[pages.EmployeeEditPage], list[tuple[str, object, object]]]


def _back_on_roster(location: str) -> bool:
    return location.rstrip("/") == "/employee" or location.startswith("/employee?")


def update_problems(
    after: pages.EmployeeEditPage,
    before: pages.EmployeeEditPage,
    expect_active: bool,
    check: Check | None,
) -> list[tuple[str, object, object]]:
    """What ``after`` shows differently from what the update should have left.

    ``check`` owns the fields a change touched; without it names, sites and departments must
    equal ``before``'s.
    """
    problems: list[tuple[str, object, object]] = []
    if after.active != expect_active:
        problems.append(
            (
                "status",
                "active" if expect_active else "inactive",
                "active" if after.active else "inactive",
            )
        )
    if check is not None:
        problems += check(after)
        return problems
    if (after.first_name, after.last_name) != (before.first_name, before.last_name):
        problems.append(("name", before.first_name, after.first_name))
    if after.available_sites != before.available_sites:
        problems.append(("sites", before.available_sites, after.available_sites))
    if set(after.department_ids) != set(before.department_ids):
        problems.append(("departments", before.department_ids, after.department_ids))
    return problems


class EmployeeForm:
    """Full-form employee updates (§8): every field re-posted, so resending is idempotent.

    Args:
        gateway: Form submits.
        roster: The edit page, read to settle and to verify.
    """

    def __init__(self, gateway: Gateway, roster: Roster) -> None:
        self._gateway = gateway
        self._roster = roster

    async def update(
        self,
        employee_id: int,
        pairs: list[tuple[str, str]],
        *,
        expect_active: bool,
        verify: bool,
        before: pages.EmployeeEditPage,
        check: Check | None = None,
    ) -> pages.EmployeeEditPage | None:
        """POST ``/employee/update`` and (optionally) read the edit page back.

        Returns:
            The edit page read back (``None`` without ``verify``).

        Raises:
            OutcomeUnknownError: The answer was lost twice, or was lost and the page could not
                be read to settle it.
            WriteNotVerifiedError: The page reads back otherwise (the first mismatch named), or
                could not be read back (``what="read_back"``).
        """
        try:
            await self._gateway.submit(
                "/employee/update", pairs, what="employee update", ok=_back_on_roster
            )
        except AmbiguousWriteError as exc:
            # Settle by reading: a full-form update is idempotent, so if the page shows it was
            # not applied, sending it once more is safe. The read goes to the POST's session,
            # whose PHP lock serves it only after the POST finished.
            with settling(
                f"employee {employee_id} update",
                url="/employee/update",
                partial={"employee_id": employee_id},
            ):
                after = await self._roster.edit_page(employee_id, session=exc.session)
            if not update_problems(after, before, expect_active, check):
                return after
            logger.info("employee %d update answer lost and not applied; resending", employee_id)
            try:
                await self._gateway.submit(
                    "/employee/update", pairs, what="employee update", ok=_back_on_roster
                )
            except AmbiguousWriteError:
                raise OutcomeUnknownError(
                    f"employee {employee_id} update: the answer was lost twice",
                    url="/employee/update",
                    partial={"employee_id": employee_id},
                ) from exc
        if not verify:
            return None
        subject = f"employee {employee_id} update"
        with reading_back(subject, what="read_back", partial={"employee_id": employee_id}):
            after = await self._roster.edit_page(employee_id)
        problems = update_problems(after, before, expect_active, check)
        if problems:
            what, expected, actual = problems[0]
            raise WriteNotVerifiedError(
                f"employee {employee_id}: {what} reads back as {actual!r}, expected {expected!r}",
                what=what,
                expected=expected,
                actual=actual,
                partial={"employee_id": employee_id},
            )
        return after
