"""Employee pages (list, create, edit, access, compensation) and their form POSTs (§6-§10)."""

from __future__ import annotations

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.listing import employee_listing
from sonnys_async.sandbox.responses import Response, html_page, redirect
from sonnys_async.sandbox.routing import page_and_limit, record_id
from sonnys_async.sandbox.rules import employees as rules
from sonnys_async.sandbox.rules.body import parse_body
from sonnys_async.sandbox.rules.messages import MSG_UNKNOWN_EMPLOYEE
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredEmployee

__all__ = [
    "compensation_page",
    "compensation_update",
    "create_form",
    "edit_form",
    "insert",
    "list_page",
    "permissions_page",
    "permissions_update",
    "update",
]


def list_page(server: Server, request: Request) -> Response:
    """``GET /employee[/<page>[:<limit>]]``: filters, sort and pager (§10)."""
    page, path_limit = page_and_limit(request.args)
    viewer = server.state.users.get(request.session.user_id or -1)
    listing = employee_listing(server.state, viewer, page, path_limit, request.params)
    return html_page(server.views.employee_list(listing, server.take_flash(request.session)))


def create_form(server: Server, request: Request) -> Response:
    """``GET /employee/create``: the blank form (§6)."""
    flash = server.take_flash(request.session)
    return html_page(server.views.employee_form(None, flash, server.today()))


def _employee(server: Server, request: Request) -> StoredEmployee | None:
    return server.state.employees.get(record_id(request.args["id"]) or -1)


def _unknown(request: Request) -> Response:
    # Mirrors the captured "Unable to locate user." answer of the BO pages (§13.4, §16.2); the
    # employee wording is a sandbox choice (docs/sandbox.md, choice 26).
    request.session.flash = Flash("danger", (MSG_UNKNOWN_EMPLOYEE,))
    return redirect("/employee")


def edit_form(server: Server, request: Request) -> Response:
    """``GET /employee/edit/<id>`` (§8)."""
    emp = _employee(server, request)
    if emp is None:
        return _unknown(request)
    flash = server.take_flash(request.session)
    return html_page(server.views.employee_form(emp, flash, server.today()))


def permissions_page(server: Server, request: Request) -> Response:
    """``GET /employee/permissions/<id>`` (§7)."""
    emp = _employee(server, request)
    if emp is None:
        return _unknown(request)
    return html_page(server.views.employee_permissions(emp, server.take_flash(request.session)))


def compensation_page(server: Server, request: Request) -> Response:
    """``GET /employee/compensation/<id>`` (§9)."""
    emp = _employee(server, request)
    if emp is None:
        return _unknown(request)
    flash = server.take_flash(request.session)
    return html_page(server.views.compensation(emp, flash, server.today()))


def insert(server: Server, request: Request) -> Response:
    """``POST /employee/insert`` (§6)."""
    result = rules.employee_insert(server.state, parse_body(request.body), server.now())
    return server.answer_post(request.session, result)


def update(server: Server, request: Request) -> Response:
    """``POST /employee/update`` (§8)."""
    result = rules.employee_update(server.state, parse_body(request.body), server.now())
    return server.answer_post(request.session, result)


def permissions_update(server: Server, request: Request) -> Response:
    """``POST /employee/permissions/update`` (§7.5)."""
    result = rules.employee_permissions_update(server.state, parse_body(request.body))
    return server.answer_post(request.session, result)


def compensation_update(server: Server, request: Request) -> Response:
    """``POST /employee/compensation/update`` (§9.3)."""
    result = rules.employee_compensation_update(server.state, parse_body(request.body))
    return server.answer_post(request.session, result)
