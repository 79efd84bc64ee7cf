"""POST handlers: validation in the server's order (§16.2) and application to the state.

Each handler takes the decoded form body and returns a :class:`PostResult`: where to redirect,
and the flash to show on the next page. Failures leave the state untouched (§2.4, §16.1); the app
appends ``actionXfer`` to failure targets. Strings marked "(sandbox)" are not server captures
but documented choices (docs/sandbox.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from urllib.parse import parse_qsl

from sonnys_async.domain import ALL, SiteSelection, SiteTree
from sonnys_async.sandbox.catalogue import BO_TOKENS
from sonnys_async.sandbox.reference import BO_TEMPLATES, POS_BY_ID, POS_TEMPLATES
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, StoredWage, TenantState

__all__ = ["Flash", "FormBody", "PostResult", "parse_body"]

# --- server strings (§16.2) -----------------------------------------------------------------------
MSG_FIRST_NAME = "First Name must be  between 1 and 64 characters long."
MSG_LAST_NAME = "Last Name must be  between 1 and 64 characters long."
MSG_DEPARTMENTS = "Departments requires no less than 1 valid selection."
MSG_START_DATE = "Start Date must be a valid date."
MSG_AVAILABLE = "Available To Work requires no less than 1 valid selection."
MSG_ASSIGN_SITE = (
    "The employee must be assigned to at least one site. Please select a site where \n"
    "            the employee is Available to Work or set to inactive if they are no longer "
    "employed."
)
MSG_POS_ID = "POS Login ID must be a number which is no less than 1 and has no decimals."
MSG_POS_PIN = "POS Login Password must be a number which is no less than 1 and has no decimals."
MSG_USER_INACTIVE_EMPLOYEE = (
    "Unable to save the user information. Please make sure that the related employee is active "
    "and try again."
)
MSG_ACCESSIBLE_SITES = "Accessible Sites requires no less than 1 valid selection."
MSG_UNKNOWN_USER = "Unable to locate user."
# Contract-decided strings for unknowns (CONTRACTS.md, §20.3).
MSG_DUP_POS = "That POS user ID is already in use!"
MSG_DUP_EMAIL = "That email address is already in use."
MSG_DUP_PHONE = "That phone number is already in use."
MSG_DUP_USERNAME = "That username is already in use."
# (sandbox) strings for checks the captures never showed.
MSG_UNKNOWN_EMPLOYEE = "Unable to locate employee."
MSG_RATE = "Regular Rate must be a number between 0 and 999999999.99."
MSG_OT_RATE = "Overtime Rate must be a number between 0 and 999999999.99."
MSG_WAGE_SITE = "Employee Labor Site requires a valid selection."
MSG_EFFECTIVE_DATE = "Effective Date must be a valid date."
# Only with ``SandboxOptions.reject_wage_not_after_latest`` (the page's help text as message).
MSG_WAGE_NOT_AFTER = (
    "The effective date for a new wage must be at least a day after the effective date of the "
    "latest wage."
)
MSG_PHONE_LONG = "Phone must be at most 20 characters long."
MSG_EMAIL_REQUIRED = "Email must be a valid email address."
MSG_USERNAME = "Username must start with a letter and contain 3 to 64 alpha-numeric characters."
MSG_PASSWORD = (
    "Password and Confirm Password must match and have at least 8 alpha-numeric characters."
)
MSG_BO_FIRST = "First Name must be  between 2 and 64 characters long."
MSG_BO_LAST = "Last Name must be  between 2 and 64 characters long."
MSG_EMPLOYEE_HAS_USER = "That employee already has a Back Office user."

_MAX_INT = 2_147_483_647
_MAX_RATE = Decimal("999999999.99")
_USERNAME_RE = re.compile(r"[A-Za-z]\w{2,63}", re.ASCII)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE_RE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_SITE_ID_KEY = re.compile(r"employee\[sites\]\[(\d{1,9})\]\[siteId\]")
_DISTRICT_ALL_KEY = re.compile(r"employee\[isAllSitesAllowedByDistrict\]\[(\d{1,9})\]")
_BO_DISTRICT_ALL_KEY = re.compile(r"isAllSitesAllowedByDistrict\[(\d{1,9})\]")
_PERM_KEY = re.compile(r"permissions\[(\d{1,9})\]\[(hasGrantAccess|requiresOverride)\]")
_BO_PERM_KEY = re.compile(r"perms\[(\d{1,9})\]\[(token|isEnabled)\]")

#: Largest accepted body (bytes); larger bodies are treated as empty (bad input).
MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-shot alert for the next page (§2.5), plus optional echoed input."""

    kind: Literal["danger", "success"]
    messages: tuple[str, ...]
    echo_tokens: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class PostResult:
    """Outcome of a form POST: redirect target, whether it failed, and the flash."""

    location: str
    failed: bool = False
    flash: Flash | None = None


def _ok(location: str, message: str | None = None) -> PostResult:
    return PostResult(location, False, Flash("success", (message,)) if message else None)


def _fail(location: str, errors: list[str], echo: frozenset[str] | None = None) -> PostResult:
    return PostResult(location, True, Flash("danger", tuple(errors), echo))


@dataclass(slots=True)
class FormBody:
    """A decoded urlencoded body: ordered pairs; scalar reads take the last value (PHP)."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    _last: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._last = dict(self.pairs)

    def has(self, key: str) -> bool:
        """Key present at all (checkbox presence semantics, §2.2)."""
        return key in self._last

    def get(self, key: str, default: str = "") -> str:
        """Last value of a key (PHP resolves duplicate scalar keys last-wins)."""
        return self._last.get(key, default)

    def getall(self, key: str) -> list[str]:
        """Every value of a repeated key, in order."""
        return [v for k, v in self.pairs if k == key]

    def names(self) -> list[str]:
        """Distinct keys in first-seen order."""
        return list(dict.fromkeys(k for k, _ in self.pairs))


def parse_body(raw: bytes) -> FormBody:
    """Decode an ``application/x-www-form-urlencoded`` body; hostile bodies become empty.

    Args:
        raw: the request body.

    Returns:
        The decoded body (empty when oversized or undecodable, so validation rejects it).
    """
    if len(raw) > MAX_BODY:
        return FormBody()
    try:
        text = raw.decode("utf-8", errors="replace")
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="replace", max_num_fields=20000
        )
    except ValueError:
        return FormBody()
    return FormBody(pairs)


# --- field parsers
def _parse_date(text: str) -> date | None:
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def _parse_posint(text: str) -> int | None:
    t = text.strip()
    if not t.isascii() or not t.isdigit() or len(t) > 10:
        return None
    n = int(t)
    return n if 1 <= n <= _MAX_INT else None


def _parse_money(text: str) -> Decimal | None:
    t = text.strip()
    if not t or len(t) > 20 or not t.isascii():
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0 or d > _MAX_RATE:
        return None
    return d.quantize(Decimal("0.01"))


def _name_ok(text: str, lo: int) -> bool:
    return lo <= len(text.strip()) <= 64


def _int_or_none(text: str) -> int | None:
    t = text.strip()
    if not t.isascii() or not t.isdigit() or len(t) > 12:
        return None
    return int(t)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isdigit())


def employee_sites_from_body(body: FormBody, tree: SiteTree, *, bo: bool = False) -> SiteSelection:
    """The availability a body encodes (§5.4 employee rules; §13.2 BO rules with ``bo``).

    Hierarchical: the all-regions flag present -> all; else every site whose ``[siteId]`` key
    (BO: ``siteIds[]`` value) is present, plus the sites of checked region/district rollups,
    minus the sites of ``disabledRegions[]`` / ``disabledDistricts[]``. Flat employee: the
    all-sites flag -> all; else every site not listed in ``employee[siteIds][]`` (excluded
    sites). Flat BO: the all-sites flag -> all; else the listed ``siteIds[]``.
    """

    def k(name: str) -> str:
        if bo:
            return name
        base, sep, rest = name.partition("[")
        return f"employee[{base}]" + (sep + rest if sep else "")

    ids = tree.site_ids
    if not tree.hierarchical:
        if body.has(k("isAllSitesAllowed")):
            return ALL
        listed = {i for v in body.getall(k("siteIds[]")) if (i := _int_or_none(v)) in ids}
        if bo:
            return frozenset(listed)
        return frozenset(ids - listed)
    if body.has(k("isAllRegionsAllowed")):
        return ALL
    granted: set[int] = set()
    if bo:
        granted.update(i for v in body.getall("siteIds[]") if (i := _int_or_none(v)) in ids)
    else:
        for key in body.names():
            m = _SITE_ID_KEY.fullmatch(key)
            if m and int(m.group(1)) in ids:
                granted.add(int(m.group(1)))
    for v in body.getall(k("isAllDistrictsAllowedByRegion[]")):
        rid = _int_or_none(v)
        granted.update(s.id for s in tree.sites if s.region_id == rid)
    district_key = _BO_DISTRICT_ALL_KEY if bo else _DISTRICT_ALL_KEY
    for key in body.names():
        m = district_key.fullmatch(key)
        if m:
            did = int(m.group(1))
            granted.update(s.id for s in tree.sites if s.district_id == did)
    denied_regions = {_int_or_none(v) for v in body.getall(k("disabledRegions[]"))}
    denied_districts = {_int_or_none(v) for v in body.getall(k("disabledDistricts[]"))}
    granted = {
        sid
        for sid in granted
        if tree.site(sid).region_id not in denied_regions
        and tree.site(sid).district_id not in denied_districts
    }
    return frozenset(granted)


# --- employees
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
        i = _int_or_none(v)
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
        start_date=_parse_date(body.get("employee[startDate]")),
        sites=employee_sites_from_body(body, state.tenant.tree),
        pos_user_id=_parse_posint(body.get("posCredential[POSLoginID]")),
        pos_pin=_parse_posint(body.get("posCredential[POSLoginPassword]")),
        active=active,
    )


def _validate_employee(inp: _EmployeeInput, state: TenantState, self_id: int | None) -> list[str]:
    """The §16.2 list in the server's order, then the uniqueness checks (§20.3 choices)."""
    errors: list[str] = []
    if not _name_ok(inp.first_name, 1):
        errors.append(MSG_FIRST_NAME)
    if not _name_ok(inp.last_name, 1):
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
    if opts.unique_email and inp.email:
        low = inp.email.lower()
        if any(e.email.lower() == low for e in others) or any(
            u.email.lower() == low and u.employee_id != self_id for u in state.users.values()
        ):
            errors.append(MSG_DUP_EMAIL)
    if opts.unique_phone and inp.phone:
        digits = _digits(inp.phone)
        if digits and any(_digits(e.phone) == digits for e in others):
            errors.append(MSG_DUP_PHONE)
    return errors


def _read_wage(
    body: FormBody, allowed_sites: frozenset[int], effective: date | None
) -> tuple[StoredWage | None, list[str]]:
    errors: list[str] = []
    rate = _parse_money(body.get("wage[regularRate]"))
    if rate is None:
        errors.append(MSG_RATE)
    eligible = body.has("wage[isOvertimeEligible]")
    ot_rate: Decimal | None = None
    if eligible:
        ot_rate = _parse_money(body.get("wage[overtimeRate]"))
        if ot_rate is None:
            errors.append(MSG_OT_RATE)
    site_raw = body.get("wage[siteId]").strip()
    site_id: int | None = None
    if site_raw:
        site_id = _int_or_none(site_raw)
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
        return _fail(back, errors or [MSG_START_DATE])
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
    return _ok(
        f"/employee/permissions/{eid}",
        f"{emp.full_name} has been created successfully! Please setup their POS permissions.",
    )


def employee_update(state: TenantState, body: FormBody, now: datetime) -> PostResult:
    """``POST /employee/update`` (§8): full replacement; presence of ``isActive`` = active."""
    eid = _int_or_none(body.get("employee[id]"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return _fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
    back = f"/employee/edit/{emp.id}"
    inp = _read_employee(body, state, active=body.has("employee[isActive]"))
    errors = _validate_employee(inp, state, emp.id)
    if errors or inp.start_date is None or inp.pos_user_id is None or inp.pos_pin is None:
        return _fail(back, errors or [MSG_START_DATE])
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
    return _ok("/employee", f"{emp.full_name} was updated successfully.")


def _flag(kind: str, value: str) -> bool:
    # ``hasGrantAccess`` follows the presence rule (§2.2, §21.5): any value grants. The page
    # pairs ``permissions[1][requiresOverride]`` with an always-submitted hidden ``=0`` (§7.2,
    # §7.4), which only makes sense if the server reads that flag's value, so overrides use PHP
    # truthiness (last value wins): ``""`` and ``"0"`` are off — a deliberate deviation from
    # §21.5's presence list, argued in docs/sandbox.md (choice 10).
    return kind == "hasGrantAccess" or value not in ("", "0")


def employee_permissions_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /employee/permissions/update`` (§7.5): always 302 ``/employee``."""
    eid = _int_or_none(body.get("employeeId"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return _fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
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
    tid = _int_or_none(body.get("templateId"))
    emp.template_id = None
    for t in POS_TEMPLATES:
        if t.id == tid and (t.grants, t.overrides) == (emp.grants, emp.overrides):
            emp.template_id = t.id
    return PostResult("/employee", False, Flash("success", (message,)))


def employee_compensation_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /employee/compensation/update`` (§9.3; response shapes are sandbox choices)."""
    eid = _int_or_none(body.get("employeeId"))
    emp = state.employees.get(eid) if eid is not None else None
    if emp is None:
        return _fail("/employee", [MSG_UNKNOWN_EMPLOYEE])
    back = f"/employee/compensation/{emp.id}"
    effective = _parse_date(body.get("wage[effectiveDate]"))
    errors: list[str] = [] if effective is not None else [MSG_EFFECTIVE_DATE]
    wage, wage_errors = _read_wage(body, state.site_ids_of(emp.sites), effective)
    errors += wage_errors
    if errors or wage is None or effective is None:
        return _fail(back, errors)
    saved = f"{emp.full_name}'s compensation was saved successfully."
    latest = max((w.effective_date for w in emp.wages), default=None)
    if latest is not None and effective <= latest:
        # §9.3, §16.5, §21.25: "silently not applied" — the answer is the success answer and
        # nothing is stored. The bounce with an error is an opt-in guess (docs/sandbox.md, 9).
        if state.options.reject_wage_not_after_latest:
            return _fail(back, [MSG_WAGE_NOT_AFTER])
        return _ok(back, saved)
    for w in emp.wages:
        if w.end_date is None:
            w.end_date = effective
    emp.wages.append(wage)
    return _ok(back, saved)


# --- Backoffice users
def _password_errors(body: FormBody) -> list[str]:
    pw, confirm = body.get("user[password]"), body.get("user[confirmPassword]")
    if len(pw) < 8 or len(pw) > 4096 or pw != confirm:
        return [MSG_PASSWORD]
    return []


def _username_errors(state: TenantState, username: str, self_id: int | None) -> list[str]:
    if not _USERNAME_RE.fullmatch(username):
        return [MSG_USERNAME]
    other = state.user_by_username(username)
    if state.options.unique_username and other is not None and other.id != self_id:
        return [MSG_DUP_USERNAME]
    return []


def _email_errors(
    state: TenantState, email: str, *, self_user: int | None, own_employee: int | None
) -> list[str]:
    if not _EMAIL_RE.fullmatch(email) or len(email) > 180:
        return [MSG_EMAIL_REQUIRED]
    if not state.options.unique_email:
        return []
    low = email.lower()
    if any(u.email.lower() == low and u.id != self_user for u in state.users.values()) or any(
        e.email.lower() == low and e.id != own_employee for e in state.employees.values()
    ):
        return [MSG_DUP_EMAIL]
    return []


def user_insert(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/insert`` (§11.3): linked when ``employee[isOnSiteEmployee]`` is present."""
    back = "/user/create"
    username = body.get("user[username]").strip()
    email = body.get("employee[email]").strip()
    employee: StoredEmployee | None = None
    if body.has("employee[isOnSiteEmployee]"):
        eid = _int_or_none(body.get("user[employeeId]"))
        employee = state.employees.get(eid) if eid is not None else None
        if employee is None or not employee.active:
            return _fail(back, [MSG_USER_INACTIVE_EMPLOYEE])
        if any(not u.is_deleted for u in state.users_of_employee(employee.id)):
            return _fail(back, [MSG_EMPLOYEE_HAS_USER])
        first, last = employee.first_name, employee.last_name
        errors: list[str] = []
    else:
        first = body.get("employee[firstName]").strip()
        last = body.get("employee[lastName]").strip()
        errors = []
        if not _name_ok(first, 2):
            errors.append(MSG_BO_FIRST)
        if not _name_ok(last, 2):
            errors.append(MSG_BO_LAST)
    errors += _email_errors(
        state, email, self_user=None, own_employee=employee.id if employee else None
    )
    errors += _username_errors(state, username, None)
    errors += _password_errors(body)
    if errors:
        return _fail(back, errors)
    uid = state.allocate_user_id()
    user = StoredUser(
        id=uid,
        employee_id=employee.id if employee else None,
        first_name=first,
        last_name=last,
        email=email,
        username=username,
        password=body.get("user[password]"),
    )
    state.users[uid] = user
    return _ok(
        f"/user/permissions/{uid}?userIsNew=1",
        f"{user.full_name} has been created successfully! Please setup their POS permissions.",
    )


def user_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/update`` (§14; never submitted live - semantics are sandbox choices)."""
    uid = _int_or_none(body.get("user[userId]"))
    user = state.users.get(uid) if uid is not None else None
    if user is None:
        return _fail("/user", [MSG_UNKNOWN_USER])
    back = f"/user/edit/{user.id}"
    username = body.get("user[username]").strip()
    email = body.get("employee[email]").strip()
    errors = _email_errors(state, email, self_user=user.id, own_employee=user.employee_id)
    errors += _username_errors(state, username, user.id)
    change_password = not body.has("user[changePassword]")  # checked = "do not change" (§14)
    if change_password:
        errors += _password_errors(body)
    if errors:
        return _fail(back, errors)
    user.username, user.email = username, email
    if change_password:
        user.password = body.get("user[password]")
    if body.has("universalSiteAccess"):
        user.sites = ALL
    elif user.sites == ALL:
        user.sites = frozenset()
    user.is_deleted = body.has("user[isDeleted]")  # checked = "User is active? No"
    return _ok("/user", f"{user.full_name} was updated successfully.")


def user_permissions_update(state: TenantState, body: FormBody) -> PostResult:
    """``POST /user/permissions/update`` (§13.4): needs at least one accessible site."""
    uid = _int_or_none(body.get("userId"))
    user = state.users.get(uid) if uid is not None else None
    if user is None:
        return _fail("/user", [MSG_UNKNOWN_USER])
    tokens: set[str] = set()
    index_token: dict[str, str] = {}
    enabled_idx: set[str] = set()
    for k, v in body.pairs:
        m = _BO_PERM_KEY.fullmatch(k)
        if not m:
            continue
        if m.group(2) == "token":
            index_token[m.group(1)] = v
        else:
            enabled_idx.add(m.group(1))
    known = set(BO_TOKENS)
    tokens = {index_token[i] for i in enabled_idx if index_token.get(i) in known}
    sites = employee_sites_from_body(body, state.tenant.tree, bo=True)
    if sites != ALL and not sites:
        back = f"/user/permissions/{user.id}?userIsNew={_q(body.get('userIsNew'))}"
        return _fail(back, [MSG_ACCESSIBLE_SITES], echo=frozenset(tokens))
    user.sites = sites
    user.tokens = frozenset(tokens)
    tid = _int_or_none(body.get("template"))
    user.template_id = tid if any(t.id == tid for t in BO_TEMPLATES) else None
    return _ok("/user", f"{user.full_name}'s permissions saved successfully")


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
