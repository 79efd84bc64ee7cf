"""preflight_employees: every problem the tenant would find with a batch of hires, by reading."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from ..core import payloads as P
from ..core import sites
from ..core.text import norm
from ..errors import FieldIssue, NotFoundError
from ..models import CreateEmployeeRequest
from .catalogue import Catalogue
from .contacts import ContactIndex

__all__ = ["Preflight"]


class Preflight:
    """Checks hires against the tenant before any write.

    Args:
        catalogue: Sites, departments and templates.
        contacts: Taken POS User IDs, e-mails, phones and usernames.
    """

    def __init__(self, catalogue: Catalogue, contacts: ContactIndex) -> None:
        self._catalogue = catalogue
        self._contacts = contacts

    async def preflight_employees(
        self,
        requests: Sequence[CreateEmployeeRequest],
        *,
        check_unique: bool = True,
        max_at_once: int = 4,
    ) -> list[FieldIssue]:
        """Every problem the tenant would find with these hires, found by reading only.

        Names first: each request's sites, departments, wage site and templates must exist
        (the rules ``create_employee`` applies, so a hire that passes will not fail on a
        name). With ``check_unique`` also the values the server keeps unique: POS User ID,
        e-mail and phone (among employees, active or not, and Backoffice users) and the
        Backoffice username, both against the tenant and between the requests themselves: the
        roster, the ``/user/create`` dropdown and the Backoffice user list are read once for the
        whole batch (the server has no phone filter and the roster no e-mail column, protocol
        §10.2, §11.2), so the cost does not grow with the number of hires.

        Args:
            requests: The hires, as validated requests.
            check_unique: Also look for values already taken.
            max_at_once: Kept for compatibility (the checks no longer run per hire).

        Returns:
            One :class:`~sonnys_async.errors.FieldIssue` per problem, ``row`` being the
            request's position in ``requests`` (0-based); empty when all is well.
        """
        issues = await self._name_issues(requests)
        if check_unique:
            issues += await self._unique_issues(requests)
        return sorted(issues, key=lambda i: (i.row or 0, i.field))

    async def _name_issues(self, requests: Sequence[CreateEmployeeRequest]) -> list[FieldIssue]:
        tree = await self._catalogue.get_site_tree()
        departments = await self._catalogue.list_departments()
        pos_templates = await self._catalogue.list_pos_templates()
        needs_bo = any(r.requires_backoffice for r in requests)
        bo_templates = await self._catalogue.list_backoffice_templates() if needs_bo else []
        issues: list[FieldIssue] = []

        def check(row: int, name: str, resolve: Callable[[], object]) -> None:
            try:
                resolve()
            except NotFoundError as exc:
                issues.append(FieldIssue(name, str(exc), row))

        for row, req in enumerate(requests):
            check(row, "available_sites", partial(sites.resolve, tree, req.available_sites))
            check(row, "permission", partial(P.resolve_pos_template, pos_templates, req.permission))
            if req.departments:
                check(
                    row, "departments", partial(P.resolve_departments, departments, req.departments)
                )
            if req.wage_site is not None:
                check(row, "wage_site", partial(sites.resolve, tree, [req.wage_site]))
            if req.requires_backoffice:
                bo_name = req.backoffice_permission or req.permission
                check(
                    row,
                    "backoffice_permission",
                    partial(P.resolve_bo_template, bo_templates, bo_name),
                )
        return issues

    async def _unique_issues(self, requests: Sequence[CreateEmployeeRequest]) -> list[FieldIssue]:
        issues: list[FieldIssue] = []
        first_seen: dict[tuple[str, str], int] = {}
        for row, req in enumerate(requests):
            for field, value in (
                ("pos_user_id", str(req.pos_user_id)),
                ("email", norm(req.email)),
                ("phone", req.phone),
                ("backoffice_username", norm(req.backoffice_username)),
            ):
                if not value:
                    continue
                earlier = first_seen.setdefault((field, value), row)
                if earlier != row:
                    issues.append(FieldIssue(field, f"same value as request {earlier}", row))
        # Three list reads for the whole batch, however many hires: fresh, not cached.
        held = await self._contacts.holders(refresh=True)
        for row, req in enumerate(requests):
            if req.pos_user_id in held.pos_user_ids:
                issues.append(FieldIssue("pos_user_id", "already in use", row))
            email = norm(req.email)
            if email in held.employee_emails or email in held.user_emails:
                issues.append(
                    FieldIssue("email", "already in use by an employee or a Backoffice user", row)
                )
            if req.phone in held.phones:
                issues.append(FieldIssue("phone", "already in use by an employee", row))
            username = norm(req.backoffice_username)
            if username and username in held.usernames:
                issues.append(
                    FieldIssue("backoffice_username", "already taken by a Backoffice user", row)
                )
        return issues
