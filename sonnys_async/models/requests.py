"""The input models (``*Request``): shapes checked before any request is sent.

Invalid input raises :class:`~sonnys_async.errors.InputValidationError` naming each offending
field (never pydantic's own ``ValidationError``), with values never echoed in messages. Each
field is annotated with a rule type of :mod:`sonnys_async.models.fields`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ..errors import FieldIssue, InputValidationError
from ._messages import our_message
from .fields import (
    AdpId,
    BackofficeTemplateName,
    CalendarDate,
    ClearablePhone,
    ContactName,
    DepartmentRefs,
    Email,
    Money,
    OptionalAdpId,
    OptionalContactName,
    OptionalPhone,
    Password,
    PersonName,
    Phone,
    Pin,
    PosTemplateName,
    PosUserId,
    SiteRef,
    SiteRefs,
    Username,
    UserPersonName,
    default_overtime,
)

__all__ = [
    "CreateBackofficeUserRequest",
    "CreateEmployeeRequest",
    "DisableEmployeeRequest",
    "ModifyEmployeeRequest",
    "issues_from_validation_error",
]


def issues_from_validation_error(exc: ValidationError) -> list[FieldIssue]:
    """Translate pydantic errors into :class:`FieldIssue` s naming the field, in our words
    (pydantic's own messages are reworded: :mod:`sonnys_async.models._messages`)."""
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
        message = our_message(err["type"], str(err.get("msg", "invalid")), ctx)
        issues.append(FieldIssue(field, message))
    return issues


def _issue(field: str, message: str) -> PydanticCustomError:
    # A model-level error that still names its field (read back by issues_from_validation_error).
    return PydanticCustomError("field_issue", message, {"field": field})


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
    """Who to disable: exactly one of POS User ID, e-mail, or first+last name (+ phone).

    ``employee_id`` (the server's id, as an earlier result recorded it) skips the lookup; it
    may come alone or with the key it was found by.
    """

    pos_user_id: PosUserId | None = None
    email: Email | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: OptionalPhone = None
    employee_id: int | None = Field(default=None, ge=1)
    disable_backoffice_user: bool = False
    verify: bool = True

    @model_validator(mode="after")
    def _v_lookup(self) -> Self:
        keys = (self.pos_user_id, self.email, self.first_name, self.last_name, self.phone)
        if self.employee_id is None or any(k is not None for k in keys):
            _check_lookup(*keys)
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
    names then identify the employee; use ``new_first_name`` / ``new_last_name`` to rename), or
    ``employee_id`` (the server's id, as a result or a plan recorded it: no lookup).

    Field rules are the create model's, with one intended difference: a blank
    ``adp_employee_id``, ``emergency_contact_name`` or ``emergency_contact_phone`` is kept as
    ``""`` and means "clear the stored value" (on create a blank means "not given").
    """

    pos_user_id: PosUserId | None = None
    email: Email | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: ClearablePhone = None
    employee_id: int | None = Field(default=None, ge=1)
    new_first_name: PersonName | None = None
    new_last_name: PersonName | None = None
    new_phone: ClearablePhone = None
    new_email: Email | None = None
    departments: DepartmentRefs | None = None
    available_sites: SiteRefs | None = None
    adp_employee_id: AdpId | None = None
    emergency_contact_name: ContactName | None = None
    emergency_contact_phone: ClearablePhone = None
    pos_pin: Pin | None = Field(default=None, repr=False)
    start_date: CalendarDate | None = None
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
        keys = (self.pos_user_id, self.email, self.first_name, self.last_name, self.phone)
        if self.employee_id is None or any(k is not None for k in keys):
            _check_lookup(*keys)
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
        "pos_pin",
        "start_date",
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
