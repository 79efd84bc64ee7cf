"""create_employee: plan, pre-flight, insert, POS template, read-back, linked Backoffice user."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from .. import _constants as C
from .._secrets import generate_backoffice_password
from .._transport import AmbiguousWriteError
from ..core import payloads as P
from ..errors import (
    BackofficeError,
    DuplicateError,
    FormRejectedError,
    InputValidationError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..models import CreateEmployeeRequest, EmployeeCreated
from .bo_access import BackofficeAccess
from .catalogue import Catalogue
from .contacts import ContactIndex
from .gateway import Gateway, reading_back, settling, trailing_id
from .hire_plan import CreatePlan, HirePlanner
from .hire_verify import verify_created
from .inputs import request_from
from .pos_access import PosAccess
from .roster import Roster, same_name
from .users import BackofficeUsers

__all__ = ["Hiring"]

logger = logging.getLogger(C.LOGGER_NAME)


class Hiring:
    """New employees: :meth:`create_employee`, and finishing a create a run left half-done.

    Args:
        gateway: Page reads and form submits.
        catalogue: Tenant data (the POS catalogue is remembered after a first hire).
        planner: Resolves a request's names before any write.
        roster: Pre-flight and read-back lookups.
        contacts: Taken e-mails and phones (pre-flight; told about each new hire).
        pos: The POS permissions form.
        users: The linked Backoffice user.
        access: The Backoffice user's access (a resumed create makes it whole).
    """

    def __init__(
        self,
        gateway: Gateway,
        catalogue: Catalogue,
        planner: HirePlanner,
        roster: Roster,
        contacts: ContactIndex,
        pos: PosAccess,
        users: BackofficeUsers,
        access: BackofficeAccess,
    ) -> None:
        self._gateway = gateway
        self._catalogue = catalogue
        self._planner = planner
        self._roster = roster
        self._contacts = contacts
        self._pos = pos
        self._users = users
        self._access = access

    async def create_employee(
        self,
        *,
        first_name: str,
        last_name: str,
        phone: str,
        email: str,
        pos_user_id: int,
        wage_rate: Decimal | float | int | str,
        start_date: date | datetime,
        available_sites: Iterable[int | str] | Literal["all"] | str,
        permission: str,
        pos_pin: int | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        departments: Iterable[int | str] | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        requires_backoffice: bool = False,
        backoffice_username: str | None = None,
        backoffice_password: str | None = None,
        backoffice_permission: str | None = None,
        wage_site: int | str | None = None,
        verify: bool = True,
    ) -> EmployeeCreated:
        """Create an employee with POS access, optionally with a linked Backoffice login.

        Steps: resolve sites, departments, wage site and template(s) from the cache (an unknown
        name raises before anything is written); one targeted pre-flight search for the POS
        User ID; ``POST /employee/insert`` (new id from ``Location``); the template's full
        permission matrix; one read-back of the roster row (sites, departments, Access).
        With a warm cache that is 4 requests. With ``requires_backoffice`` the username is
        checked before any write, then the user is created, given its template and the
        employee's sites, and verified.

        ``departments`` defaults to ``["Greeter"]`` when omitted (the reference's default,
        kept for migrated scripts); an explicit list is used as given (the reference silently
        appended Greeter). Wages are hourly and overtime-eligible; overtime defaults to 1.5x
        the rate (cents rounded half-up); ``wage_site`` defaults to the first requested site.

        Args:
            first_name: 1-64 characters.
            last_name: 1-64 characters.
            phone: Any formatting; 10 digits.
            email: Unique among employees and Backoffice users.
            pos_user_id: Unique POS User ID (>= 1).
            wage_rate: Hourly rate.
            start_date: First day (a datetime's date part is used).
            available_sites: ``"all"`` or site ids, long names or short codes.
            permission: POS template name (case-insensitive).
            pos_pin: 5-digit PIN; generated with :mod:`secrets` when omitted.
            overtime_wage_rate: Defaults to 1.5 x ``wage_rate``.
            departments: Names or ids (case-insensitive).
            adp_employee_id: Optional ADP id.
            emergency_contact_name: Optional.
            emergency_contact_phone: Optional; 10 digits.
            requires_backoffice: Also create a linked Backoffice user.
            backoffice_username: Required with ``requires_backoffice``.
            backoffice_password: Generated (12 letters+digits) when omitted.
            backoffice_permission: Backoffice template; defaults to ``permission``'s name.
            wage_site: Site whose labour the wage is booked to; must be an available site.
            verify: Read the result back (default). ``False`` trusts the redirects.

        Returns:
            Ids, PIN, applied template, sites, departments, and the BO credentials if any.

        Raises:
            InputValidationError: Bad input (before any request).
            NotFoundError: Unknown site, department or template (before any write).
            DuplicateError: POS User ID, e-mail, phone or username taken.
            FormRejectedError: The server refused the insert (its messages attached).
            WriteNotVerifiedError: A step after the insert failed or did not read back;
                ``partial`` is an :class:`EmployeeCreated` with what exists.
            OutcomeUnknownError: The insert's answer was lost and state could not be read.
        """
        return await self.create_employee_from(request_from(CreateEmployeeRequest, locals()))

    async def create_employee_from(self, request: CreateEmployeeRequest) -> EmployeeCreated:
        """:meth:`create_employee` taking a validated :class:`CreateEmployeeRequest`.

        Args:
            request: The validated input.

        Returns:
            See :meth:`create_employee`.
        """
        return await self._create(request, pos_user_id_from_index=False)

    async def create_in_bulk(self, request: CreateEmployeeRequest) -> EmployeeCreated:
        """:meth:`create_employee_from` for a bulk run: the POS User ID is checked against the
        client's contact index (the roster read once per batch, plus the client's own writes)
        instead of one search per hire; the server's refusal stays the backstop (a bulk run
        settles it by reading, ``resume``)."""
        return await self._create(request, pos_user_id_from_index=True)

    async def _create(
        self, request: CreateEmployeeRequest, *, pos_user_id_from_index: bool
    ) -> EmployeeCreated:
        plan = await self._planner.plan(request)
        req = plan.req
        if req.requires_backoffice:
            assert req.backoffice_username is not None  # model rule
            if await self._roster.users_by(username=req.backoffice_username):
                raise DuplicateError(
                    f"Backoffice username {req.backoffice_username!r} is already in use",
                    field="username",
                    value=req.backoffice_username,
                )
        # ---- pre-flight: e-mail and phone from the client's index (no request while it is
        # fresh), the POS User ID by one targeted search (includes disabled holders, §4)
        employees, users = await self._contacts.email_holders(req.email)
        if employees or users:
            raise DuplicateError(
                f"e-mail {req.email!r} is already in use by an employee or a Backoffice user",
                field="email",
                value=req.email,
            )
        if await self._contacts.phone_holders(req.phone):
            raise DuplicateError(
                "phone is already in use by another employee", field="phone", value=req.phone
            )
        if pos_user_id_from_index:
            taken = bool(await self._contacts.pos_user_id_holders(req.pos_user_id))
        else:
            taken = bool(await self._roster.rows_by_pos_user_id(req.pos_user_id))
        if taken:
            raise DuplicateError(
                f"POS User ID {req.pos_user_id} is already in use",
                field="pos_user_id",
                value=req.pos_user_id,
            )
        employee_id = await self._insert(plan)
        self._contacts.note_employee(
            employee_id, pos_user_id=req.pos_user_id, phone=req.phone, email=req.email
        )
        return await self._finish(plan, employee_id)

    async def resume(self, req: CreateEmployeeRequest) -> EmployeeCreated | None:
        """Settle a create whose earlier attempt was interrupted (a bulk re-run).

        Not on the server: ``None``. Inserted under the same names (and the request's PIN,
        when it has one): the job is finished (POS template, linked Backoffice user with the
        journaled password) and reported with the PIN the server holds.

        Raises:
            DuplicateError: The POS User ID belongs to an employee with other names (or,
                when the request has a PIN, another PIN).
            WriteNotVerifiedError: Something could not be finished; the message says what.
        """
        rows = await self._roster.rows_by_pos_user_id(req.pos_user_id)
        if not rows:
            return None
        mine = [r for r in rows if same_name(r, req.first_name, req.last_name)]
        if not mine:
            raise DuplicateError(
                f"POS User ID {req.pos_user_id} belongs to another employee",
                field="pos_user_id",
                value=req.pos_user_id,
            )
        employee_id = mine[0].employee_id
        plan = await self._planner.plan(req)
        pin = (await self._roster.edit_page(employee_id)).pos_pin
        if req.pos_pin is not None and pin is not None and pin != req.pos_pin:
            # Same names but another PIN: not the hire this request (and its journal) made.
            raise DuplicateError(
                f"POS User ID {req.pos_user_id} belongs to an employee with these names but "
                "another PIN: not the hire this request made",
                field="pos_user_id",
                value=req.pos_user_id,
            )
        if pin is not None and pin != plan.pin:
            plan = replace(plan, pin=pin)
        return await self._finish(
            plan, employee_id, resumed=True, notes=("recovered from an interrupted run",)
        )

    # ------------------------------------------------------------------ insert

    async def _insert(self, plan: CreatePlan) -> int:
        req = plan.req
        values: dict[str, str | int] = {
            "pos_user_id": req.pos_user_id,
            "email": req.email,
            "phone": req.phone,
        }
        try:
            resp = await self._gateway.submit(
                "/employee/insert",
                plan.insert_pairs(),
                what="employee insert",
                ok=lambda loc: loc.startswith("/employee/permissions/"),
                values=values,
            )
        except AmbiguousWriteError as exc:
            # The PIN sent is the plan's (drawn when the request has none): the caller keeps
            # it with the request, the employee may exist with it.
            pending = req.model_copy(update={"pos_pin": plan.pin})
            return await self._settle_insert(pending, exc)
        assert resp.location is not None
        return trailing_id(resp.location, "/employee/permissions/")

    async def _settle_insert(self, req: CreateEmployeeRequest, exc: AmbiguousWriteError) -> int:
        """The insert's answer was lost: read state by POS User ID (it was free a moment ago),
        on the POST's own session so the read is served after the POST.

        Found under our names: applied. Not found: **unknown**, never "not applied": a request
        delayed in the network can reach the server after any read made now. The caller keeps
        the credentials (``partial`` is ``req``: the request with the PIN sent, drawn or
        given) and settles again later
        (a bulk run does so at its end and on resume).

        Raises:
            OutcomeUnknownError: Not found, or the roster could not be read, or the ID now
                belongs to an employee with other names.
        """
        with settling(
            f"employee insert for POS User ID {req.pos_user_id}",
            url="/employee/insert",
            partial=req,
        ):
            rows = await self._roster.rows_by_pos_user_id(req.pos_user_id, session=exc.session)
        mine = [r for r in rows if same_name(r, req.first_name, req.last_name)]
        if len(mine) == 1:
            logger.info(
                "employee insert answer lost, but POS User ID %d now exists: treated as applied",
                req.pos_user_id,
            )
            return mine[0].employee_id
        if rows:
            raise OutcomeUnknownError(
                f"employee insert for POS User ID {req.pos_user_id}: the answer was lost and the "
                "ID now belongs to an employee with other names",
                url="/employee/insert",
                partial=req,
            ) from exc
        raise OutcomeUnknownError(
            f"employee insert for POS User ID {req.pos_user_id}: the answer was lost and the "
            "employee is not on the roster yet; the request may still arrive, so it is neither "
            "applied nor safe to resend now: settle it later (a re-run does)",
            url="/employee/insert",
            partial=req,
        ) from exc

    # ------------------------------------------------------------------ after the insert

    async def _finish(
        self,
        plan: CreatePlan,
        employee_id: int,
        *,
        resumed: bool = False,
        notes: Sequence[str] = (),
    ) -> EmployeeCreated:
        """The steps after the insert: POS template, read-back, linked Backoffice user.

        A ``resumed`` create first reads whether the template is already applied, and creates
        the Backoffice user only if no user of that name exists.
        """
        req, template, catalogue = plan.req, plan.template, plan.catalogue
        warnings = list(notes)

        # ---- POS permissions (full matrix, §7.5)
        try:
            if catalogue is None:
                catalogue = await self._catalogue.read_pos(employee_id)
                self._catalogue.remember_pos(catalogue)
                template = P.resolve_pos_template(catalogue.templates, template.id)
            if not resumed or not await self._pos.matches(employee_id, template):
                await self._pos.apply(employee_id, template, catalogue, verify=False)
                if resumed:
                    warnings.append(f"POS template {template.name!r} applied on resume")
        except BackofficeError as exc:
            partial = plan.result(
                employee_id,
                permission_applied="",
                verified=False,
                warnings=(*warnings, f"employee created, POS template not applied: {exc}"),
            )
            raise WriteNotVerifiedError(
                f"employee {employee_id} was created but its POS template was not applied: {exc}",
                what="pos_template",
                expected=template.name,
                partial=partial,
            ) from exc

        # ---- read-back
        if req.verify:
            partial = plan.result(employee_id, verified=False, warnings=tuple(warnings))
            with reading_back(f"employee {employee_id} create", what="read_back", partial=partial):
                await verify_created(
                    plan, employee_id, template, catalogue, roster=self._roster, pos=self._pos
                )

        logger.info(
            "created employee %d (POS User ID %d, template %r, verified=%s)",
            employee_id,
            req.pos_user_id,
            template.name,
            req.verify,
        )
        if not req.requires_backoffice:
            return plan.result(employee_id, warnings=tuple(warnings), verified=req.verify)
        return await self._linked_user(plan, employee_id, warnings, resumed=resumed)

    async def _linked_user(
        self, plan: CreatePlan, employee_id: int, warnings: list[str], *, resumed: bool
    ) -> EmployeeCreated:
        req = plan.req
        assert plan.bo_template is not None
        assert req.backoffice_username is not None
        password = req.backoffice_password or generate_backoffice_password()
        if resumed:
            existing = await self._roster.users_by(username=req.backoffice_username)
            if existing:
                return await self._existing_user(
                    plan, employee_id, existing[0].user_id, password, warnings
                )
        try:
            user = await self._users.create(
                username=req.backoffice_username,
                password=password,
                email=req.email,
                employee_id=employee_id,
                first_name=None,
                last_name=None,
                selection=plan.selection,
                template=plan.bo_template,
                verify=req.verify,
                expected_name=(req.first_name, req.last_name),
            )
        except BackofficeError as exc:
            partial_user = getattr(exc, "partial", None)
            # The password goes with the partial unless the insert was refused: a lost answer
            # (settled or not) or a later step may leave the user existing with it.
            refused = isinstance(exc, DuplicateError | FormRejectedError | InputValidationError)
            partial = plan.result(
                employee_id,
                backoffice_user_id=getattr(partial_user, "user_id", None),
                backoffice_username=req.backoffice_username,
                backoffice_password=None if refused else password,
                verified=False,
                warnings=(*warnings, f"employee created; Backoffice user step failed: {exc}"),
            )
            raise WriteNotVerifiedError(
                f"employee {employee_id} was created but its Backoffice user failed: {exc}",
                what="backoffice_user",
                partial=partial,
            ) from exc
        if resumed:
            warnings.append("Backoffice user created on resume")
        return plan.result(
            employee_id,
            backoffice_user_id=user.user_id,
            backoffice_username=user.username,
            backoffice_password=user.password,
            backoffice_permission_applied=user.permission_applied,
            verified=req.verify,
            warnings=(*warnings, *user.warnings),
        )

    async def _existing_user(
        self,
        plan: CreatePlan,
        employee_id: int,
        user_id: int,
        password: str,
        warnings: list[str],
    ) -> EmployeeCreated:
        """A resumed create whose Backoffice username exists: ours only if linked to the
        employee (then made whole: template and sites), else exactly what is missing."""
        req = plan.req
        assert plan.bo_template is not None
        linked_to = (await self._roster.user_edit_page(user_id)).employee_id
        if linked_to != employee_id:
            partial = plan.result(employee_id, verified=False, warnings=tuple(warnings))
            raise WriteNotVerifiedError(
                f"employee {employee_id} exists (POS template applied), but its Backoffice user "
                f"is missing: username {req.backoffice_username!r} belongs to user {user_id}, "
                f"which is linked to {linked_to or 'no employee'}",
                what="backoffice_user",
                expected=req.backoffice_username,
                actual=user_id,
                partial=partial,
            )
        tree = await self._catalogue.get_site_tree()
        if not await self._access.matches(user_id, tree, plan.selection, plan.bo_template):
            await self._access.set(user_id, tree, plan.selection, plan.bo_template)
            warnings.append(f"Backoffice template {plan.bo_template.name!r} applied on resume")
        warnings.append("Backoffice user already existed (password as journaled)")
        return plan.result(
            employee_id,
            backoffice_user_id=user_id,
            backoffice_username=req.backoffice_username,
            backoffice_password=password,
            backoffice_permission_applied=plan.bo_template.name,
            verified=req.verify,
            warnings=tuple(warnings),
        )
