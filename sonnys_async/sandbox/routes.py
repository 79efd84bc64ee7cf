"""The route table: every path the sandbox answers, with its method and handler.

Matching rules (``exact`` paths, segment patterns, ``{id}`` / ``{page:page}`` placeholders, HEAD as
GET) are in :mod:`sonnys_async.sandbox.routing`. Not listed: a GET, HEAD or POST that matches no
route gets the 404 page; any other method gets a plain-text 405. Authentication is checked before
routing (``Sandbox._handle``): every path but ``/login``, ``/login_check``, ``/logout`` and
``/forgot-password`` needs a logged-in session.
"""

from __future__ import annotations

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.handlers import auth, employees, pages, users
from sonnys_async.sandbox.responses import Response, method_not_allowed
from sonnys_async.sandbox.routing import Route, Router

__all__ = ["PUBLIC_PATHS", "ROUTER", "ROUTES"]

#: Paths served without a logged-in session.
PUBLIC_PATHS = frozenset({"/login", "/login_check", "/logout", "/forgot-password"})

ROUTES: tuple[Route, ...] = (
    # --- session (§3)
    Route("GET", "/login", auth.login_page, exact=True),
    Route("GET", "/logout", auth.logout, exact=True),
    Route("POST", "/login_check", auth.login_check, exact=True),
    Route("GET", "/", pages.dashboard, exact=True),
    # --- employees (§6-§10); unknown ids: 302 /employee with an alert
    Route("GET", "/employee", employees.list_page),
    Route("GET", "/employee/create", employees.create_form),
    Route("GET", "/employee/{page:page}", employees.list_page),
    Route("GET", "/employee/edit/{id}", employees.edit_form),
    Route("GET", "/employee/permissions/{id}", employees.permissions_page),
    Route("GET", "/employee/compensation/{id}", employees.compensation_page),
    Route("POST", "/employee/insert", employees.insert, exact=True),
    Route("POST", "/employee/update", employees.update, exact=True),
    Route("POST", "/employee/permissions/update", employees.permissions_update, exact=True),
    Route("POST", "/employee/compensation/update", employees.compensation_update, exact=True),
    # --- Backoffice users (§11-§14); /user/<n> is always a list page; unknown ids: 302 /user
    Route("GET", "/user", users.list_page),
    Route("GET", "/user/create", users.create_form),
    Route("GET", "/user/{page:page}", users.list_page),
    Route("GET", "/user/edit/{id}", users.edit_form),
    Route("GET", "/user/permissions/{id}", users.permissions_page),
    Route("POST", "/user/insert", users.insert, exact=True),
    Route("POST", "/user/update", users.update, exact=True),
    Route("POST", "/user/permissions/update", users.permissions_update, exact=True),
    # --- templates (§15) and stubs
    Route("GET", "/pos-permission-template/list", pages.pos_template_list, exact=True),
    Route("GET", "/bo-permission-template/list", pages.bo_template_list, exact=True),
    Route("GET", "/timesheet/{id}", pages.timesheet_stub),
    # --- a POST to a GET-only page: the 404 page with status 405
    Route("POST", "/", pages.not_allowed_page, exact=True),
    Route("POST", "/employee", pages.not_allowed_page, exact=True),
    Route("POST", "/employee/create", pages.not_allowed_page, exact=True),
    Route("POST", "/user", pages.not_allowed_page, exact=True),
    Route("POST", "/user/create", pages.not_allowed_page, exact=True),
)


def _bad_method(server: Server, request: Request) -> Response:
    return method_not_allowed()


#: The router over :data:`ROUTES`.
ROUTER = Router(ROUTES, fallback=pages.not_found, bad_method=_bad_method)
