"""The read-back of a new employee: one roster row proves names, status, sites,
departments and POS access together (protocol §10.3)."""

from __future__ import annotations

from ..core import payloads as P
from ..core.sites import same_selection
from ..core.text import norm
from ..domain import PosTemplate
from ..errors import BackofficeError, WriteNotVerifiedError
from .catalogue import PosCatalogue
from .hire_plan import CreatePlan
from .pos_access import PosAccess
from .roster import Roster, same_name

__all__ = ["verify_created"]


async def verify_created(
    plan: CreatePlan,
    employee_id: int,
    template: PosTemplate,
    catalogue: PosCatalogue,
    *,
    roster: Roster,
    pos: PosAccess,
) -> None:
    """One roster row proves names, activity, sites (codes), departments and Access."""
    req, tree, selection = plan.req, plan.tree, plan.selection

    def fail(what: str, expected: object, actual: object) -> WriteNotVerifiedError:
        return WriteNotVerifiedError(
            f"employee {employee_id} created, but {what} reads back as {actual!r} "
            f"instead of {expected!r}",
            what=what,
            expected=expected,
            actual=actual,
            partial=plan.result(employee_id, verified=False),
        )

    try:
        rows = await roster.rows_by_pos_user_id(req.pos_user_id)
    except BackofficeError as exc:
        raise WriteNotVerifiedError(
            f"employee {employee_id} created, but the read-back failed: {exc}",
            what="read_back",
            partial=plan.result(employee_id, verified=False),
        ) from exc
    rows = [r for r in rows if r.employee_id == employee_id]
    if len(rows) != 1:
        # Employees without an available site are not listed (§10.3).
        raise fail("roster row", employee_id, [r.employee_id for r in rows])
    row = rows[0]
    if not same_name(row, req.first_name, req.last_name):
        raise fail("name", f"{req.first_name} {req.last_name}", f"{row.first_name} {row.last_name}")
    if not row.is_active:
        raise fail("status", "active", "inactive")
    want_codes = P.selection_codes(tree, selection)
    if want_codes is not None:
        got_codes = frozenset(c.casefold() for c in row.site_codes)
        if got_codes != want_codes:
            raise fail("sites", sorted(want_codes), sorted(got_codes))
    else:
        edit = await roster.edit_page(employee_id)
        if not same_selection(tree, edit.available_sites, selection):
            raise fail("sites", selection, edit.available_sites)
    want_deps = {norm(d.name) for d in plan.deps}
    got_deps = {norm(d) for d in row.departments}
    if want_deps != got_deps:
        raise fail("departments", sorted(want_deps), sorted(got_deps))
    # Access shows the applied template's name; several templates may share one grant set,
    # and a server could show "Custom": then the grants themselves decide.
    equal_names = {
        norm(n)
        for n in P.match_template_names(catalogue.templates, template.grants, template.overrides)
    }
    if norm(row.access) not in equal_names | {norm(template.name)} and not await pos.matches(
        employee_id, template
    ):
        raise fail("pos_template", template.name, row.access)
