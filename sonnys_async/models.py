"""Typed inputs and results of :class:`~sonnys_async.AsyncBackofficeClient`.

Input models (``*Request``) validate and normalise caller input before any request is sent.
Invalid input raises :class:`~sonnys_async.errors.InputValidationError`, whose ``issues`` name
each offending field -- never pydantic's own ``ValidationError`` (the reference library let that
escape its error tree). Values are never echoed in messages (``hide_input_in_errors``), because
some fields are secrets.

Result and read models are frozen. Their ``repr`` and ``str`` show secret fields (POS PIN,
Backoffice password) as ``'***'``; read the attribute itself to get the value.

Normalisation rules (decided here; see ``docs/client.md``). Each is one annotated type below
(``PersonName``, ``Phone``, ``Email``, ``PosUserId``, ``Pin``, ``Money``, ``SiteRefs``...) that
every request model uses as a field annotation:

* phone numbers: every non-digit removed; exactly 10 digits, or 11 starting with the country
  code ``1`` (which is dropped). The reference accepted 9 digits; a 9-digit North-American
  number cannot be dialled, so it is rejected as a likely typo.
* e-mail: ``local@domain.tld`` shape, no whitespace; stored as given (trimmed). Comparisons
  elsewhere are case-insensitive.
* names: trimmed, 1-64 characters (the server's rule, protocol §16.2); standalone Backoffice
  user names 2-64 (the user form's ``minlength=2``, §11.2).
* POS PIN: an ``int`` (``bool`` rejected) in 10000-99999; POS User ID: an ``int`` >= 1.
* username: ``^[A-Za-z]\\w{2,63}$`` (ASCII), as the user form's ``pattern`` (§11.2).
* password: at least 8 ASCII letters/digits ("at least 8 alpha-numeric characters", §16.2);
  other characters are allowed in addition.
* money: ``Decimal`` rounded half-up to cents; ``float`` goes through ``str`` so ``15.1`` stays
  ``15.10``; 0 to 999999999.99 (the form's limits, §6.2).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal, Self, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .core.text import is_digits
from .errors import FieldIssue, InputValidationError

__all__ = [
    "ActiveFilter",
    "AdpId",
    "BackofficeTemplateName",
    "BackofficeUserCreated",
    "BackofficeUserDisabled",
    "CalendarDate",
    "ClearablePhone",
    "ContactName",
    "CreateBackofficeUserRequest",
    "CreateEmployeeRequest",
    "DepartmentRefs",
    "DisableEmployeeRequest",
    "Email",
    "Employee",
    "EmployeeCompensation",
    "EmployeeCreated",
    "EmployeeDisabled",
    "EmployeeModified",
    "EmployeePermission",
    "EmployeeProfile",
    "EmployeeSummary",
    "ModifyEmployeeRequest",
    "Money",
    "OptionalAdpId",
    "OptionalContactName",
    "OptionalPhone",
    "Password",
    "PersonName",
    "Phone",
    "Pin",
    "PosTemplateName",
    "PosUserId",
    "SiteRef",
    "SiteRefs",
    "SiteRequest",
    "UserPersonName",
    "Username",
    "WageRecord",
    "issues_from_validation_error",
    "money",
    "normalize_phone",
]

#: Which employees a list/search covers (the roster's ``active`` filter, protocol §10.2).
ActiveFilter: TypeAlias = Literal["active", "inactive", "all"]
#: Requested sites: ``"all"`` or site ids / long names / short codes (case-insensitive).
SiteRequest: TypeAlias = Literal["all"] | tuple[int | str, ...]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME_RE = re.compile(r"^[A-Za-z]\w{2,63}$", re.ASCII)
_CENT = Decimal("0.01")
_MAX_RATE = Decimal("999999999.99")
_OVERTIME_FACTOR = Decimal("1.5")
_SECRET_MASK = "***"


# --------------------------------------------------------------------------------------------
# helpers shared with the client


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """Strip a phone number to its 10 digits.

    Args:
        value: Any human formatting (``(615) 555-1234``, ``+1 615 555 1234``...).
        field: Field name used in the error.

    Returns:
        Ten digits.

    Raises:
        InputValidationError: not 10 digits (or 11 with a leading ``1``).
    """
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise InputValidationError(
            [FieldIssue(field, f"must have 10 digits (got {len(digits)} digits)")]
        )
    return digits


def money(value: Decimal | float | int | str, *, field: str = "wage_rate") -> Decimal:
    """A non-negative amount rounded half-up to cents.

    Raises:
        InputValidationError: not a number, negative, or above 999999999.99.
    """
    if isinstance(value, bool):
        raise InputValidationError([FieldIssue(field, "must be a number, not a bool")])
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise InputValidationError([FieldIssue(field, "must be a number")]) from None
    if not amount.is_finite():
        raise InputValidationError([FieldIssue(field, "must be a finite number")])
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount < 0 or amount > _MAX_RATE:
        raise InputValidationError([FieldIssue(field, "must be between 0 and 999999999.99")])
    return amount


def default_overtime(rate: Decimal) -> Decimal:
    """1.5 x the regular rate, rounded half-up to cents (14.75 -> 22.13, protocol §9.2)."""
    return (rate * _OVERTIME_FACTOR).quantize(_CENT, rounding=ROUND_HALF_UP)


def issues_from_validation_error(exc: ValidationError) -> list[FieldIssue]:
    """Translate pydantic errors into :class:`FieldIssue` s naming the field."""
    issues: list[FieldIssue] = []
    for err in exc.errors(include_input=False, include_url=False):
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, InputValidationError):
            # model_validate runs our __init__, whose own error comes back wrapped.
            issues.extend(inner.issues)
            continue
        field = ctx.get("field") if isinstance(ctx.get("field"), str) else None
        if field is None:
            loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
            field = ".".join(loc) or "input"
        message = str(err.get("msg", "invalid"))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        issues.append(FieldIssue(field, message))
    return issues


def _issue(field: str, message: str) -> PydanticCustomError:
    # A model-level error that still names its field (read back by issues_from_validation_error).
    return PydanticCustomError("field_issue", message, {"field": field})


# --------------------------------------------------------------------------------------------
# field rules: one definition per rule, used as field annotations by every request model
#
# A "before" rule sees the raw input (no trimming yet) and may turn it into the field's type;
# an "after" rule sees the value pydantic has already checked and trimmed. ``X | None`` lets
# ``None`` through without running X's rule.


def _length(minimum: int, maximum: int, message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not minimum <= len(value) <= maximum:
            raise ValueError(message)
        return value

    return check


def _none_if_blank(value: str | None) -> str | None:
    return value or None


def _phone_digits(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    try:
        return normalize_phone(value)
    except InputValidationError as exc:
        raise ValueError(exc.issues[0].message) from None


def _required_phone(value: object) -> str:
    if value == "":
        raise ValueError("is required")
    return _phone_digits(value)


def _optional_phone(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _phone_digits(value)


def _clearable_phone(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return ""  # an explicit empty value clears an optional phone
    return _phone_digits(value)


def _email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise ValueError("must look like name@domain.tld")
    return value


def _pos_user_id(value: object) -> object:
    if value is None:
        return None  # a required field given None: pydantic's own type error names it
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be an integer >= 1")
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: "²" or "٣" pass str.isdigit() but int() refuses them.
        if not is_digits(text):
            raise ValueError("must be an integer >= 1")
        value = int(text)
    if value < 1:
        raise ValueError("must be an integer >= 1")
    return value


def _pin(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 10000 <= value <= 99999:
        raise ValueError("must be a five-digit integer (10000-99999)")
    return value


def _money(value: object) -> Decimal | None:
    if value is None:
        return None  # a required field given None: pydantic's own type error names it
    if not isinstance(value, Decimal | float | int | str):
        raise ValueError("must be a number")
    try:
        return money(value)
    except InputValidationError as exc:
        raise ValueError(exc.issues[0].message) from None


def _to_date(value: object) -> object:
    # The reference took ``datetime``; a date is what the server stores (MM/DD/YYYY, §6.4).
    if isinstance(value, datetime):
        return value.date()
    return value


def _sites(value: object) -> SiteRequest:
    if value is None:
        raise ValueError('is required ("all" or a list of sites)')
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return "all"
        return (value.strip(),)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if not isinstance(value, Iterable):
        raise ValueError('must be "all" or a list of site ids, names or short codes')
    return _distinct_refs(
        value,
        "site entries must be ids, names or short codes",
        'must name at least one site (or be "all")',
    )


def _departments(value: object) -> tuple[int | str, ...]:
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Iterable):
        raise ValueError("must be a list of department names or ids")
    return _distinct_refs(
        value,
        "department entries must be names or ids",
        "must name at least one department",
    )


def _distinct_refs(value: Iterable[object], bad_entry: str, empty: str) -> tuple[int | str, ...]:
    """Ids or names (trimmed; blanks dropped), first occurrence kept, at least one."""
    items: list[int | str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ValueError(bad_entry)
        if isinstance(item, str):
            item = item.strip()
            if not item:
                continue
        if item not in items:
            items.append(item)
    if not items:
        raise ValueError(empty)
    return tuple(items)


def _site_ref(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        raise ValueError("must be a site id, name or short code")
    return value


def _username(value: str) -> str:
    if not _USERNAME_RE.match(value):
        raise ValueError("must start with a letter and have 3-64 letters, digits or _")
    return value


def _password(value: str) -> str:
    alnum = sum(1 for c in value if c.isascii() and c.isalnum())
    if alnum < 8:
        raise ValueError("must contain at least 8 letters or digits")
    if len(value) > 128:
        raise ValueError("must be at most 128 characters")
    return value


#: An employee's first or last name: trimmed, 1-64 characters (protocol §16.2).
PersonName: TypeAlias = Annotated[
    str, AfterValidator(_length(1, 64, "must be 1 to 64 characters after trimming"))
]
#: A standalone Backoffice user's name: 2-64 characters (the user form's ``minlength=2``, §11.2).
UserPersonName: TypeAlias = Annotated[
    str, AfterValidator(_length(2, 64, "must be 2 to 64 characters after trimming"))
]
#: A required phone number, stored as its 10 digits (see :func:`normalize_phone`).
Phone: TypeAlias = Annotated[str, BeforeValidator(_required_phone)]
#: An optional phone number; ``""`` means none.
OptionalPhone: TypeAlias = Annotated[str | None, BeforeValidator(_optional_phone)]
#: A phone number to change; a blank value stays ``""`` (clear the stored number).
ClearablePhone: TypeAlias = Annotated[str | None, BeforeValidator(_clearable_phone)]
#: An e-mail address shaped ``local@domain.tld``, stored as given (trimmed).
Email: TypeAlias = Annotated[str, AfterValidator(_email)]
#: A POS User ID: an integer >= 1 (digit strings accepted, ``bool`` rejected).
PosUserId: TypeAlias = Annotated[int, BeforeValidator(_pos_user_id)]
#: A POS PIN: a five-digit integer, 10000-99999 (``bool`` and strings rejected).
Pin: TypeAlias = Annotated[int, BeforeValidator(_pin)]
#: An amount of money, 0 to 999999999.99, rounded half-up to cents (see :func:`money`).
Money: TypeAlias = Annotated[Decimal, BeforeValidator(_money)]
#: A calendar day; a ``datetime`` is cut to its date (the server stores days, §6.4).
CalendarDate: TypeAlias = Annotated[date, BeforeValidator(_to_date)]
#: ``"all"`` (any case) or distinct site ids / names / short codes; one bare ref is a list of one.
SiteRefs: TypeAlias = Annotated[SiteRequest, BeforeValidator(_sites)]
#: Distinct department names or ids; one bare ref is a list of one.
DepartmentRefs: TypeAlias = Annotated[tuple[int | str, ...], BeforeValidator(_departments)]
#: One site (id, name or short code); a blank name means none.
SiteRef: TypeAlias = Annotated[int | str | None, BeforeValidator(_site_ref)]
#: The name of a POS permission template (checked against the tenant by the client).
PosTemplateName: TypeAlias = Annotated[
    str, AfterValidator(_length(1, sys.maxsize, "must name a POS permission template"))
]
#: The name of a Backoffice permission template (checked against the tenant by the client).
BackofficeTemplateName: TypeAlias = Annotated[
    str, AfterValidator(_length(1, sys.maxsize, "must name a Backoffice permission template"))
]
#: A Backoffice login: ``^[A-Za-z]\w{2,63}$`` (ASCII), as the user form's ``pattern`` (§11.2).
Username: TypeAlias = Annotated[str, AfterValidator(_username)]
#: A Backoffice password: at least 8 ASCII letters/digits (§16.2), at most 128 characters.
Password: TypeAlias = Annotated[str, AfterValidator(_password)]
#: An ADP employee id, at most 32 characters.
AdpId: TypeAlias = Annotated[str, AfterValidator(_length(0, 32, "must be at most 32 characters"))]
#: An emergency contact's name, at most 100 characters.
ContactName: TypeAlias = Annotated[
    str, AfterValidator(_length(0, 100, "must be at most 100 characters"))
]
#: Optional ADP id / contact name where a blank value means "not given".
OptionalAdpId: TypeAlias = Annotated[AdpId | None, AfterValidator(_none_if_blank)]
OptionalContactName: TypeAlias = Annotated[ContactName | None, AfterValidator(_none_if_blank)]


# --------------------------------------------------------------------------------------------
# input models


class _InputModel(BaseModel):
    """Base of the request models: strict shape, and our own validation error."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        hide_input_in_errors=True,
        arbitrary_types_allowed=False,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputValidationError(issues_from_validation_error(exc)) from exc

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Self:
        """Validate ``obj``; raise :class:`InputValidationError` naming each bad field."""
        try:
            return super().model_validate(
                obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
            )
        except ValidationError as exc:
            raise InputValidationError(issues_from_validation_error(exc)) from exc


class CreateEmployeeRequest(_InputModel):
    """Everything :meth:`AsyncBackofficeClient.create_employee` needs.

    Site, department and template *names* are checked against the tenant by the client, before
    any write; this model checks shapes only.
    """

    first_name: PersonName
    last_name: PersonName
    phone: Phone
    email: Email
    pos_user_id: PosUserId
    wage_rate: Money
    start_date: CalendarDate
    available_sites: SiteRefs
    permission: PosTemplateName
    pos_pin: Pin | None = Field(default=None, repr=False)
    overtime_wage_rate: Money | None = None
    departments: DepartmentRefs | None = None
    adp_employee_id: OptionalAdpId = None
    emergency_contact_name: OptionalContactName = None
    emergency_contact_phone: OptionalPhone = None
    requires_backoffice: bool = False
    backoffice_username: Username | None = None
    backoffice_password: Password | None = Field(default=None, repr=False)
    backoffice_permission: str | None = None
    wage_site: SiteRef = None
    verify: bool = True

    @model_validator(mode="after")
    def _v_backoffice(self) -> Self:
        if self.requires_backoffice and not self.backoffice_username:
            raise _issue("backoffice_username", "is required when requires_backoffice=True")
        if not self.requires_backoffice and (
            self.backoffice_username or self.backoffice_password or self.backoffice_permission
        ):
            raise _issue(
                "requires_backoffice",
                "backoffice_* options need requires_backoffice=True",
            )
        return self

    @property
    def effective_overtime_rate(self) -> Decimal:
        """The overtime rate to post: the given one, else 1.5 x the regular rate."""
        if self.overtime_wage_rate is not None:
            return self.overtime_wage_rate
        return default_overtime(self.wage_rate)


class DisableEmployeeRequest(_InputModel):
    """Who to disable: exactly one of POS User ID, e-mail, or first+last name (+ phone)."""

    pos_user_id: PosUserId | None = None
    email: Email | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: OptionalPhone = None
    disable_backoffice_user: bool = False
    verify: bool = True

    @model_validator(mode="after")
    def _v_lookup(self) -> Self:
        _check_lookup(self.pos_user_id, self.email, self.first_name, self.last_name, self.phone)
        return self


def _check_lookup(
    pos_user_id: int | None,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
) -> None:
    by_name = first_name is not None or last_name is not None
    modes = sum([pos_user_id is not None, email is not None, by_name])
    if modes != 1:
        raise _issue(
            "pos_user_id",
            "give exactly one of pos_user_id, email, or first_name + last_name",
        )
    if by_name and (first_name is None or last_name is None):
        raise _issue(
            "first_name" if first_name is None else "last_name",
            "a name lookup needs both first_name and last_name",
        )
    if phone is not None and not by_name:
        raise _issue("phone", "phone only narrows a first_name + last_name lookup")


class ModifyEmployeeRequest(_InputModel):
    """What :meth:`AsyncBackofficeClient.modify_employee` changes.

    Lookup: exactly one of ``pos_user_id`` / ``email`` / ``first_name`` + ``last_name`` (the
    names then identify the employee; use ``new_first_name`` / ``new_last_name`` to rename).

    Field rules are the create model's, with one intended difference: a blank
    ``adp_employee_id``, ``emergency_contact_name`` or ``emergency_contact_phone`` is kept as
    ``""`` and means "clear the stored value" (on create a blank means "not given").
    """

    pos_user_id: PosUserId | None = None
    email: Email | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: ClearablePhone = None
    new_first_name: PersonName | None = None
    new_last_name: PersonName | None = None
    new_phone: ClearablePhone = None
    new_email: Email | None = None
    departments: DepartmentRefs | None = None
    available_sites: SiteRefs | None = None
    adp_employee_id: AdpId | None = None
    emergency_contact_name: ContactName | None = None
    emergency_contact_phone: ClearablePhone = None
    wage_rate: Money | None = None
    overtime_wage_rate: Money | None = None
    wage_effective_date: CalendarDate | None = None
    wage_site: SiteRef = None
    permission: PosTemplateName | None = None
    activate: bool | None = None
    verify: bool = True

    _CHANGE_FIELDS: ClassVar[tuple[str, ...]] = (
        "wage_rate",
        "overtime_wage_rate",
        "permission",
        "activate",
    )

    @model_validator(mode="after")
    def _v_change(self) -> Self:
        _check_lookup(self.pos_user_id, self.email, self.first_name, self.last_name, self.phone)
        if self.new_phone == "":
            raise _issue("new_phone", "cannot be empty")
        if (
            (self.wage_effective_date is not None or self.wage_site is not None)
            and self.wage_rate is None
            and self.overtime_wage_rate is None
        ):
            raise _issue(
                "wage_effective_date",
                "wage_effective_date / wage_site need wage_rate or overtime_wage_rate",
            )
        if not self.changes_property_fields and not any(
            getattr(self, name) is not None for name in self._CHANGE_FIELDS
        ):
            raise _issue("changes", "nothing to change: give at least one change field")
        return self

    #: Changes made through the edit form (``/employee/update``), ``activate`` aside.
    PROPERTY_FIELDS: ClassVar[tuple[str, ...]] = (
        "new_first_name",
        "new_last_name",
        "new_phone",
        "new_email",
        "departments",
        "available_sites",
        "adp_employee_id",
        "emergency_contact_name",
        "emergency_contact_phone",
    )

    @property
    def changes_properties(self) -> bool:
        """Whether the edit form (``/employee/update``) must be submitted."""
        return self.activate is not None or self.changes_property_fields

    @property
    def changes_property_fields(self) -> bool:
        """Whether a field of the edit form other than ``activate`` changes."""
        return any(getattr(self, name) is not None for name in self.PROPERTY_FIELDS)

    @property
    def changes_compensation(self) -> bool:
        """Whether a new wage record is added."""
        return self.wage_rate is not None or self.overtime_wage_rate is not None


class CreateBackofficeUserRequest(_InputModel):
    """A Backoffice (web) login: linked to an employee, or standalone.

    Linked: ``link_to_employee_pos_user_id`` or ``link_to_employee_email``. Standalone: both
    ``first_name`` and ``last_name`` (and ``email``).
    """

    username: Username
    email: Email | None = None
    permission: BackofficeTemplateName
    password: Password | None = Field(default=None, repr=False)
    link_to_employee_pos_user_id: PosUserId | None = None
    link_to_employee_email: Email | None = None
    first_name: UserPersonName | None = None
    last_name: UserPersonName | None = None
    available_sites: SiteRefs | None = None
    verify: bool = True

    @model_validator(mode="after")
    def _v_mode(self) -> Self:
        linked = (self.link_to_employee_pos_user_id is not None) + (
            self.link_to_employee_email is not None
        )
        standalone = self.first_name is not None or self.last_name is not None
        if linked > 1:
            raise _issue(
                "link_to_employee_pos_user_id",
                "give one of link_to_employee_pos_user_id / link_to_employee_email",
            )
        if linked and standalone:
            raise _issue("first_name", "names are for standalone users; a linked user has none")
        if not linked and not standalone:
            raise _issue(
                "link_to_employee_pos_user_id",
                "give a link_to_employee_* key (linked) or first_name + last_name (standalone)",
            )
        if standalone:
            if self.first_name is None or self.last_name is None:
                raise _issue(
                    "first_name" if self.first_name is None else "last_name",
                    "a standalone user needs both first_name and last_name",
                )
            if self.email is None:
                raise _issue("email", "a standalone user needs an email")
        return self

    @property
    def linked(self) -> bool:
        """Whether the user is linked to an employee."""
        return self.first_name is None


# --------------------------------------------------------------------------------------------
# result and read models


class _ResultModel(BaseModel):
    """Frozen output; fields listed in ``_secret_fields`` print as ``'***'``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    _secret_fields: ClassVar[frozenset[str]] = frozenset()

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, value
        for name in sorted(self._secret_fields):
            if getattr(self, name, None) is not None:
                yield name, _SECRET_MASK

    def __str__(self) -> str:
        # pydantic's __str__ already goes through __repr_args__; spelled out so a future
        # pydantic change cannot start printing secrets.
        return " ".join(f"{k}={v!r}" for k, v in self.__repr_args__() if k)


class WageRecord(_ResultModel):
    """One row of an employee's wage history (protocol §9.2)."""

    wage_type: str
    rate: Decimal
    overtime_eligible: bool
    overtime_rate: Decimal | None = None
    effective_date: date | None = None
    end_date: date | None = None
    is_current: bool = False


class EmployeeSummary(_ResultModel):
    """One employee-list row (protocol §10.3). ``phone`` is digits only."""

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    phone: str | None = None
    is_active: bool
    site_codes: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    access: str | None = None
    wage_type: str | None = None


class EmployeePermission(_ResultModel):
    """POS grants of one employee and the template they match (best effort).

    The server does not store which template was applied (protocol §7.2, §7.6); the name is
    that of the first template whose grant *and* override sets equal the employee's, else
    ``None`` with ``is_custom=True`` (``False`` when the employee has no grants at all).
    """

    template_name: str | None
    is_custom: bool
    granted_permission_ids: frozenset[int]
    override_permission_ids: frozenset[int]
    matching_templates: tuple[str, ...] = ()


class EmployeeCompensation(_ResultModel):
    """Wage history, newest first; ``current`` is the open-ended record (may be absent)."""

    current: WageRecord | None
    history: tuple[WageRecord, ...]


class EmployeeProfile(_ResultModel):
    """The edit page of one employee (protocol §8). The POS PIN is hidden in repr/str."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"pos_pin"})

    employee_id: int
    pos_user_id: int | None
    pos_pin: int | None = Field(default=None, repr=False)
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    departments: tuple[str, ...]
    department_ids: tuple[int, ...] = ()
    available_sites: tuple[str, ...] | Literal["all"]
    available_site_ids: frozenset[int] | Literal["all"] = "all"
    start_date: date | None
    adp_employee_id: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    is_active: bool


class Employee(EmployeeProfile):
    """Profile + compensation + POS permission of one employee."""

    current_wage: WageRecord | None
    wage_history: tuple[WageRecord, ...]
    permission: EmployeePermission


class EmployeeCreated(_ResultModel):
    """Outcome of ``create_employee``. ``pos_pin`` / ``backoffice_password`` print as ``***``."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"pos_pin", "backoffice_password"})

    employee_id: int
    pos_user_id: int
    pos_pin: int = Field(repr=False)
    first_name: str
    last_name: str
    email: str
    permission_applied: str
    sites_granted: tuple[str, ...]
    site_ids: frozenset[int] | Literal["all"]
    departments: tuple[str, ...]
    wage_site: str
    wage_rate: Decimal
    overtime_wage_rate: Decimal
    backoffice_user_id: int | None = None
    backoffice_username: str | None = None
    backoffice_password: str | None = Field(default=None, repr=False)
    backoffice_permission_applied: str | None = None
    verified: bool = True
    warnings: tuple[str, ...] = ()


class EmployeeDisabled(_ResultModel):
    """Outcome of ``disable_employee``."""

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    email: str | None = None
    disabled_at: datetime
    was_already_inactive: bool = False
    backoffice_user_ids_disabled: tuple[int, ...] = ()
    verified: bool = True
    warnings: tuple[str, ...] = ()


class EmployeeModified(_ResultModel):
    """Outcome of ``modify_employee``; ``changes_applied`` lists the parts submitted."""

    employee_id: int
    pos_user_id: int | None = None
    changes_applied: tuple[str, ...]
    permission_applied: str | None = None
    wage_rate: Decimal | None = None
    overtime_wage_rate: Decimal | None = None
    wage_effective_date: date | None = None
    verified: bool = True
    warnings: tuple[str, ...] = ()


class BackofficeUserCreated(_ResultModel):
    """Outcome of ``create_backoffice_user`` (``password`` prints as ``***``)."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"password"})

    user_id: int
    username: str
    password: str = Field(repr=False)
    email: str
    linked_employee_id: int | None = None
    permission_applied: str | None
    sites_granted: tuple[str, ...]
    site_ids: frozenset[int] | Literal["all"]
    verified: bool = True
    warnings: tuple[str, ...] = ()


class BackofficeUserDisabled(_ResultModel):
    """Outcome of ``disable_backoffice_user``."""

    user_id: int
    username: str | None
    was_already_inactive: bool = False
    verified: bool = True
