"""Template contexts of the Backoffice user pages: list (§12), create (§11), edit (§14),
access (§13)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from sonnys_async.domain import ALL, BoTemplate
from sonnys_async.sandbox.catalogue import BO_PERMISSION_GROUPS
from sonnys_async.sandbox.listing import Pager, SortLink, UserListing, user_pager, user_sort_link
from sonnys_async.sandbox.reference import BO_TEMPLATES
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState
from sonnys_async.sandbox.views.common import FlashPage
from sonnys_async.sandbox.views.env import FragmentCache, macro

__all__ = [
    "BoGroupKey",
    "UserCreatePage",
    "UserEditPage",
    "UserListPage",
    "UserPermissionsPage",
    "UserRow",
    "user_create_context",
    "user_edit_context",
    "user_list_context",
    "user_permissions_context",
]


@dataclass(frozen=True, slots=True)
class UserRow:
    """One row of the BO user list, as displayed (phone: the linked employee's)."""

    id: int
    first_name: str
    last_name: str
    full_name: str
    username: str
    email: str
    phone: str
    is_deleted: bool


class UserListPage(FlashPage):
    """Context of ``user_list.html.j2``."""

    listing: UserListing
    #: Rendered ``user_row()`` per user.
    rows: list[Markup]
    sort_username: SortLink
    sort_active: SortLink
    page_links: Pager | None


def _phone(state: TenantState, user: StoredUser) -> str:
    if user.employee_id is not None and user.employee_id in state.employees:
        return state.employees[user.employee_id].phone
    return ""


_user_row = macro("macros/rows.html.j2", "user_row")


def _row(state: TenantState, u: StoredUser) -> UserRow:
    return UserRow(
        id=u.id,
        first_name=u.first_name,
        last_name=u.last_name,
        full_name=u.full_name,
        username=u.username,
        email=u.email,
        phone=_phone(state, u),
        is_deleted=u.is_deleted,
    )


def user_list_context(
    base: FlashPage, state: TenantState, listing: UserListing, row_cache: FragmentCache[UserRow]
) -> UserListPage:
    """The BO user list page for one :class:`UserListing` (rows cached per display)."""
    rows = []
    for u in listing.rows:
        row = _row(state, u)
        rows.append(row_cache.get(row, partial(_user_row, row)))
    return {
        **base,
        "listing": listing,
        "rows": rows,
        "sort_username": user_sort_link(listing, "username"),
        "sort_active": user_sort_link(listing, "active"),
        "page_links": user_pager(listing),
    }


class UserCreatePage(FlashPage):
    """Context of ``user_create.html.j2``."""

    employees: list[StoredEmployee]
    #: ``employee[email]`` and ``user[username]`` re-filled after a refused insert (§11.3).
    email: str
    username: str


def user_create_context(base: FlashPage, state: TenantState) -> UserCreatePage:
    """The create form: the active employees in the dropdown (every employee with
    ``user_create_lists_inactive``), by first then last name; after a refused insert the
    posted e-mail and username again (docs/sandbox.md, choice 15)."""
    everyone = state.options.user_create_lists_inactive
    employees = sorted(
        (e for e in state.employees.values() if everyone or e.active),
        key=lambda e: (e.first_name.lower(), e.last_name.lower(), e.id),
    )
    flash = base["flash"]
    return {
        **base,
        "employees": employees,
        "email": flash.echoed("employee[email]") if flash is not None else "",
        "username": flash.echoed("user[username]") if flash is not None else "",
    }


class UserEditPage(FlashPage):
    """Context of ``user_edit.html.j2``."""

    user: StoredUser
    all_sites: bool


def user_edit_context(base: FlashPage, user: StoredUser) -> UserEditPage:
    """The edit form of one BO user."""
    return {**base, "user": user, "all_sites": user.sites == ALL}


class UserPermissionsPage(FlashPage):
    """Context of ``user_permissions.html.j2``."""

    user: StoredUser
    site_tree: Markup
    templates: tuple[BoTemplate, ...]
    #: Rendered ``bo_permission_group()`` per group.
    groups: list[Markup]


#: Cache key of a rendered access group: (group key, its tokens shown granted).
BoGroupKey = tuple[str, frozenset[str]]
_bo_permission_group = macro("macros/permissions.html.j2", "bo_permission_group")
_GROUP_TOKENS = {g.key: frozenset(p.token for p in g.permissions) for g in BO_PERMISSION_GROUPS}


def user_permissions_context(
    base: FlashPage,
    user: StoredUser,
    flash: Flash | None,
    site_tree: Markup,
    group_cache: FragmentCache[BoGroupKey],
) -> UserPermissionsPage:
    """The access page; a rejected save's echoed tokens replace the stored ones (§13.4)."""
    echoed = flash.echo_tokens if flash is not None else None
    enabled = user.tokens if echoed is None else echoed
    groups = []
    for group in BO_PERMISSION_GROUPS:
        shown = enabled & _GROUP_TOKENS[group.key]
        groups.append(
            group_cache.get((group.key, shown), partial(_bo_permission_group, group, shown))
        )
    return {
        **base,
        "user": user,
        "site_tree": site_tree,
        "templates": BO_TEMPLATES,
        "groups": groups,
    }
