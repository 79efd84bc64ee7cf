"""Roster sync: the HR roster's rows, the scope and matching rules, and the plan.

A :class:`SyncPlan` is data: it can be written as JSON (with a content hash), reviewed, diffed,
approved, and applied later exactly as it was planned. Values are kept JSON-friendly (strings,
numbers, lists) so that the file round-trips without loss.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import FieldIssue, InputValidationError
from .fields import (
    BackofficeTemplateName,
    CalendarDate,
    ContactName,
    DepartmentRefs,
    Email,
    Money,
    OptionalAdpId,
    OptionalPhone,
    PersonName,
    Phone,
    PosTemplateName,
    PosUserId,
    SiteRefs,
    Username,
)
from .requests import _InputModel, _issue

__all__ = [
    "FieldChange",
    "MatchKey",
    "RosterEntry",
    "SyncAction",
    "SyncItem",
    "SyncPlan",
    "SyncScope",
]

#: How a roster row is matched to an employee, in the order tried.
MatchKey = Literal["pos_user_id", "adp_employee_id", "email", "name_phone"]
#: What applying a plan item does.
SyncAction = Literal["create", "update", "disable", "rehire", "unchanged", "conflict"]

PLAN_FORMAT = "sonnys-async/roster-sync-plan/1"


class RosterEntry(_InputModel):
    """One person of the HR roster: the onboarding columns, a ``status`` and the ADP id.

    Only the names and phone are required; the other fields are compared (and set) when given.
    A new hire needs what ``create_employee`` needs (e-mail, POS User ID, wage, start date,
    sites, template): a row that lacks them is a conflict, not a guess.
    """

    first_name: PersonName
    last_name: PersonName
    phone: Phone
    email: Email | None = None
    status: Literal["active", "terminated"] = "active"
    pos_user_id: PosUserId | None = None
    adp_employee_id: OptionalAdpId = None
    wage_rate: Money | None = None
    overtime_wage_rate: Money | None = None
    start_date: CalendarDate | None = None
    available_sites: SiteRefs | None = None
    departments: DepartmentRefs | None = None
    permission: PosTemplateName | None = None
    emergency_contact_name: ContactName | None = None
    emergency_contact_phone: OptionalPhone = None
    requires_backoffice: bool = False
    backoffice_username: Username | None = None
    backoffice_permission: BackofficeTemplateName | None = None

    @model_validator(mode="after")
    def _v_login(self) -> Self:
        if self.requires_backoffice and not self.backoffice_username:
            raise _issue("backoffice_username", "is required when requires_backoffice is set")
        return self


class SyncScope(BaseModel):
    """Which employees the sync manages; everyone else is never touched.

    An employee is in scope when every given filter holds: one of its sites is in ``sites``,
    one of its departments in ``departments``, its POS template in ``templates``. ``None``
    means no filter (all of them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sites: tuple[int | str, ...] | None = None
    departments: tuple[str, ...] | None = None
    templates: tuple[str, ...] | None = None


class FieldChange(BaseModel):
    """One field of an update: what the tenant holds, and what the roster says."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    old: Any = None
    new: Any = None


class SyncItem(BaseModel):
    """One person's entry in a plan.

    ``request`` holds the fields of the call that applies the item (JSON values); ``seen`` is a
    fingerprint of the employee's record when planned: an item whose record changed since is
    not applied (stale).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    action: SyncAction
    row: int | None = None
    employee_id: int | None = None
    pos_user_id: int | None = None
    name: str = ""
    changes: tuple[FieldChange, ...] = ()
    reason: str | None = None
    #: Kept out of reprs: once applying, a new hire's drawn PIN and password are in it.
    request: dict[str, Any] = Field(default_factory=dict, repr=False)
    seen: str | None = None


class SyncPlan(BaseModel):
    """What a sync would do, per person; apply it with ``apply_plan``.

    ``digest`` is a SHA-256 of everything else (canonical JSON): ``from_json`` refuses a file
    whose content does not match it, so what is applied is exactly what was reviewed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = PLAN_FORMAT
    tenant: str
    bot_user: str
    created_at: datetime
    scope: SyncScope = SyncScope()
    match: tuple[MatchKey, ...] = ("pos_user_id", "adp_employee_id", "email", "name_phone")
    disable_threshold: float = 0.10
    disable_backoffice_users: bool = True
    active_in_scope: int = 0
    mass_disable: str | None = None
    items: tuple[SyncItem, ...] = ()
    digest: str = ""

    @property
    def counts(self) -> dict[str, int]:
        """Items per action."""
        return dict(Counter(i.action for i in self.items))

    @property
    def actionable(self) -> tuple[SyncItem, ...]:
        """The items that write something (create, update, disable, rehire)."""
        return tuple(i for i in self.items if i.action not in ("unchanged", "conflict"))

    @property
    def conflicts(self) -> tuple[SyncItem, ...]:
        """The items that are never applied, with their reasons."""
        return tuple(i for i in self.items if i.action == "conflict")

    def content_digest(self) -> str:
        """The SHA-256 of the plan's content (everything but ``digest``)."""
        body = self.model_dump(mode="json", exclude={"digest"})
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    def sealed(self) -> SyncPlan:
        """This plan with its ``digest`` set."""
        return self.model_copy(update={"digest": self.content_digest()})

    def to_json(self) -> str:
        """The plan file's text (sealed, indented, stable key order)."""
        plan = self if self.digest else self.sealed()
        return json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SyncPlan:
        """Read a plan file, checking its format and content hash.

        Raises:
            InputValidationError: Not a plan file, or its content was changed after planning.
        """
        try:
            data = json.loads(text)
            plan = cls.model_validate(data)
        except (ValueError, TypeError) as exc:
            raise InputValidationError(
                [FieldIssue("plan", f"not a roster-sync plan file ({type(exc).__name__})")]
            ) from None
        if plan.format != PLAN_FORMAT:
            raise InputValidationError([FieldIssue("plan", f"unknown plan format {plan.format!r}")])
        if not plan.digest or plan.digest != plan.content_digest():
            raise InputValidationError(
                [FieldIssue("plan", "the plan's content does not match its digest: plan again")]
            )
        return plan
