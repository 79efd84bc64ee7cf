"""apply_plan: a reviewed roster-sync plan, applied exactly, journaled and resumable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from .._secrets import generate_backoffice_password, generate_pos_pin
from ..bulk import Bulk, Outcome, run_each
from ..errors import (
    DuplicateError,
    FieldIssue,
    InputValidationError,
    NotFoundError,
    StaleRecordError,
)
from ..journal import Journal
from ..models import (
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeModified,
    EmployeeRehired,
    ModifyEmployeeRequest,
    RehireEmployeeRequest,
    SyncItem,
    SyncPlan,
)
from .changes import Changes
from .hiring import Hiring
from .offboarding import Offboarding
from .rehiring import Rehiring
from .roster import Roster
from .sync_snapshot import fingerprint

__all__ = ["SyncApplier", "SyncResult"]

#: What applying one plan item returns.
SyncResult: TypeAlias = EmployeeCreated | EmployeeModified | EmployeeDisabled | EmployeeRehired


def _taken(error: BaseException) -> bool:
    return isinstance(error, DuplicateError) and error.field in {"pos_user_id", "email", "phone"}


class SyncApplier:
    """Applies plans made by :meth:`~.sync_plan.RosterSync.plan_roster_sync`.

    Args:
        roster: Edit pages (is a record still as planned?).
        hiring: Creates.
        changes: Updates.
        offboarding: Disables.
        rehiring: Rehires.
        tenant: This client's tenant (a plan made for another is refused).
        bot_user: This client's bot account.
    """

    def __init__(
        self,
        roster: Roster,
        hiring: Hiring,
        changes: Changes,
        offboarding: Offboarding,
        rehiring: Rehiring,
        *,
        tenant: str,
        bot_user: str,
    ) -> None:
        self._roster = roster
        self._hiring = hiring
        self._changes = changes
        self._offboarding = offboarding
        self._rehiring = rehiring
        self._tenant = tenant
        self._bot_user = bot_user

    def apply_plan(
        self,
        plan: SyncPlan,
        *,
        allow_mass_disable: bool = False,
        journal: Journal | None = None,
        max_at_once: int = 4,
        max_per_second: float | None = None,
        on_outcome: Callable[[Outcome[SyncItem, SyncResult]], None] | None = None,
        verify: bool = True,
    ) -> Bulk[SyncItem, SyncResult]:
        """Apply a plan's create, update, disable and rehire items: ``async with`` the result,
        then ``async for`` its outcomes (unchanged items and conflicts are not run).

        Each item is applied as planned and verified like the single calls. An item whose
        employee changed on the server since planning is not applied: it fails with
        :class:`~sonnys_async.errors.StaleRecordError` (plan again). New hires' PINs and
        Backoffice passwords are drawn before they are journaled, so a run killed mid-way and
        run again with the same journal finishes what it started with the same credentials
        and applies nothing twice.

        Args:
            plan: The plan, as planned (``SyncPlan.from_json`` checks a file's digest).
            allow_mass_disable: Apply a plan whose ``mass_disable`` says it disables too many.
            journal: Append-only record for a resumable run.
            max_at_once: Items in flight at once.
            max_per_second: Items started per second.
            on_outcome: Called with each outcome as it is recorded (write results here).
            verify: Read every write back (default).

        Returns:
            A :class:`~sonnys_async.bulk.Bulk` of outcomes; ``Outcome.item`` is the plan item
            (a new hire's drawn credentials in its ``request``).

        Raises:
            InputValidationError: The plan is for another tenant or bot user, or disables too
                many without ``allow_mass_disable`` (nothing is sent).
        """
        issues: list[FieldIssue] = []
        if plan.digest != plan.content_digest():
            issues.append(FieldIssue("plan", "its content does not match its digest"))
        if (plan.tenant, plan.bot_user) != (self._tenant, self._bot_user):
            issues.append(
                FieldIssue(
                    "plan",
                    f"made for {plan.bot_user!r} on {plan.tenant}, not {self._bot_user!r} on "
                    f"{self._tenant}",
                )
            )
        if plan.mass_disable and not allow_mass_disable:
            issues.append(
                FieldIssue(
                    "mass_disable",
                    f"the plan {plan.mass_disable}; review it and allow it explicitly",
                )
            )
        if issues:
            raise InputValidationError(issues)

        async def one(item: SyncItem) -> SyncResult:
            if item.action != "create":
                await self._check_fresh(item)
            return await self._apply(item, verify)

        async def resolve(item: SyncItem) -> SyncResult | None:
            # An earlier attempt of this item may have been applied (its record then differs
            # from the plan because of us): settle it without the freshness check.
            if item.action == "create":
                return await self._hiring.resume(_create_request(item, verify))
            return await self._apply(item, verify)

        return run_each(
            one,
            (_with_credentials(item, journal, plan.digest) for item in plan.actionable),
            # Keys name the plan: a journal of another plan finds none of this one's items.
            key=lambda item: f"{plan.digest[:16]}:{item.key}",
            max_at_once=max_at_once,
            max_per_second=max_per_second,
            journal=journal,
            resolve=resolve,
            resolve_on=_taken,
            on_outcome=on_outcome,
        )

    async def _check_fresh(self, item: SyncItem) -> None:
        assert item.employee_id is not None
        try:
            edit = await self._roster.edit_page(item.employee_id)
        except NotFoundError as exc:
            raise StaleRecordError(
                f"employee {item.employee_id} is gone since the plan was made",
                employee_id=item.employee_id,
            ) from exc
        if fingerprint(edit) != item.seen:
            raise StaleRecordError(
                f"employee {item.employee_id} ({item.name}) changed on the server since the plan "
                "was made; not applied: plan again",
                employee_id=item.employee_id,
            )

    async def _apply(self, item: SyncItem, verify: bool) -> SyncResult:
        request = item.request
        if item.action == "create":
            return await self._hiring.create_employee_from(_create_request(item, verify))
        if item.action == "update":
            return await self._changes.modify_employee_from(
                ModifyEmployeeRequest.model_validate({**request, "verify": verify})
            )
        if item.action == "disable":
            return await self._offboarding.disable_employee_from(
                DisableEmployeeRequest.model_validate({**request, "verify": verify})
            )
        rehired = await self._rehiring.rehire_employee_from(
            RehireEmployeeRequest.model_validate({**request["rehire"], "verify": verify})
        )
        if "modify" in request:
            await self._changes.modify_employee_from(
                ModifyEmployeeRequest.model_validate({**request["modify"], "verify": verify})
            )
        return rehired


def _create_request(item: SyncItem, verify: bool) -> CreateEmployeeRequest:
    return CreateEmployeeRequest.model_validate({**item.request, "verify": verify})


def _with_credentials(item: SyncItem, journal: Journal | None, digest: str) -> SyncItem:
    """A create item whose PIN (and Backoffice password) is fixed before it is journaled: the
    ones an earlier attempt journaled, else new ones."""
    if item.action != "create":
        return item
    state = journal.state(f"{digest[:16]}:{item.key}") if journal is not None else None
    recorded: Mapping[str, Any] = {}
    if state is not None and isinstance(state.item, Mapping):
        earlier = state.item.get("request")
        recorded = earlier if isinstance(earlier, Mapping) else {}
    request = dict(item.request)
    request.setdefault("pos_pin", recorded.get("pos_pin") or generate_pos_pin())
    if request.get("requires_backoffice"):
        request.setdefault(
            "backoffice_password",
            recorded.get("backoffice_password") or generate_backoffice_password(),
        )
    return item.model_copy(update={"request": request})
