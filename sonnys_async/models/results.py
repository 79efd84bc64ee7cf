"""The result and read models: frozen, with secret fields shown as ``'***'`` in repr and str.

Read the attribute itself to get a secret's value (POS PIN, Backoffice password).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BackofficeUserCreated",
    "BackofficeUserDisabled",
    "Employee",
    "EmployeeCompensation",
    "EmployeeCreated",
    "EmployeeDisabled",
    "EmployeeModified",
    "EmployeePermission",
    "EmployeeProfile",
    "EmployeeSummary",
    "WageRecord",
]

_SECRET_MASK = "***"


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
