"""Backoffice user pages (list, create, edit, access) and their form POSTs (§11-§14)."""

from __future__ import annotations

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.listing import user_listing
from sonnys_async.sandbox.responses import Response, html_page, redirect
from sonnys_async.sandbox.routing import page_and_limit, record_id
from sonnys_async.sandbox.rules import users as rules
from sonnys_async.sandbox.rules.body import parse_body
from sonnys_async.sandbox.rules.messages import MSG_UNKNOWN_USER
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredUser

__all__ = [
    "create_form",
    "edit_form",
    "insert",
    "list_page",
    "permissions_page",
    "permissions_update",
    "update",
]


def list_page(server: Server, request: Request) -> Response:
    """``GET /user[/<page>[:<limit>]]``; ``/user/<n>`` is a list page even for a user id (§12.3)."""
    page, path_limit = page_and_limit(request.args)
    listing = user_listing(server.state, page, path_limit, request.params)
    return html_page(server.views.user_list(listing, server.take_flash(request.session)))


def create_form(server: Server, request: Request) -> Response:
    """``GET /user/create`` (§11)."""
    return html_page(server.views.user_create(server.take_flash(request.session)))


def _user(server: Server, request: Request) -> StoredUser | None:
    return server.state.users.get(record_id(request.args["id"]) or -1)


def _unknown(request: Request) -> Response:
    # Captured: w45f_probe_nav_permissions.html (§13.4, §16.2).
    request.session.flash = Flash("danger", (MSG_UNKNOWN_USER,))
    return redirect("/user")


def edit_form(server: Server, request: Request) -> Response:
    """``GET /user/edit/<id>`` (§14)."""
    user = _user(server, request)
    if user is None:
        return _unknown(request)
    return html_page(server.views.user_edit(user, server.take_flash(request.session)))


def permissions_page(server: Server, request: Request) -> Response:
    """``GET /user/permissions/<id>`` (§13)."""
    user = _user(server, request)
    if user is None:
        return _unknown(request)
    return html_page(server.views.user_permissions(user, server.take_flash(request.session)))


def insert(server: Server, request: Request) -> Response:
    """``POST /user/insert`` (§11.3)."""
    result = rules.user_insert(server.state, parse_body(request.body))
    return server.answer_post(request.session, result)


def update(server: Server, request: Request) -> Response:
    """``POST /user/update`` (§14)."""
    result = rules.user_update(server.state, parse_body(request.body))
    return server.answer_post(request.session, result)


def permissions_update(server: Server, request: Request) -> Response:
    """``POST /user/permissions/update`` (§13.4)."""
    result = rules.user_permissions_update(server.state, parse_body(request.body))
    return server.answer_post(request.session, result)
