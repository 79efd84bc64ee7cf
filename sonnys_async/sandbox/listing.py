"""List pages' filtering, sorting and paging: the employee list (§10) and the BO user list (§12).

Pure functions of the stored state and the query: which rows a page shows, in which order, how
many pages there are, and the query string the server writes into its pager and sort links.
Rendering lives in :mod:`sonnys_async.sandbox.views`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from sonnys_async.core.text import to_int
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState

__all__ = [
    "DEFAULT_LIMIT",
    "EmployeeListing",
    "Pager",
    "PagerLink",
    "SortLink",
    "UserListing",
    "employee_listing",
    "employee_pager",
    "employee_sort_link",
    "page_size",
    "pager_pages",
    "user_listing",
    "user_pager",
    "user_sort_link",
]

#: Rows per page without a ``limit``.
DEFAULT_LIMIT = 25
_SITES_KEY = re.compile(r"sites\[\d*\]")
_USER_NEEDLES = ("firstNameSearch", "lastNameSearch", "userNameSearch", "emailSearch")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class EmployeeListing:
    """One page of ``GET /employee[/<page>]``: rows, echoed filters, pager and sort state."""

    rows: Sequence[StoredEmployee]
    #: ``first_name``, ``last_name``, ``posUserId`` as typed, ``active`` as understood.
    filters: dict[str, str]
    sites_filter: Sequence[int]
    page: int
    last_page: int
    #: The query the server writes into pager and sort links, in its order.
    query: list[tuple[str, str]]
    sort_type: str
    sort_dir: int


@dataclass(frozen=True, slots=True)
class UserListing:
    """One page of ``GET /user[/<page>]``: rows, echoed filters, pager state."""

    rows: Sequence[StoredUser]
    #: The four ``*Search`` filters as typed and ``statusSearch`` as understood.
    filters: dict[str, str]
    page: int
    last_page: int
    #: The query the server writes into pager and sort links, in its order.
    query: list[tuple[str, str]]


def page_size(raw: str | None, path_limit: int | None) -> int:
    """Rows per page: ``limit=`` (up to 8 ASCII digits) over the path's ``:<limit>``, else 25."""
    value = path_limit
    from_query = to_int(raw, max_digits=8)
    if from_query is not None:
        value = from_query
    return value if value and value > 0 else DEFAULT_LIMIT


def _paginate(rows: list[_T], page: int, limit: int) -> tuple[list[_T], int]:
    last_page = max(1, math.ceil(len(rows) / limit))
    chunk = rows[(page - 1) * limit : page * limit] if page >= 1 else []
    return chunk, last_page


def employee_listing(
    state: TenantState,
    viewer: StoredUser | None,
    page: int,
    path_limit: int | None,
    params: list[tuple[str, str]],
) -> EmployeeListing:
    """Filter, sort and page the employees a viewer can see (§10; choices in docs/sandbox.md 13).

    Args:
        state: the stored records.
        viewer: the logged-in BO user (employees without one of their sites are not listed).
        page: the 1-based page of the path (``/employee/<page>``).
        path_limit: the path's ``:<limit>``, if any.
        params: the query pairs in order.
    """
    single = dict(params)
    first = single.get("first_name", "").strip().lower()
    last = single.get("last_name", "").strip().lower()
    pos_raw = single.get("posUserId", "").strip()
    active = single.get("active", "active")
    if active not in ("active", "inactive", "all"):
        active = "active"
    site_filter: list[int] = []
    for k, v in params:
        if _SITES_KEY.fullmatch(k) and (sid := to_int(v, max_digits=11)) is not None:
            site_filter.append(sid)
    limit = page_size(single.get("limit"), path_limit)
    sort_type = single.get("sort_type", "first_name")
    if sort_type not in ("first_name", "last_name"):
        sort_type = "first_name"
    sort_dir = -1 if single.get("sort_dir") == "-1" else 1
    visible = state.site_ids_of(viewer.sites) if viewer else frozenset()
    wanted = set(site_filter)
    rows: list[StoredEmployee] = []
    pos_wanted = pos_raw.lstrip("0")
    for e in state.employees.values():
        # The cheap tests first: a search by POS User ID (every hire's read-back) scans them all.
        if pos_raw and str(e.pos_user_id) != pos_wanted:
            continue
        if (active == "active" and not e.active) or (active == "inactive" and e.active):
            continue
        if first and not e.first_name.lower().startswith(first):
            continue
        if last and not e.last_name.lower().startswith(last):
            continue
        sites = state.site_ids_of(e.sites)
        if not sites & visible:
            continue  # employees without an available (visible) site are not listed
        if wanted and not sites & wanted:
            continue
        rows.append(e)
    by_first = sort_type == "first_name"

    def sort_key(e: StoredEmployee) -> tuple[str, str, str, int]:
        primary = e.first_name.lower() if by_first else e.last_name.lower()
        return (primary, e.last_name.lower(), e.first_name.lower(), e.id)

    rows.sort(key=sort_key)
    if sort_dir == -1:
        rows.reverse()
    chunk, last_page = _paginate(rows, page, limit)
    query: list[tuple[str, str]] = [("sort_type", sort_type), ("sort_dir", str(sort_dir))]
    for name in ("first_name", "last_name", "posUserId"):
        if single.get(name):
            query.append((name, single[name]))
    query.append(("active", active))
    # Without a site filter the server writes every site the user can see into its pager
    # and sort links, in option (short-code) order (§10.2, employee_search_by_name.html).
    link_sites = site_filter or [
        s.id
        for s in sorted(state.tenant.tree.sites, key=lambda s: (s.code or s.name).lower())
        if s.id in visible
    ]
    query += [(f"sites[{i}]", str(s)) for i, s in enumerate(link_sites)]
    if limit != DEFAULT_LIMIT:
        query.append(("limit", str(limit)))
    filters = {k: single.get(k, "") for k in ("first_name", "last_name", "posUserId")}
    filters["active"] = active
    return EmployeeListing(
        rows=chunk,
        filters=filters,
        sites_filter=site_filter,
        page=page,
        last_page=last_page,
        query=query,
        sort_type=sort_type,
        sort_dir=sort_dir,
    )


def user_listing(
    state: TenantState, page: int, path_limit: int | None, params: list[tuple[str, str]]
) -> UserListing:
    """Filter, sort and page the BO users (§12; choices in docs/sandbox.md 14).

    Args:
        state: the stored records.
        page: the 1-based page of the path (``/user/<page>``).
        path_limit: the path's ``:<limit>``, if any.
        params: the query pairs in order.
    """
    single = dict(params)
    needles = {k: single.get(k, "").strip().lower() for k in _USER_NEEDLES}
    status = single.get("statusSearch", "all")
    if status not in ("all", "active", "inactive"):
        status = "all"
    limit = page_size(single.get("limit"), path_limit)
    rows: list[StoredUser] = []
    for u in state.users.values():
        if (status == "active" and u.is_deleted) or (status == "inactive" and not u.is_deleted):
            continue
        fields = {
            "firstNameSearch": u.first_name,
            "lastNameSearch": u.last_name,
            "userNameSearch": u.username,
            "emailSearch": u.email,
        }
        if any(n and n not in fields[k].lower() for k, n in needles.items()):
            continue
        rows.append(u)
    if single.get("sort_type") == "active":
        rows.sort(key=lambda u: (u.is_deleted, u.username.lower()))
    else:
        rows.sort(key=lambda u: u.username.lower())
    if single.get("sort_dir") == "-1":
        rows.reverse()
    chunk, last_page = _paginate(rows, page, limit)
    query: list[tuple[str, str]] = [
        ("sort_type", single.get("sort_type", "username")),
        ("sort_dir", single.get("sort_dir", "1")),
    ]
    query += [(k, single[k]) for k in needles if single.get(k)]
    query.append(("statusSearch", status))
    if limit != DEFAULT_LIMIT:
        query.append(("limit", str(limit)))
    return UserListing(
        rows=chunk,
        filters={**{k: single.get(k, "") for k in needles}, "statusSearch": status},
        page=page,
        last_page=last_page,
        query=query,
    )


def pager_pages(current: int, last: int) -> list[int | None]:
    """The page numbers a pager shows, ``None`` for a gap (§10.5, §12.3).

    Pages 1-2, the current page +/- 2 and the last two, in order; an out-of-range current page
    extends the range to itself.
    """
    top = max(last, current)
    shown = sorted(
        {n for n in (1, 2, top - 1, top) if 1 <= n <= top}
        | {n for n in range(current - 2, current + 3) if 1 <= n <= top}
    )
    out: list[int | None] = []
    prev = 0
    for n in shown:
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out


@dataclass(frozen=True, slots=True)
class PagerLink:
    """One entry of a pager: a page number with its link, or a gap (``number`` None)."""

    number: int | None
    href: str = ""
    current: bool = False


@dataclass(frozen=True, slots=True)
class Pager:
    """``nav#pager-<kind>``: previous/next links and the page entries."""

    kind: str
    prev_href: str | None
    next_href: str | None
    links: tuple[PagerLink, ...]


@dataclass(frozen=True, slots=True)
class SortLink:
    """A sortable column header: its link, ``sorted``/``not-sorted`` classes, sort icon and the
    icon's screen-reader text (captured: ``fa-sort`` "(Sortable)", ``fa-sort-asc`` "(Sorted
    Ascending)"; the descending pair is inferred)."""

    href: str
    css: str
    icon: str = "fa-sort"
    state: str = "(Sortable)"


def _sort_link(href: str, is_sorted: bool, descending: bool) -> SortLink:
    if not is_sorted:
        return SortLink(href, "not-sorted")
    if descending:
        return SortLink(href, "sorted sorted-desc", "fa-sort-desc", "(Sorted Descending)")
    return SortLink(href, "sorted sorted-asc", "fa-sort-asc", "(Sorted Ascending)")


def _pager(kind: str, page: int, last: int, href: Callable[[int], str]) -> Pager | None:
    if last <= 1 and page <= 1:
        return None
    links = tuple(
        PagerLink(None) if n is None else PagerLink(n, href(n), n == page)
        for n in pager_pages(page, last)
    )
    return Pager(
        kind=kind,
        prev_href=href(page - 1) if page > 1 else None,
        next_href=href(page + 1) if page < last else None,
        links=links,
    )


def employee_pager(listing: EmployeeListing) -> Pager | None:
    """The employee list's pager (``/employee/<n>?<query>``), or ``None`` for a single page."""
    q = f"?{urlencode(listing.query)}" if listing.query else ""
    return _pager("employees", listing.page, listing.last_page, lambda n: f"/employee/{n}{q}")


def user_pager(listing: UserListing) -> Pager | None:
    """The BO user list's pager (page 1 is ``/user?<query>``), or ``None`` for a single page."""
    q = f"?{urlencode(listing.query)}" if listing.query else ""
    return _pager(
        "users",
        listing.page,
        listing.last_page,
        lambda n: f"/user{q}" if n == 1 else f"/user/{n}{q}",
    )


def employee_sort_link(listing: EmployeeListing, column: str) -> SortLink:
    """A column header link of the employee list: the sorted column's link flips direction."""
    is_sorted = listing.sort_type == column
    new_dir = -listing.sort_dir if is_sorted else 1
    rest = [(k, v) for k, v in listing.query if k not in ("sort_type", "sort_dir")]
    href = "/employee?" + urlencode([("sort_type", column), ("sort_dir", str(new_dir)), *rest])
    return _sort_link(href, is_sorted, listing.sort_dir == -1)


def user_sort_link(listing: UserListing, column: str) -> SortLink:
    """A column header link of the BO user list.

    Captured: the link keeps the current page and page size in the path (``/user`` on a default
    page 1, ``/user/3312060?...`` in w45f_probe_3312060, ``/user/1:10000?...`` in
    w45_user_list_preflight); the sorted column's link flips the direction.
    """
    current = dict(listing.query)
    cur_type, cur_dir = current.get("sort_type", "username"), current.get("sort_dir", "1")
    limit = current.get("limit")
    page = listing.page
    seg = "/user" if page == 1 and not limit else f"/user/{page}" + (f":{limit}" if limit else "")
    rest = [(k, v) for k, v in listing.query if k not in ("sort_type", "sort_dir", "limit")]
    new_dir = ("1" if cur_dir == "-1" else "-1") if column == cur_type else "1"
    href = f"{seg}?" + urlencode([("sort_type", column), ("sort_dir", new_dir), *rest])
    return _sort_link(href, column == cur_type, cur_dir == "-1")
