"""Pages outside the employee and user areas: dashboard, template lists, stubs, 404 and 405."""

from __future__ import annotations

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.responses import Response, html_page

__all__ = [
    "bo_template_list",
    "dashboard",
    "not_allowed_page",
    "not_found",
    "pos_template_list",
    "timesheet_stub",
]


def dashboard(server: Server, request: Request) -> Response:
    """``GET /``: the dashboard with the pending alert."""
    return html_page(server.views.dashboard(server.take_flash(request.session)))


def pos_template_list(server: Server, request: Request) -> Response:
    """``GET /pos-permission-template/list`` (§15)."""
    return html_page(server.views.template_list(bo=False))


def bo_template_list(server: Server, request: Request) -> Response:
    """``GET /bo-permission-template/list`` (§15)."""
    return html_page(server.views.template_list(bo=True))


def timesheet_stub(server: Server, request: Request) -> Response:
    """``GET /timesheet/<id>``: not simulated, a stub page (docs/sandbox.md, choice 23)."""
    return html_page(server.views.stub("Timesheet", "Not simulated by the sandbox."))


def not_found(server: Server, request: Request) -> Response:
    """The 404 page (any unmatched GET, HEAD or POST)."""
    return html_page(server.views.not_found(), status=404)


def not_allowed_page(server: Server, request: Request) -> Response:
    """A POST to a GET-only list or create page: the 404 page's markup with status 405."""
    return html_page(server.views.not_found(), status=405)
