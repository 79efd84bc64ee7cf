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
* e-mail: checked by pydantic's ``EmailStr`` (email-validator's syntax rules, no DNS check;
  reserved names such as ``example.invalid`` allowed), no display name; stored as given
  (trimmed). Comparisons elsewhere are case-insensitive.
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

# The layout: ``fields`` (the annotated field types and their rules), ``requests`` (the input
# models), ``results`` (the result and read models), ``lifecycle`` (Backoffice users read and
# changed, rehires). Every name is imported from here.
from .fields import (
    ActiveFilter,
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
    SiteRequest,
    Username,
    UserPersonName,
    money,
    normalize_phone,
    visible_text_issue,
)
from .fields import default_overtime as default_overtime
from .lifecycle import (
    BackofficeLogin,
    BackofficePasswordReset,
    BackofficeStatus,
    BackofficeUser,
    BackofficeUserModified,
    BackofficeUserReactivated,
    BackofficeUserSummary,
    EmployeeRehired,
    ModifyBackofficeUserRequest,
    RehireEmployeeRequest,
    ResetBackofficePasswordRequest,
)
from .requests import (
    CreateBackofficeUserRequest,
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    ModifyEmployeeRequest,
    issues_from_validation_error,
)
from .results import (
    BackofficeUserCreated,
    BackofficeUserDisabled,
    Employee,
    EmployeeCompensation,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeModified,
    EmployeePermission,
    EmployeeProfile,
    EmployeeSummary,
    WageRecord,
)
from .sync import (
    FieldChange,
    MatchKey,
    RosterEntry,
    SyncAction,
    SyncItem,
    SyncPlan,
    SyncScope,
)

__all__ = [
    "ActiveFilter",
    "AdpId",
    "BackofficeLogin",
    "BackofficePasswordReset",
    "BackofficeStatus",
    "BackofficeTemplateName",
    "BackofficeUser",
    "BackofficeUserCreated",
    "BackofficeUserDisabled",
    "BackofficeUserModified",
    "BackofficeUserReactivated",
    "BackofficeUserSummary",
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
    "EmployeeRehired",
    "EmployeeSummary",
    "FieldChange",
    "MatchKey",
    "ModifyBackofficeUserRequest",
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
    "RehireEmployeeRequest",
    "ResetBackofficePasswordRequest",
    "RosterEntry",
    "SiteRef",
    "SiteRefs",
    "SiteRequest",
    "SyncAction",
    "SyncItem",
    "SyncPlan",
    "SyncScope",
    "UserPersonName",
    "Username",
    "WageRecord",
    "issues_from_validation_error",
    "money",
    "normalize_phone",
    "visible_text_issue",
]
