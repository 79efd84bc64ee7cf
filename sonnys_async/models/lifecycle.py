"""Models of the staff lifecycle beyond hire and leave: Backoffice users read and changed,
passwords reset, logins reactivated, employees rehired."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from .fields import (
    BackofficeTemplateName,
    CalendarDate,
    DepartmentRefs,
    Email,
    Money,
    Password,
    PosTemplateName,
    PosUserId,
    SiteRef,
    SiteRefs,
    Username,
)
from .requests import _InputModel, _issue
from .results import _ResultModel

__all__ = [
    "BackofficeLogin",
    "BackofficePasswordReset",
    "BackofficeStatus",
    "BackofficeUser",
    "BackofficeUserModified",
    "BackofficeUserReactivated",
    "BackofficeUserSummary",
    "EmployeeRehired",
    "ModifyBackofficeUserRequest",
    "RehireEmployeeRequest",
    "ResetBackofficePasswordRequest",
]

#: Which Backoffice users a list covers (the user list's ``statusSearch``, protocol §12.1).
BackofficeStatus = Literal["active", "inactive", "all"]
#: What a rehire did with the employee's Backoffice login.
BackofficeLogin = Literal["reactivated", "restored", "created"]


# ------------------------------------------------------------------------------------ reads


class BackofficeUserSummary(_ResultModel):
    """One row of the Backoffice user list (protocol §12.2)."""

    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    is_active: bool


class BackofficeUser(_ResultModel):
    """A Backoffice user as its edit and access pages show it (§13, §14).

    ``permission`` is the template whose token set equals the enabled tokens (the server stores
    tokens, not a template); ``None`` when none or several do (``matching_templates`` lists
    them).
    """

    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str | None = None
    linked_employee_id: int | None = None
    is_active: bool
    permission: str | None = None
    matching_templates: tuple[str, ...] = ()
    enabled_tokens: frozenset[str] = frozenset()
    accessible_sites: tuple[str, ...] | Literal["all"] = ()
    accessible_site_ids: frozenset[int] | Literal["all"] = frozenset()


# ------------------------------------------------------------------------------------ results


class BackofficeUserModified(_ResultModel):
    """Outcome of ``modify_backoffice_user``: ``changes_applied`` lists what really changed."""

    user_id: int
    username: str
    changes_applied: tuple[str, ...]
    permission_applied: str | None = None
    verified: bool = True
    warnings: tuple[str, ...] = ()


class BackofficePasswordReset(_ResultModel):
    """Outcome of ``reset_backoffice_password`` (``password`` prints as ``***``)."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"password"})

    user_id: int
    username: str
    password: str = Field(repr=False)
    verified: bool = True
    warnings: tuple[str, ...] = ()


class BackofficeUserReactivated(_ResultModel):
    """Outcome of ``reactivate_backoffice_user``."""

    user_id: int
    username: str
    was_already_active: bool = False
    verified: bool = True


class EmployeeRehired(_ResultModel):
    """Outcome of ``rehire_employee`` (``backoffice_password`` prints as ``***``).

    ``backoffice_login`` says what became of the Backoffice login: ``"reactivated"`` (the old
    one, with a new password), ``"restored"`` (it was still active; new password), ``"created"``
    (none was linked), or ``None`` (no login asked for or found).
    """

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"backoffice_password"})

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    rehired_at: datetime
    was_already_active: bool = False
    changes_applied: tuple[str, ...] = ()
    permission_applied: str | None = None
    backoffice_login: BackofficeLogin | None = None
    backoffice_user_id: int | None = None
    backoffice_username: str | None = None
    backoffice_password: str | None = Field(default=None, repr=False)
    backoffice_permission_applied: str | None = None
    verified: bool = True
    warnings: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------ requests


class ModifyBackofficeUserRequest(_InputModel):
    """What :meth:`AsyncBackofficeClient.modify_backoffice_user` changes.

    Lookup: ``user_id`` or ``username``. Changes: ``permission`` and/or ``available_sites`` (the
    access page: the other one is kept as it is), ``new_email`` and/or ``new_username`` (the
    edit page). A user's names are not on either form (protocol §14): a linked user's names are
    its employee's (``modify_employee``).
    """

    user_id: int | None = Field(default=None, ge=1)
    username: Username | None = None
    permission: BackofficeTemplateName | None = None
    available_sites: SiteRefs | None = None
    new_email: Email | None = None
    new_username: Username | None = None
    verify: bool = True

    @model_validator(mode="after")
    def _v_change(self) -> Self:
        if (self.user_id is None) == (self.username is None):
            raise _issue("user_id", "give exactly one of user_id / username")
        if all(
            v is None
            for v in (self.permission, self.available_sites, self.new_email, self.new_username)
        ):
            raise _issue("changes", "nothing to change: give at least one change field")
        return self


class RehireEmployeeRequest(_InputModel):
    """What :meth:`AsyncBackofficeClient.rehire_employee` does.

    Lookup: ``pos_user_id`` or ``email``. Optional changes applied with the reactivation (as in
    ``modify_employee``): sites, departments, POS template, a new wage. The Backoffice login:
    with ``restore_backoffice`` (default) a login linked to the employee is reactivated (or kept)
    and given a new password; if none is linked and ``backoffice_username`` is given, one is
    created.
    """

    pos_user_id: PosUserId | None = None
    email: Email | None = None
    available_sites: SiteRefs | None = None
    departments: DepartmentRefs | None = None
    permission: PosTemplateName | None = None
    wage_rate: Money | None = None
    overtime_wage_rate: Money | None = None
    wage_effective_date: CalendarDate | None = None
    wage_site: SiteRef = None
    restore_backoffice: bool = True
    backoffice_username: Username | None = None
    backoffice_password: Password | None = Field(default=None, repr=False)
    backoffice_permission: BackofficeTemplateName | None = None
    verify: bool = True

    @model_validator(mode="after")
    def _v_rehire(self) -> Self:
        if (self.pos_user_id is None) == (self.email is None):
            raise _issue("pos_user_id", "give exactly one of pos_user_id / email")
        if (self.wage_effective_date is not None or self.wage_site is not None) and (
            self.wage_rate is None and self.overtime_wage_rate is None
        ):
            raise _issue(
                "wage_effective_date",
                "wage_effective_date / wage_site need wage_rate or overtime_wage_rate",
            )
        if not self.restore_backoffice and (
            self.backoffice_username or self.backoffice_password or self.backoffice_permission
        ):
            raise _issue("restore_backoffice", "backoffice_* options need restore_backoffice")
        return self


class ResetBackofficePasswordRequest(_InputModel):
    """What :meth:`AsyncBackofficeClient.reset_backoffice_password` sets."""

    user_id: int | None = Field(default=None, ge=1)
    username: Username | None = None
    password: Password | None = Field(default=None, repr=False)
    verify: bool = True

    @model_validator(mode="after")
    def _v_lookup(self) -> Self:
        if (self.user_id is None) == (self.username is None):
            raise _issue("user_id", "give exactly one of user_id / username")
        return self
