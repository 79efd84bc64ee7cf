"""The pages a handler can answer with, one method per page, rendered from the templates.

A :class:`Views` belongs to one sandbox: it renders the page chrome (top bar and sidebar) once,
keeps per-tenant lookups, and caches rendered fragments (site trees, list rows, permission
groups), each keyed by everything it shows.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from sonnys_async.sandbox.listing import EmployeeListing, UserListing
from sonnys_async.sandbox.reference import BO_TEMPLATE_LIST, POS_TEMPLATE_LIST
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState
from sonnys_async.sandbox.views.common import (
    Chrome,
    Document,
    FlashPage,
    Page,
    StubPage,
    TemplateListPage,
    TenantLookups,
)
from sonnys_async.sandbox.views.employees import (
    EmployeeRow,
    PosGroupKey,
    compensation_context,
    employee_form_context,
    employee_list_context,
    employee_permissions_context,
    pos_groups,
    wage_sites,
)
from sonnys_async.sandbox.views.env import FragmentCache, render, render_markup
from sonnys_async.sandbox.views.site_tree import SiteTrees
from sonnys_async.sandbox.views.users import (
    BoGroupKey,
    UserRow,
    user_create_context,
    user_edit_context,
    user_list_context,
    user_permissions_context,
)

__all__ = ["Views"]

#: Length of one filler line of the sidebar (chrome.html.j2), to pad ``sidebar_kb``.
_FILLER_LINE_BYTES = 159
#: The POS permission matrix groups (static reference data).
_POS_GROUPS = pos_groups()


class Views:
    """The simulated pages of one tenant.

    Args:
        state: the tenant's stored records (read when rendering).
        sidebar_kb: pad the sidebar to about this many KB (0 = five links).
    """

    def __init__(self, state: TenantState, sidebar_kb: int) -> None:
        self._state = state
        self._lookups = TenantLookups.of(state.tenant)
        self._trees = SiteTrees(state.tenant.tree)
        self._employee_rows: FragmentCache[EmployeeRow] = FragmentCache()
        self._user_rows: FragmentCache[UserRow] = FragmentCache()
        self._pos_groups: FragmentCache[PosGroupKey] = FragmentCache()
        self._bo_groups: FragmentCache[BoGroupKey] = FragmentCache()
        self._all_wage_sites = wage_sites(self._lookups, state.tenant.tree.site_ids)
        filler = sidebar_kb * 1024 // _FILLER_LINE_BYTES + 1 if sidebar_kb > 0 else 0
        chrome: Chrome = {"display_name": state.bot.full_name, "filler_lines": filler}
        self._chrome = render_markup("chrome.html.j2", chrome)

    def _page(self, title_suffix: str | None, flash: Flash | None) -> FlashPage:
        return {"title_suffix": title_suffix, "flash": flash}

    def _document(self, template: str, context: Page) -> str:
        """Render a page template, then the authenticated document around it."""
        document: Document = {
            "chrome": self._chrome,
            "title_suffix": context["title_suffix"],
            "main": Markup(render(template, context)),
        }
        return render("base.html.j2", document)

    # --- session and general pages
    def login(self, flash: Flash | None) -> str:
        """``GET /login`` (logged-out layout, no chrome)."""
        context: FlashPage = {"title_suffix": "Login", "flash": flash}
        return render("login.html.j2", context)

    def dashboard(self, flash: Flash | None) -> str:
        """``GET /``."""
        return self._document("dashboard.html.j2", self._page(None, flash))

    def not_found(self) -> str:
        """The 404 page."""
        return self.stub("Page Not Found", None)

    def stub(self, title: str, text: str | None) -> str:
        """A page for an area the sandbox does not simulate."""
        context: StubPage = {"title_suffix": title, "text": text}
        return self._document("stub.html.j2", context)

    def template_list(self, *, bo: bool) -> str:
        """A template list page (§15)."""
        title = "BO Permission Templates List" if bo else "POS Permission Templates List"
        context: TemplateListPage = {
            "title_suffix": title,
            "prefix": "/bo-permission-template" if bo else "/pos-permission-template",
            "rows": BO_TEMPLATE_LIST if bo else POS_TEMPLATE_LIST,
        }
        return self._document("template_list.html.j2", context)

    # --- employees
    def employee_list(self, listing: EmployeeListing, flash: Flash | None) -> str:
        """``GET /employee[/<page>]``."""
        base = self._page("Employees", flash)
        context = employee_list_context(
            base, self._state, self._lookups, listing, self._employee_rows
        )
        return self._document("employee_list.html.j2", context)

    def employee_form(self, emp: StoredEmployee | None, flash: Flash | None, today: date) -> str:
        """``GET /employee/create`` (``emp`` None) or ``GET /employee/edit/<id>``."""
        title = "Create Employee" if emp is None else f"Edit {emp.full_name}"
        selection = frozenset[int]() if emp is None else emp.sites
        context = employee_form_context(
            self._page(title, flash),
            self._lookups.departments_by_name,
            emp,
            today,
            self._trees.markup(selection, bo=False),
            self._all_wage_sites,
        )
        return self._document("employee_form.html.j2", context)

    def employee_permissions(self, emp: StoredEmployee, flash: Flash | None) -> str:
        """``GET /employee/permissions/<id>``."""
        base = self._page(f"Employee Access for {emp.full_name}", flash)
        return self._document(
            "employee_permissions.html.j2",
            employee_permissions_context(base, emp, _POS_GROUPS, self._pos_groups),
        )

    def compensation(self, emp: StoredEmployee, flash: Flash | None, today: date) -> str:
        """``GET /employee/compensation/<id>``."""
        base = self._page(f"Compensation for {emp.full_name}", flash)
        context = compensation_context(base, self._state, self._lookups, emp, today)
        return self._document("employee_compensation.html.j2", context)

    # --- Backoffice users
    def user_list(self, listing: UserListing, flash: Flash | None) -> str:
        """``GET /user[/<page>]``."""
        base = self._page("Back Office Users", flash)
        return self._document(
            "user_list.html.j2", user_list_context(base, self._state, listing, self._user_rows)
        )

    def user_create(self, flash: Flash | None) -> str:
        """``GET /user/create``."""
        base = self._page("Create Back Office User", flash)
        return self._document("user_create.html.j2", user_create_context(base, self._state))

    def user_edit(self, user: StoredUser, flash: Flash | None) -> str:
        """``GET /user/edit/<id>``."""
        base = self._page(f"Edit Back Office User for {user.full_name}", flash)
        return self._document("user_edit.html.j2", user_edit_context(base, user))

    def user_permissions(self, user: StoredUser, flash: Flash | None) -> str:
        """``GET /user/permissions/<id>``."""
        base = self._page(f"Back Office Access Control for {user.full_name}", flash)
        tree = self._trees.markup(user.sites, bo=True)
        context = user_permissions_context(base, user, flash, tree, self._bo_groups)
        return self._document("user_permissions.html.j2", context)
