"""disable_employee and modify_employee: edit, compensation and template forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from .._transport import (
    AmbiguousWriteError,
    SessionHandle,
)
from ..core import pages, sites
from ..core import payloads as P
from ..core.text import digits, norm
from ..domain import (
    ALL,
    Department,
    PosTemplate,
    SiteSelection,
    SiteTree,
)
from ..errors import (
    BackofficeError,
    FieldIssue,
    InputValidationError,
    OutcomeUnknownError,
    TransportError,
    WriteNotVerifiedError,
)
from ..models import (
    DisableEmployeeRequest,
    EmployeeDisabled,
    EmployeeModified,
    ModifyEmployeeRequest,
    default_overtime,
)
from .base import (
    PosCatalogue,
    logger,
    request_from,
    same_sites,
)
from .employees import Employees

__all__ = ["Changes"]


class Changes(Employees):
    """``disable_employee`` and ``modify_employee``: full-form updates, each verified."""

    async def disable_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
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
        target = await self._resolve(
            pos_user_id=req.pos_user_id,
            email=req.email,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
            prefer_active=True,
        )
        edit = await self._edit_page(target.employee_id)
        already = not edit.active
        if not already:
            data = edit.form.replay()
            data.remove("employee[isActive]")
            await self._post_employee_update(
                target.employee_id,
                data.pairs(),
                expect_active=False,
                verify=req.verify,
                before=edit,
            )
        logger.info(
            "employee %d %s",
            target.employee_id,
            "was already inactive" if already else "disabled",
        )
        disabled_users: list[int] = []
        warnings: list[str] = []

        def result(**extra: Any) -> EmployeeDisabled:
            fields: dict[str, Any] = {
                "employee_id": target.employee_id,
                "pos_user_id": edit.pos_user_id,
                "first_name": edit.first_name,
                "last_name": edit.last_name,
                "email": edit.email or None,
                "disabled_at": datetime.now(UTC),
                "was_already_inactive": already,
                "backoffice_user_ids_disabled": tuple(disabled_users),
                "verified": req.verify,
                "warnings": tuple(warnings),
            }
            fields.update(extra)
            return EmployeeDisabled(**fields)

        if req.disable_backoffice_user:
            try:
                for user_id in await self._linked_user_ids(target.employee_id, edit):
                    user = await self._disable_user(user_id, verify=req.verify)
                    if not user.was_already_inactive:
                        disabled_users.append(user_id)
            except BackofficeError as exc:
                # The employee step is done and must not be lost to the caller: say so, and
                # hand back what was done (like create's partial results).
                state = "was already inactive" if already else "was disabled"
                raise WriteNotVerifiedError(
                    f"employee {target.employee_id} {state}, but its linked Backoffice "
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
        return result()

    async def _post_employee_update(
        self,
        employee_id: int,
        pairs: list[tuple[str, str]],
        *,
        expect_active: bool,
        verify: bool,
        before: pages.EmployeeEditPage,
        check: Callable[[pages.EmployeeEditPage], list[tuple[str, object, object]]] | None = None,
    ) -> pages.EmployeeEditPage | None:
        """POST ``/employee/update`` and (optionally) read the edit page back.

        ``check`` returns ``(what, expected, actual)`` mismatches of the fields that should
        have changed; unchanged fields (names, sites, departments) are compared with ``before``
        unless ``check`` owns them.
        """

        def is_ok(loc: str) -> bool:
            return loc.rstrip("/") == "/employee" or loc.startswith("/employee?")

        try:
            await self._submit("/employee/update", pairs, what="employee update", ok=is_ok)
        except AmbiguousWriteError as exc:
            # Settle by reading: a full-form update is idempotent, so if the page shows it was
            # not applied, sending it once more is safe. The read goes to the POST's session,
            # whose PHP lock serves it only after the POST finished.
            after = await self._edit_page(employee_id, session=exc.session)
            if not self._update_problems(after, before, expect_active, check):
                return after
            logger.info("employee %d update answer lost and not applied; resending", employee_id)
            try:
                await self._submit("/employee/update", pairs, what="employee update", ok=is_ok)
            except AmbiguousWriteError:
                raise OutcomeUnknownError(
                    f"employee {employee_id} update: the answer was lost twice",
                    url="/employee/update",
                ) from exc
        if not verify:
            return None
        after = await self._edit_page(employee_id)
        problems = self._update_problems(after, before, expect_active, check)
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

    @staticmethod
    def _update_problems(
        after: pages.EmployeeEditPage,
        before: pages.EmployeeEditPage,
        expect_active: bool,
        check: Callable[[pages.EmployeeEditPage], list[tuple[str, object, object]]] | None,
    ) -> list[tuple[str, object, object]]:
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

    async def modify_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        new_first_name: str | None = None,
        new_last_name: str | None = None,
        new_phone: str | None = None,
        new_email: str | None = None,
        departments: Iterable[int | str] | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        wage_rate: Decimal | float | int | str | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        wage_effective_date: date | datetime | None = None,
        wage_site: int | str | None = None,
        permission: str | None = None,
        activate: bool | None = None,
        verify: bool = True,
    ) -> EmployeeModified:
        """Change an employee; only the forms a change touches are submitted, each verified.

        Properties (names, phone, e-mail, departments, sites, emergency contact, ADP id,
        ``activate``) go through the edit form; a wage change adds a wage record (effective
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
            new_first_name: New first name.
            new_last_name: New last name.
            new_phone: New phone.
            new_email: New e-mail.
            departments: Replace the departments.
            available_sites: Replace the available sites.
            adp_employee_id: New ADP id (``""`` clears it).
            emergency_contact_name: New value (``""`` clears it).
            emergency_contact_phone: New value (``""`` clears it).
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
            create_page = await self._employee_create_page()
            tree = create_page.tree
            if req.available_sites is not None:
                selection = sites.resolve(tree, req.available_sites)
            if req.departments is not None:
                deps = P.resolve_departments(create_page.departments, req.departments)
        template: PosTemplate | None = None
        catalogue: PosCatalogue | None = None
        if req.permission is not None:
            catalogue = await self._pos_catalogue()
            template = P.resolve_pos_template(catalogue.templates, req.permission)

        target = await self._resolve(
            pos_user_id=req.pos_user_id,
            email=req.email,
            first_name=req.first_name,
            last_name=req.last_name,
            phone=req.phone,
        )
        employee_id = target.employee_id
        applied: list[str] = []
        warnings: list[str] = []
        comp_page: pages.CompensationPage | None = None
        if req.changes_compensation:
            # Read before any write: a salaried employee is refused before properties change.
            comp_page = await self._compensation_page(employee_id)
            self._refuse_salaried(comp_page)

        def partial_error(exc: BackofficeError, what: str) -> WriteNotVerifiedError:
            return WriteNotVerifiedError(
                f"employee {employee_id}: {what} failed after {applied or 'nothing'} "
                f"was applied: {exc}",
                what=what,
                partial=EmployeeModified(
                    employee_id=employee_id,
                    pos_user_id=target.pos_user_id,
                    changes_applied=tuple(applied),
                    verified=False,
                    warnings=tuple(warnings),
                ),
            )

        # ---- properties
        if req.changes_properties:
            try:
                await self._modify_properties(employee_id, req, tree, selection, deps)
            except (WriteNotVerifiedError, OutcomeUnknownError):
                raise
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "properties") from exc
                raise
            if req.activate is True:
                applied.append("activated")
            elif req.activate is False:
                applied.append("deactivated")
            if req.changes_property_fields:
                applied.insert(0, "properties")

        # ---- compensation
        wage: tuple[Decimal, Decimal | None, date] | None = None
        if req.changes_compensation:
            try:
                # After a properties change the page is read again (its wage sites follow the
                # employee's available sites, §9.1).
                wage = await self._modify_compensation(
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
                await self._apply_pos_template(employee_id, template, catalogue, verify=req.verify)
            except BackofficeError as exc:
                if applied:
                    raise partial_error(exc, "permission") from exc
                raise
            applied.append("permission")

        logger.info("employee %d modified: %s", employee_id, ", ".join(applied))
        return EmployeeModified(
            employee_id=employee_id,
            pos_user_id=target.pos_user_id,
            changes_applied=tuple(applied),
            permission_applied=template.name if template is not None else None,
            wage_rate=wage[0] if wage else None,
            overtime_wage_rate=wage[1] if wage else None,
            wage_effective_date=wage[2] if wage else None,
            verified=req.verify,
            warnings=tuple(warnings),
        )

    async def _modify_properties(
        self,
        employee_id: int,
        req: ModifyEmployeeRequest,
        tree: SiteTree | None,
        selection: SiteSelection | None,
        deps: tuple[Department, ...] | None,
    ) -> None:
        before = await self._edit_page(employee_id)
        data = before.form.replay()
        scalar = {
            "employee[firstName]": req.new_first_name,
            "employee[lastName]": req.new_last_name,
            "employee[phone]": req.new_phone,
            "employee[email]": req.new_email,
            "employee[adpEmployeeId]": req.adp_employee_id,
            "employee[emergencyContactName]": req.emergency_contact_name,
            "employee[emergencyContactPhone]": req.emergency_contact_phone,
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
        expect_active = before.active if req.activate is None else req.activate
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
            if tree is not None and not same_sites(tree, after.available_sites, want_sites):
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
            return problems

        await self._post_employee_update(
            employee_id,
            pairs,
            expect_active=expect_active,
            verify=req.verify,
            before=before,
            check=check,
        )

    async def _compensation_page(self, employee_id: int) -> pages.CompensationPage:
        resp = await self._page(f"/employee/compensation/{employee_id}", what="compensation page")
        return pages.parse_compensation(resp.text)

    @staticmethod
    def _refuse_salaried(page: pages.CompensationPage) -> None:
        current = next((w for w in page.history if w.is_current), None)
        if current is not None and norm(current.wage_type) == "salary":
            # The wage form written here is the hourly one (``wage[isHourly]=1``); writing it
            # would silently turn a salaried employee hourly (§9.1), so refuse before writing.
            raise InputValidationError(
                [
                    FieldIssue(
                        "wage_rate",
                        "the employee is salaried; this client only writes hourly wages "
                        "(change salaried compensation in Backoffice)",
                    )
                ]
            )

    async def _modify_compensation(
        self,
        employee_id: int,
        req: ModifyEmployeeRequest,
        warnings: list[str],
        page: pages.CompensationPage | None = None,
    ) -> tuple[Decimal, Decimal | None, date]:
        if page is None:
            page = await self._compensation_page(employee_id)
            self._refuse_salaried(page)
        current = next((w for w in page.history if w.is_current), None)
        latest = max((w.effective_date for w in page.history if w.effective_date), default=None)
        rate = req.wage_rate
        if rate is None:
            if current is None:
                raise InputValidationError(
                    [FieldIssue("wage_rate", "the employee has no current wage; give wage_rate")]
                )
            rate = current.rate
        eligible = current.overtime_eligible if current is not None else True
        overtime: Decimal | None = None
        if req.overtime_wage_rate is not None:
            overtime, eligible = req.overtime_wage_rate, True
        elif eligible:
            overtime = default_overtime(rate)
        today = date.today()
        wanted = req.wage_effective_date or today
        earliest = page.min_effective_date or (latest + timedelta(days=1) if latest else None)
        effective = wanted
        if earliest is not None and effective < earliest:
            effective = earliest
            if req.wage_effective_date is not None:
                warnings.append(
                    f"wage effective date {wanted:%m/%d/%Y} moved to {effective:%m/%d/%Y}: a new "
                    "wage must start after the latest one"
                )
        site_id: int | None = None
        if req.wage_site is not None:
            tree = await self.get_site_tree()
            chosen = sites.resolve(tree, [req.wage_site])
            assert chosen != ALL
            site_id = next(iter(chosen))
            if page.wage_site_ids and site_id not in page.wage_site_ids:
                raise InputValidationError(
                    [FieldIssue("wage_site", "must be one of the employee's available sites")]
                )
        elif page.wage_site_ids:
            site_id = page.wage_site_ids[0]
        data = page.form.replay()
        for name, value in (
            ("wage[effectiveDate]", P.fmt_date(effective)),
            ("wage[isHourly]", "1"),
            ("wage[regularRate]", P.fmt_money(rate)),
        ):
            if name in data:
                data.set(name, value)
            else:
                data.append(name, value)
        data.remove("wage[overtimeRate]")
        data.remove("wage[isOvertimeEligible]")
        data.remove("wage[siteId]")
        pairs = data.pairs()
        if eligible and overtime is not None:
            pairs += [
                ("wage[isOvertimeEligible]", "1"),
                ("wage[overtimeRate]", P.fmt_money(overtime)),
            ]
        if site_id is not None:
            pairs.append(("wage[siteId]", str(site_id)))

        want_overtime = overtime if eligible and overtime is not None else None

        async def stored(session: SessionHandle | None = None) -> bool:
            back = await self._page(
                f"/employee/compensation/{employee_id}", session=session, what="compensation page"
            )
            history = pages.parse_compensation(back.text).history
            return any(
                w.is_current
                and w.effective_date == effective
                and w.rate == rate
                and w.overtime_eligible == (want_overtime is not None)
                and w.overtime_rate == want_overtime
                for w in history
            )

        # Success lands back on this employee's compensation page; anything else (another
        # employee's page, the roster for an unknown id) is not a stored record.
        back_to = f"/employee/compensation/{employee_id}"
        try:
            await self._submit(
                "/employee/compensation/update",
                pairs,
                what="compensation update",
                ok=lambda loc: loc.split("?", 1)[0].rstrip("/") == back_to,
            )
        except AmbiguousWriteError as exc:
            if not await stored(exc.session):
                raise TransportError(
                    f"employee {employee_id}: the wage record was not stored (connection lost); "
                    "it is safe to try again",
                    url="/employee/compensation/update",
                    method="POST",
                ) from exc
            return rate, overtime, effective
        if req.verify and not await stored():
            raise WriteNotVerifiedError(
                f"employee {employee_id}: no current wage record of {rate} from "
                f"{effective:%m/%d/%Y} after the update (the server silently drops records that "
                "do not start after the latest one, §9.3)",
                what="compensation",
                expected=str(rate),
            )
        return rate, overtime, effective
