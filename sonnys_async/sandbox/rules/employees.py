"""Employee endpoints: insert (§6), update (§8), POS permissions (§7.5), compensation (§9.3)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sonnys_async.core.text import digits
from sonnys_async.domain import ALL, SiteSelection
from sonnys_async.sandbox.reference import POS_BY_ID, POS_TEMPLATES
from sonnys_async.sandbox.rules.body import (
    FormBody,
    int_or_none,
    name_ok,
    parse_date,
    parse_money,
    parse_posint,
)
from sonnys_async.sandbox.rules.messages import (
    MSG_ASSIGN_SITE,
    MSG_AVAILABLE,
    MSG_DEPARTMENTS,
    MSG_DUP_EMAIL,
    MSG_DUP_PHONE,
    MSG_DUP_POS,
    MSG_EFFECTIVE_DATE,
    MSG_EMAIL_REQUIRED,
    MSG_FIRST_NAME,
    MSG_LAST_NAME,
    MSG_OT_RATE,
    MSG_PHONE_LONG,
    MSG_POS_ID,
    MSG_POS_PIN,
    MSG_RATE,
    MSG_START_DATE,
    MSG_UNKNOWN_EMPLOYEE,
    MSG_WAGE_NOT_AFTER,
    MSG_WAGE_SITE,
)
from sonnys_async.sandbox.rules.outcome import Flash, PostResult, fail, ok
from sonnys_async.sandbox.rules.sites import employee_sites_from_body
from sonnys_async.sandbox.rules.unique import email_taken
from sonnys_async.sandbox.state import StoredEmployee, StoredWage, TenantState

#: Every insert compares its phone with every employee's: the stored phones' digits, memoised.
_phone_digits = functools.lru_cache(maxsize=1 << 16)(digits)

__all__ = [
    "employee_compensation_update",
    "employee_insert",
    "employee_permissions_update",
    "employee_update",
]

_PERM_KEY = re.compile(r"permissions\[(\d{1,9})\]\[(hasGrantAccess|requiresOverride)\]")


@dataclass(slots=True)
class _EmployeeInput:
    first_name: str
    last_name: str
    phone: str
    email: str
    departments: list[int]
    start_date: date | None
    sites: SiteSelection
    pos_user_id: int | None
    pos_pin: int | None
    active: bool


def _read_employee(body: FormBody, state: TenantState, *, active: bool) -> _EmployeeInput:
    valid_depts = {d.id for d in state.tenant.departments}
    raw_depts = body.getall("employee[departments][]")
    depts: list[int] = []
    bad = False
    for v in raw_depts:
        i = int_or_none(v)
        if i in valid_depts and i is not None:
            if i not in depts:
                depts.append(i)
        else:
            bad = True
    if bad:
        depts = []  # any invalid choice invalidates the selection (sandbox choice)
    return _EmployeeInput(
        first_name=body.get("employee[firstName]").strip(),
        last_name=body.get("employee[lastName]").strip(),
        phone=body.get("employee[phone]").strip(),
        email=body.get("employee[email]").strip(),
        departments=depts,
        start_date=parse_date(body.get("employee[startDate]")),
        sites=employee_sites_from_body(body, state.tenant.tree),
        pos_user_id=parse_posint(body.get("posCredential[POSLoginID]")),
        pos_pin=parse_posint(body.get("posCredential[POSLoginPassword]")),
        active=active,
    )


def _validate_employee(inp: _EmployeeInput, state: TenantState, self_id: int | None) -> list[str]:
    """The §16.2 list in the server's order, then the uniqueness checks (§20.3 choices)."""
    errors: list[str] = []
    if not name_ok(inp.first_name, 1):
        errors.append(MSG_FIRST_NAME)
    if not name_ok(inp.last_name, 1):
        errors.append(MSG_LAST_NAME)
    if not inp.departments:
        errors.append(MSG_DEPARTMENTS)
    if inp.start_date is None:
        errors.append(MSG_START_DATE)
    if inp.sites != ALL and not inp.sites:
        errors.append(MSG_AVAILABLE)
        if inp.active:
            errors.append(MSG_ASSIGN_SITE)
    if inp.pos_user_id is None:
        errors.append(MSG_POS_ID)
    if inp.pos_pin is None:
        errors.append(MSG_POS_PIN)
    if len(inp.phone) > 20:
        errors.append(MSG_PHONE_LONG)
    if len(inp.email) > 180:
        errors.append(MSG_EMAIL_REQUIRED)
    if errors:
        return errors
    opts = state.options
    others = [e for e in state.employees.values() if e.id != self_id]
    if opts.unique_pos_user_id and any(e.pos_user_id == inp.pos_user_id for e in others):
        errors.append(MSG_DUP_POS)
    if opts.unique_email and email_taken(state, inp.email, employee_id=self_id, user_id=None):
        errors.append(MSG_DUP_EMAIL)
    if opts.unique_phone and inp.phone:
        phone_digits = digits(inp.phone)
        if phone_digits and any(_phone_digits(e.phone) == phone_digits for e in others):
            errors.append(MSG_DUP_PHONE)
    return errors


def _read_wage(
    body: FormBody, allowed_sites: frozenset[int], effective: date | None
) -> tuple[StoredWage | None, list[str]]:
    errors: list[str] = []
    rate = parse_money(body.get("wage[regularRate]"))
    if rate is None:
        errors.append(MSG_RATE)
    eligible = body.has("wage[isOvertimeEligible]")
    ot_rate: Decimal | None = None
    if eligible:
        ot_rate = parse_money(body.get("wage[overtimeRate]"))
        if ot_rate is None:
            errors.append(MSG_OT_RATE)
    site_raw = body.get("wage[siteId]").strip()
    site_id: int | None = None
    if site_raw:
        site_id = int_or_none(site_raw)
        if site_id not in allowed_sites:
            errors.append(MSG_WAGE_SITE)
    if errors or rate is None or effective is None:
        return None, errors
    is_hourly = body.get("wage[isHourly]", "1").strip() != "0"
    return StoredWage(effective, None, is_hourly, rate, eligible, ot_rate, site_id), errors


def employee_insert(state: TenantState, body: FormBody, now: datetime) -> PostResult:
    """``POST /employee/insert`` (§6): 302 to the new permissions page, or back to the form."""
    back = "/employee/create"
    inp = _read_employee(body, state, active=True)
    errors = _validate_employee(inp, state, None)
    wage: StoredWage | None = None
    if not errors:
        wage, errors = _read_wage(body, state.site_ids_of(inp.sites), inp.start_date)
    if errors or inp.start_date is None or inp.pos_user_id is None or inp.pos_pin is None:
        return fail(back, errors or [MSG_START_DATE])
    eid, cid = state.allocate_employee_ids()
    emp = StoredEmployee(
        id=eid,
        first_name=inp.first_name,
        last_name=inp.last_name,
        phone=inp.phone,
        email=inp.email,
        department_ids=inp.departments,
        start_date=inp.start_date,
        active=True,
        sites=inp.sites,
        pos_credential_id=cid,
        pos_user_id=inp.pos_user_id,
        pos_pin=inp.pos_pin,
        emergency_contact_name=body.get("employee[emergencyContactName]").strip()[:100],
        emergency_contact_phone=body.get("employee[emergencyContactPhone]").strip()[:20],
        adp_employee_id=body.get("employee[adpEmployeeId]").strip()[:32],
        wages=[wage] if wage else [],
        active_since=now,
    )
    state.employees[eid] = emp
    return ok(
        f"/employee/permissions/{eid}",
        f"{emp.full_name} has been created successfully! Please setup their POS permissions.",
    )


def employee_update(state: TenantState, body: FormBody, now: datetime) -> PostResult:
    """``POST /employee/update`` (§8): full replacement; presence of ``isActive`` = active."""
    eid = int_or_none(body.get("employee[id]"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
    back = f"/employee/edit/{emp.id}"
    inp = _read_employee(body, state, active=body.has("employee[isActive]"))
    errors = _validate_employee(inp, state, emp.id)
    if errors or inp.start_date is None or inp.pos_user_id is None or inp.pos_pin is None:
        return fail(back, errors or [MSG_START_DATE])
    was_active = emp.active
    emp.first_name, emp.last_name = inp.first_name, inp.last_name
    emp.phone, emp.email = inp.phone, inp.email
    emp.department_ids = inp.departments
    emp.start_date = inp.start_date
    emp.active = inp.active
    emp.sites = inp.sites
    emp.pos_user_id, emp.pos_pin = inp.pos_user_id, inp.pos_pin
    emp.emergency_contact_name = body.get("employee[emergencyContactName]").strip()[:100]
    emp.emergency_contact_phone = body.get("employee[emergencyContactPhone]").strip()[:20]
    emp.adp_employee_id = body.get("employee[adpEmployeeId]").strip()[:32]
    if emp.active and not was_active:
        emp.active_since = now
    if was_active and not emp.active and state.options.disable_employee_disables_user:
        for u in state.users_of_employee(emp.id):
            u.is_deleted = True
    return ok("/employee", f"{emp.full_name} was updated successfully.")


def _flag(kind: str, value: str) -> bool:
    # ``hasGrantAccess`` follows the presence rule (§2.2, §21.5): any value grants. The page
    # pairs ``permissions[1][requiresOverride]`` with an always-submitted hidden ``=0`` (§7.2,
    # §7.4), which only makes sense if the server reads that flag's value, so overrides use PHP
    # truthiness (last value wins): ``""`` and ``"0"`` are off — a deliberate deviation from
    # §21.5's presence list, argued in docs/sandbox.md (choice 10).
    return kind == "hasGrantAccess" or value not in ("", "0")


def employee_permissions_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /employee/permissions/update`` (§7.5): always 302 ``/employee``."""
    eid = int_or_none(body.get("employeeId"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
    message = f"{emp.full_name}'s permissions saved successfully"
    if not any(key.startswith("permissions[") for key in body.names()):
        return PostResult("/employee", False, Flash("success", (message,)))  # no change (§7.5)
    grants: set[int] = set()
    overrides: set[int] = set()
    for key in body.names():
        m = _PERM_KEY.fullmatch(key)
        if not m or int(m.group(1)) not in POS_BY_ID or not _flag(m.group(2), body.get(key)):
            continue
        (grants if m.group(2) == "hasGrantAccess" else overrides).add(int(m.group(1)))
    emp.grants = frozenset(grants)
    emp.overrides = frozenset(overrides & grants)  # an override without its grant is moot
    tid = int_or_none(body.get("templateId"))
    emp.template_id = None
    for t in POS_TEMPLATES:
        if t.id == tid and (t.grants, t.overrides) == (emp.grants, emp.overrides):
            emp.template_id = t.id
    return PostResult("/employee", False, Flash("success", (message,)))


def employee_compensation_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /employee/compensation/update`` (§9.3; response shapes are sandbox choices)."""
    eid = int_or_none(body.get("employeeId"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
    back = f"/employee/compensation/{emp.id}"
    effective = parse_date(body.get("wage[effectiveDate]"))
    errors: list[str] = [] if effective is not None else [MSG_EFFECTIVE_DATE]
    wage, wage_errors = _read_wage(body, state.site_ids_of(emp.sites), effective)
    errors += wage_errors
    if errors or wage is None or effective is None:
        return fail(back, errors)
    saved = f"{emp.full_name}'s compensation was saved successfully."
    latest = max((w.effective_date for w in emp.wages), default=None)
    if latest is not None and effective <= latest:
        # §9.3, §16.5, §21.25: "silently not applied" — the answer is the success answer and
        # nothing is stored. The bounce with an error is an opt-in guess (docs/sandbox.md, 9).
        if state.options.reject_wage_not_after_latest:
            return fail(back, [MSG_WAGE_NOT_AFTER])
        return ok(back, saved)
    for w in emp.wages:
        if w.end_date is None:
            w.end_date = effective
    emp.wages.append(wage)
    return ok(back, saved)
