"""apply_plan: a reviewed roster-sync plan, applied exactly, journaled and resumable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeAlias

from .._secrets import generate_backoffice_password, generate_pos_pin
from ..bulk import Bulk, Outcome, run_each
from ..errors import (
    BackofficeError,
    DuplicateError,
    FieldIssue,
    InputValidationError,
    NotFoundError,
    OutcomeUnknownError,
    StaleRecordError,
    WriteNotVerifiedError,
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
        :class:`~sonnys_async.errors.StaleRecordError` (plan again). New hires' PINs and the
        Backoffice passwords of new hires and rehires are drawn before they are journaled, so a
        run killed mid-way and run again with the same journal finishes what it started with
        the same credentials and applies nothing twice.

        A rehire whose row's other changes fail after it (e.g. an e-mail another employee
        holds) is ``unknown``, not failed: its error is a
        :class:`~sonnys_async.errors.WriteNotVerifiedError` whose ``partial`` is the rehire,
        with the login's new password. A rehire that may have landed is never run again in the
        same run; a run again with the journal reads the employee first, then applies only the
        other changes of a rehire that landed, or finishes an interrupted one with the
        journaled password.

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
            (a new hire's or rehire's drawn credentials in its ``request``).

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

        def key(item: SyncItem) -> str:
            # Keys name the plan: a journal of another plan finds none of this one's items.
            return f"{plan.digest[:16]}:{item.key}"

        tried: set[str] = set()  # items sent in this run

        async def one(item: SyncItem) -> SyncResult:
            tried.add(item.key)
            if item.action != "create":
                await self._check_fresh(item)
            return await self._apply(item, verify)

        async def resolve(item: SyncItem) -> SyncResult | None:
            # An earlier attempt of this item may have been applied (its record then differs
            # from the plan because of us): settle it without the freshness check.
            if item.action == "create":
                return await self._hiring.resume(_create_request(item, verify))
            if item.action == "rehire":
                # Never a blind re-run (a second password reset), also after a refusal that
                # ``resolve_on`` matches. Read before this run journals the key again.
                state = journal.state(key(item)) if journal is not None else None
                earlier = state.error if state is not None else None
                return await self._resume_rehire(
                    item, verify, tried=item.key in tried, earlier=earlier
                )
            return await self._apply(item, verify)

        return run_each(
            one,
            (_with_credentials(item, journal, plan.digest) for item in plan.actionable),
            key=key,
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
        modify = _modify_after_rehire(item, verify)  # validated before the rehire writes
        rehired = await self._rehiring.rehire_employee_from(
            RehireEmployeeRequest.model_validate({**request["rehire"], "verify": verify})
        )
        return await self._modify_rehired(rehired, modify)

    async def _modify_rehired(
        self, rehired: EmployeeRehired, modify: ModifyEmployeeRequest | None
    ) -> EmployeeRehired:
        """Apply a rehire item's other changes (e.g. a new e-mail) to the rehired employee."""
        if modify is None:
            return rehired
        try:
            await self._changes.modify_employee_from(modify)
        except BackofficeError as exc:
            # The rehire landed, the login's new password too: never "failed", and the rehire
            # is not run again (see ``_resume_rehire``). The password travels on ``partial``.
            partial = rehired.model_copy(
                update={
                    "verified": False,
                    "warnings": (*rehired.warnings, f"{_NOT_MODIFIED}: {exc}"),
                }
            )
            raise WriteNotVerifiedError(
                f"employee {rehired.employee_id} was rehired, but the row's other changes "
                f"were not applied: {exc}",
                what="employee",
                partial=partial,
            ) from exc
        return rehired

    async def _resume_rehire(
        self, item: SyncItem, verify: bool, *, tried: bool, earlier: object
    ) -> SyncResult | None:
        """Settle a rehire an earlier attempt may have applied, starting by reading the
        employee (a rehire is never re-run blindly: it resets the login's password).

        Still inactive: nothing of it landed (its first write reactivates the employee), so
        ``None``: it may be sent (``one`` checks the record is as planned first). Active:

        * tried in this run (``tried``: a refusal, or the end-of-run settlement): it is not
          sent again; it stays unknown;
        * an earlier run rehired them and only the row's other changes failed (``earlier``,
          the journaled error, says so): those changes are applied now (read first, as
          ``modify_employee`` does), the rehire is not run again;
        * else (a run killed mid-way, or the login step failed): the rehire is run again with
          the journaled password, as ``rehire_employees`` resumes (reactivating, sites and
          template again are no-ops; the password set is the one the journal holds).

        Raises:
            OutcomeUnknownError: Active and tried in this run; ``partial`` holds the password
                the rehire was sent with.
            WriteNotVerifiedError: The row's other changes failed again (``partial``: the
                rehire, with its password).
        """
        assert item.employee_id is not None
        edit = await self._roster.edit_page(item.employee_id)
        if not edit.active:
            return None
        if tried:
            password = item.request.get("rehire", {}).get("backoffice_password")
            raise OutcomeUnknownError(
                f"employee {item.employee_id} ({item.name}) is active again: this run's "
                "attempt may have rehired them; not sent again (run again with the journal to "
                "settle it; the Backoffice password it was sent with is kept)",
                url="",
                partial=EmployeeRehired(
                    employee_id=item.employee_id,
                    pos_user_id=edit.pos_user_id,
                    first_name=edit.first_name,
                    last_name=edit.last_name,
                    rehired_at=datetime.now(UTC),
                    backoffice_password=password,
                    verified=False,
                    warnings=("the Backoffice login may have been given this password",),
                ),
            )
        rehired = _rehired_earlier(earlier)
        if rehired is None:
            return await self._apply(item, verify)
        rehired = rehired.model_copy(
            update={
                "verified": verify,
                "warnings": tuple(w for w in rehired.warnings if not w.startswith(_NOT_MODIFIED)),
            }
        )
        return await self._modify_rehired(rehired, _modify_after_rehire(item, verify))


#: The warning that marks a rehire whose row's other changes failed (journaled with it).
_NOT_MODIFIED = "employee rehired; the row's other changes were not applied"


def _modify_after_rehire(item: SyncItem, verify: bool) -> ModifyEmployeeRequest | None:
    modify = item.request.get("modify")
    if modify is None:
        return None
    return ModifyEmployeeRequest.model_validate({**modify, "verify": verify})


def _rehired_earlier(error: object) -> EmployeeRehired | None:
    """The rehire a journaled error says landed, its row's other changes not (else ``None``)."""
    partial = _mapping(error, "partial")
    warnings = partial.get("warnings")
    if not isinstance(warnings, list | tuple) or not any(
        isinstance(w, str) and w.startswith(_NOT_MODIFIED) for w in warnings
    ):
        return None
    try:
        return EmployeeRehired.model_validate(partial)
    except ValueError:
        return None


def _create_request(item: SyncItem, verify: bool) -> CreateEmployeeRequest:
    return CreateEmployeeRequest.model_validate({**item.request, "verify": verify})


def _with_credentials(item: SyncItem, journal: Journal | None, digest: str) -> SyncItem:
    """A create item whose PIN (and Backoffice password), or a rehire item whose Backoffice
    password, is fixed before it is journaled: the ones an earlier attempt journaled, else new
    ones."""
    if item.action not in ("create", "rehire"):
        return item
    state = journal.state(f"{digest[:16]}:{item.key}") if journal is not None else None
    recorded = _mapping(state.item if state is not None else None, "request")
    request = dict(item.request)
    if item.action == "rehire":
        rehire = dict(request["rehire"])
        if rehire.get("restore_backoffice", True):
            rehire.setdefault(
                "backoffice_password",
                _mapping(recorded, "rehire").get("backoffice_password")
                or generate_backoffice_password(),
            )
        request["rehire"] = rehire
        return item.model_copy(update={"request": request})
    request.setdefault("pos_pin", recorded.get("pos_pin") or generate_pos_pin())
    if request.get("requires_backoffice"):
        request.setdefault(
            "backoffice_password",
            recorded.get("backoffice_password") or generate_backoffice_password(),
        )
    return item.model_copy(update={"request": request})


def _mapping(data: object, key: str) -> Mapping[str, Any]:
    """``data[key]`` when both are mappings (a journaled item read back), else empty."""
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, Mapping) else {}
