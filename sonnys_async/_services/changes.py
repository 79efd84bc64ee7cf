"""modify_employee: only the forms a change touches are submitted (edit, wage, POS), each
verified."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from .. import _constants as C
from ..core import pages, sites
from ..core import payloads as P
from ..core.text import digits, norm
from ..domain import Department, PosTemplate, SiteSelection, SiteTree
from ..errors import BackofficeError, OutcomeUnknownError, WriteNotVerifiedError
from ..models import EmployeeModified, ModifyEmployeeRequest
from .catalogue import Catalogue, PosCatalogue
from .compensation import Compensation
from .contacts import ContactIndex
from .employee_form import EmployeeForm
from .inputs import request_from
from .pos_access import PosAccess
from .roster import Roster

__all__ = ["Changes"]

logger = logging.getLogger(C.LOGGER_NAME)


class Changes:
    """Changes to an existing employee: properties, wage, POS template, (re)activation.

    Args:
        catalogue: Sites, departments and templates named by a change.
        roster: The lookup and the edit page.
        contacts: The index of taken e-mails and phones (told about new ones).
        form: The employee update form.
        compensation: The wage form.
        pos: The POS permissions form.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        roster: Roster,
        contacts: ContactIndex,
        form: EmployeeForm,
        compensation: Compensation,
        pos: PosAccess,
    ) -> None:
        self._catalogue = catalogue
        self._roster = roster
        self._contacts = contacts
        self._form = form
        self._compensation = compensation
        self._pos = pos

    async def modify_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        employee_id: int | None = None,
        new_first_name: str | None = None,
        new_last_name: str | None = None,
        new_phone: str | None = None,
        new_email: str | None = None,
        departments: Iterable[int | str] | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        pos_pin: int | None = None,
        start_date: date | datetime | None = None,
        wage_rate: Decimal | float | int | str | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        wage_effective_date: date | datetime | None = None,
        wage_site: int | str | None = None,
        permission: str | None = None,
        activate: bool | None = None,
        verify: bool = True,
    ) -> EmployeeModified:
        """Change an employee; only the forms a change touches are submitted, each verified.

        Properties (names, phone, e-mail, departments, sites, emergency contact, ADP id, POS
        PIN, start date, ``activate``) go through the edit form, which is submitted only when
        one of them differs from what the employee has (``changes_applied`` lists only real
        changes: ``activate=True`` on an active employee is a warning, not "activated"); a
        wage change adds a wage record (effective
        ``wage_effective_date``, default today, clamped up to the day after the latest record
        with a warning, §9.1); ``permission`` applies a POS template's full matrix.
        ``overtime_wage_rate`` alone adds a record keeping the current regular rate (the
        reference silently did nothing). Wages written are hourly (``wage[isHourly]=1``): an
        employee whose current record is ``Salary`` is refused with
        :class:`InputValidationError` before anything is written, rather than silently turned
        hourly. A wage record is verified by reading the history back (date, rate, overtime
        eligibility and rate, current): the server silently drops a record that does not start
        after the latest one (§9.3), which then raises :class:`WriteNotVerifiedError`. The
        reference's ``new_email`` is kept; use
        ``new_first_name`` / ``new_last_name`` / ``new_phone`` to change those, because
        ``first_name`` / ``last_name`` / ``phone`` identify the employee.

        Args:
            pos_user_id: Lookup key.
            email: Lookup key.
            first_name: Lookup by name (with ``last_name``; ``phone`` breaks ties).
            last_name: See ``first_name``.
            phone: Tiebreak of a name lookup.
            employee_id: The server's employee id (as a result recorded it): no lookup.
            new_first_name: New first name.
            new_last_name: New last name.
            new_phone: New phone.
            new_email: New e-mail.
            departments: Replace the departments.
            available_sites: Replace the available sites.
            adp_employee_id: New ADP id (``""`` clears it).
            emergency_contact_name: New value (``""`` clears it).
            emergency_contact_phone: New value (``""`` clears it).
            pos_pin: New five-digit POS PIN.
            start_date: New start date.
            wage_rate: New hourly rate.
            overtime_wage_rate: New overtime rate (default 1.5 x rate when eligible).
            wage_effective_date: When the new wage starts.
            wage_site: Labour site of the new wage (an available site).
            permission: POS template name.
            activate: ``True`` reactivates, ``False`` deactivates.
            verify: Read each change back.

        Returns:
            Which parts were applied, and warnings.

        Raises:
            NotFoundError: Unknown employee, template, site or department (before any write).
            InputValidationError: A wage change for a salaried employee (before any write).
            FormRejectedError / DuplicateError: The server refused a form.
            WriteNotVerifiedError: A change did not read back; ``partial`` lists applied parts.
        """
        return await self.modify_employee_from(request_from(ModifyEmployeeRequest, locals()))

    async def modify_employee_from(self, request: ModifyEmployeeRequest) -> EmployeeModified:
        """:meth:`modify_employee` taking a validated :class:`ModifyEmployeeRequest`."""
        req = request
        # ---- resolve names before any write
        tree: SiteTree | None = None
        selection: SiteSelection | None = None
        deps: tuple[Department, ...] | None = None
        if req.available_sites is not None or req.departments is not None or req.wage_site:
            create_page = await self._catalogue.employee_create_page()
            tree = create_page.tree
            if req.available_sites is not None:
                selection = sites.resolve(tree, req.available_sites)
            if req.departments is not None:
                deps = P.resolve_departments(create_page.departments, req.departments)
        template: PosTemplate | None = None
        catalogue: PosCatalogue | None = None
        if req.permission is not None:
            catalogue = await self._catalogue.pos()
            template = P.resolve_pos_template(catalogue.templates, req.permission)

        if req.employee_id is not None:
            employee_id = req.employee_id
            pos_user_id = (await self._roster.edit_page(employee_id)).pos_user_id
        else:
            target = await self._roster.resolve(
                pos_user_id=req.pos_user_id,
                email=req.email,
                first_name=req.first_name,
                last_name=req.last_name,
                phone=req.phone,
            )
            employee_id, pos_user_id = target.employee_id, target.pos_user_id
        applied: list[str] = []
        warnings: list[str] = []
        comp_page: pages.CompensationPage | None = None
        if req.changes_compensation:
            # Read before any write: a salaried employee is refused before properties change.
            comp_page = await self._compensation.page(employee_id)
            self._compensation.refuse_salaried(comp_page)

        def partial_error(exc: BackofficeError, what: str) -> WriteNotVerifiedError:
            return WriteNotVerifiedError(
                f"employee {employee_id}: {what} failed after {applied or 'nothing'} "
                f"was applied: {exc}",
                what=what,
                partial=EmployeeModified(
                    employee_id=employee_id,
                    pos_user_id=pos_user_id,
                    changes_applied=tuple(applied),
                    verified=False,
                    warnings=tuple(warnings),
                ),
            )

        # ---- properties
        if req.changes_properties:
            try:
                changed, status = await self._properties(
                    employee_id, req, tree, selection, deps, warnings
                )
            except (WriteNotVerifiedError, OutcomeUnknownError):
                raise
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "properties") from exc
                raise
            if changed:
                applied.append("properties")
            if status is not None:
                applied.append(status)

        # ---- compensation
        wage: tuple[Decimal, Decimal | None, date] | None = None
        if req.changes_compensation:
            try:
                # After a properties change the page is read again (its wage sites follow the
                # employee's available sites, §9.1).
                wage = await self._compensation.add_wage(
                    employee_id,
                    req,
                    warnings,
                    None if req.changes_properties else comp_page,
                )
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "compensation") from exc
                raise
            applied.append("compensation")

        # ---- POS template
        if template is not None and catalogue is not None:
            try:
                await self._pos.apply(employee_id, template, catalogue, verify=req.verify)
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "permission") from exc
                raise
            applied.append("permission")

        logger.info("employee %d modified: %s", employee_id, ", ".join(applied))
        return EmployeeModified(
            employee_id=employee_id,
            pos_user_id=pos_user_id,
            changes_applied=tuple(applied),
            permission_applied=template.name if template is not None else None,
            wage_rate=wage[0] if wage else None,
            overtime_wage_rate=wage[1] if wage else None,
            wage_effective_date=wage[2] if wage else None,
            verified=req.verify,
            warnings=tuple(warnings),
        )

    async def _properties(
        self,
        employee_id: int,
        req: ModifyEmployeeRequest,
        tree: SiteTree | None,
        selection: SiteSelection | None,
        deps: tuple[Department, ...] | None,
        warnings: list[str],
    ) -> tuple[list[str], str | None]:
        """Submit the edit form if a requested property differs from the stored one.

        Returns:
            The fields that changed, and ``"activated"`` / ``"deactivated"`` when the status
            changed (``None`` otherwise).
        """
        before = await self._roster.edit_page(employee_id)
        changed = _changed_properties(req, before, tree, selection, deps)
        expect_active = before.active if req.activate is None else req.activate
        status: str | None = None
        if expect_active != before.active:
            status = "activated" if expect_active else "deactivated"
        elif req.activate is not None:
            warnings.append(f"employee is already {'active' if before.active else 'inactive'}")
        if not changed and status is None:
            if req.changes_property_fields:
                warnings.append("the requested properties are already stored; nothing was sent")
            return [], None
        data = before.form.replay()
        scalar = {
            "employee[firstName]": req.new_first_name,
            "employee[lastName]": req.new_last_name,
            "employee[phone]": req.new_phone,
            "employee[email]": req.new_email,
            "employee[adpEmployeeId]": req.adp_employee_id,
            "employee[emergencyContactName]": req.emergency_contact_name,
            "employee[emergencyContactPhone]": req.emergency_contact_phone,
            "posCredential[POSLoginPassword]": (
                str(req.pos_pin) if req.pos_pin is not None else None
            ),
            "employee[startDate]": (
                P.fmt_date(req.start_date) if req.start_date is not None else None
            ),
        }
        for name, value in scalar.items():
            if value is not None:
                if name in data:
                    data.set(name, value)
                else:
                    data.append(name, value)
        if deps is not None:
            data.remove("employee[departments][]")
            for d in deps:
                data.append("employee[departments][]", str(d.id))
        pairs = data.pairs()
        if selection is not None and tree is not None:
            # Re-emit the whole site tree per §5.4 rather than toggling replayed keys.
            pairs = sites.strip_site_pairs(pairs)
            pairs += sites.employee_site_pairs(tree, selection)
        pairs = [(k, v) for k, v in pairs if k != "employee[isActive]"]
        if expect_active:
            pairs.append(("employee[isActive]", "1"))

        def check(after: pages.EmployeeEditPage) -> list[tuple[str, object, object]]:
            problems: list[tuple[str, object, object]] = []
            want_first = req.new_first_name or before.first_name
            want_last = req.new_last_name or before.last_name
            if (norm(after.first_name), norm(after.last_name)) != (
                norm(want_first),
                norm(want_last),
            ):
                problems.append(
                    ("name", f"{want_first} {want_last}", f"{after.first_name} {after.last_name}")
                )
            if req.new_email is not None and norm(after.email) != norm(req.new_email):
                problems.append(("email", req.new_email, after.email))
            if req.new_phone is not None and digits(after.phone)[-10:] != req.new_phone:
                problems.append(("phone", req.new_phone, after.phone))
            want_sites = selection if selection is not None else before.available_sites
            if tree is not None and not sites.same_selection(
                tree, after.available_sites, want_sites
            ):
                problems.append(("sites", want_sites, after.available_sites))
            elif tree is None and after.available_sites != before.available_sites:
                problems.append(("sites", before.available_sites, after.available_sites))
            want_deps = {d.id for d in deps} if deps is not None else set(before.department_ids)
            if set(after.department_ids) != want_deps:
                problems.append(("departments", sorted(want_deps), list(after.department_ids)))
            for field, value, got in (
                ("adp_employee_id", req.adp_employee_id, after.adp_employee_id),
                (
                    "emergency_contact_name",
                    req.emergency_contact_name,
                    after.emergency_contact_name,
                ),
            ):
                if value is not None and (got or "") != value:
                    problems.append((field, value, got))
            if req.pos_pin is not None and after.pos_pin != req.pos_pin:
                problems.append(("pos_pin", "the new PIN", "another PIN"))  # never the values
            if req.start_date is not None and after.start_date != req.start_date:
                problems.append(("start_date", req.start_date, after.start_date))
            return problems

        await self._form.update(
            employee_id,
            pairs,
            expect_active=expect_active,
            verify=req.verify,
            before=before,
            check=check,
        )
        self._contacts.note_employee(
            employee_id, pos_user_id=None, phone=req.new_phone, email=req.new_email
        )
        return changed, status


def _changed_properties(
    req: ModifyEmployeeRequest,
    before: pages.EmployeeEditPage,
    tree: SiteTree | None,
    selection: SiteSelection | None,
    deps: tuple[Department, ...] | None,
) -> list[str]:
    """The requested properties whose value differs from the stored one."""
    changed: list[str] = []

    def differs(name: str, want: object, have: object) -> None:
        if want is not None and want != have:
            changed.append(name)

    differs("new_first_name", norm(req.new_first_name) or None, norm(before.first_name))
    differs("new_last_name", norm(req.new_last_name) or None, norm(before.last_name))
    differs("new_phone", req.new_phone, digits(before.phone)[-10:])
    differs("new_email", norm(req.new_email) or None, norm(before.email))
    differs("adp_employee_id", req.adp_employee_id, before.adp_employee_id or "")
    differs(
        "emergency_contact_name", req.emergency_contact_name, before.emergency_contact_name or ""
    )
    differs(
        "emergency_contact_phone",
        req.emergency_contact_phone,
        digits(before.emergency_contact_phone)[-10:],
    )
    differs("pos_pin", req.pos_pin, before.pos_pin)
    differs("start_date", req.start_date, before.start_date)
    if deps is not None and {d.id for d in deps} != set(before.department_ids):
        changed.append("departments")
    if (
        selection is not None
        and tree is not None
        and not sites.same_selection(tree, selection, before.available_sites)
    ):
        changed.append("available_sites")
    return changed
