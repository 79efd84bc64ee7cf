"""Interim facade over render.py (replaced by templates)."""

from __future__ import annotations

from datetime import date

from sonnys_async.sandbox import render
from sonnys_async.sandbox.listing import EmployeeListing, UserListing
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState


class Views:
    def __init__(self, state: TenantState, sidebar_kb: int) -> None:
        self._state = state
        self._layout = render.Layout(state.bot.full_name, sidebar_kb)

    def login(self, flash: Flash | None) -> str:
        return render.login_page(flash)

    def dashboard(self, flash: Flash | None) -> str:
        return render.dashboard(self._layout, flash)

    def not_found(self) -> str:
        return render.not_found(self._layout)

    def stub(self, title: str, text: str) -> str:
        return render.simple_page(self._layout, title, text)

    def template_list(self, *, bo: bool) -> str:
        return render.template_list(self._layout, bo=bo)

    def employee_list(self, listing: EmployeeListing, flash: Flash | None) -> str:
        return render.employee_list(
            self._layout,
            self._state,
            listing.rows,
            flash=flash,
            filters=listing.filters,
            sites_filter=listing.sites_filter,
            page=listing.page,
            last_page=listing.last_page,
            query=listing.query,
            sort_type=listing.sort_type,
            sort_dir=listing.sort_dir,
        )

    def employee_form(self, emp: StoredEmployee | None, flash: Flash | None, today: date) -> str:
        return render.employee_form(self._layout, self._state, emp, flash, today)

    def employee_permissions(self, emp: StoredEmployee, flash: Flash | None) -> str:
        return render.employee_permissions(self._layout, emp, flash)

    def compensation(self, emp: StoredEmployee, flash: Flash | None, today: date) -> str:
        return render.compensation(self._layout, self._state, emp, flash, today)

    def user_list(self, listing: UserListing, flash: Flash | None) -> str:
        return render.user_list(
            self._layout,
            self._state,
            listing.rows,
            flash=flash,
            filters=listing.filters,
            page=listing.page,
            last_page=listing.last_page,
            query=listing.query,
            base="/user",
        )

    def user_create(self, flash: Flash | None) -> str:
        return render.user_create(self._layout, self._state, flash)

    def user_edit(self, user: StoredUser, flash: Flash | None) -> str:
        return render.user_edit(self._layout, user, flash)

    def user_permissions(self, user: StoredUser, flash: Flash | None) -> str:
        return render.user_permissions(self._layout, self._state, user, flash)
