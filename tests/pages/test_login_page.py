"""The login page (§3.1): its alert, telling it from other pages, and bounced forms (§2.4)."""

from __future__ import annotations

import pytest
from conftest import fixture_html
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.core import pages

EMPTY_ALERTS = '<div class="alerts alerts-server">\n            </div>'


def danger(body: str) -> str:
    """A danger alert as the server renders it (§2.5)."""
    return (
        '<div class="alert alert-danger with-glyph" role="alert">'
        '<span class="glyphicon glyphicon-exclamation-sign" aria-hidden="true"></span>'
        f'<span class="sr-only">Error:</span>{body}</div><!-- /alert-danger -->'
    )


def login_page_with(alert: str) -> str:
    """The captured login page with ``alert`` in its (empty) server alert block."""
    page = fixture_html("login_page.html")
    assert EMPTY_ALERTS in page
    return page.replace(EMPTY_ALERTS, f'<div class="alerts alerts-server">{alert}</div>')


# --------------------------------------------------------------------------- the alert


def test_the_captured_login_page_has_no_alert() -> None:
    assert pages.login_alert(fixture_html("login_page.html")) is None


def test_the_alert_message_without_its_label() -> None:
    page = login_page_with(danger("<p>Invalid credentials.</p>"))
    assert pages.login_alert(page) == "Invalid credentials."
    assert pages.login_alert(LexborHTMLParser(page)) == "Invalid credentials."


def test_whitespace_is_collapsed_and_every_message_kept() -> None:
    page = login_page_with(
        danger("<ul><li>Too many failed login attempts,\n   please try again</li><li>later.</li>")
        + "</ul>"
    )
    assert pages.login_alert(page) == "Too many failed login attempts, please try again later."


def test_a_danger_alert_outside_the_server_block_is_read_too() -> None:
    page = f"<html><body>{danger('<p>Account locked.</p>')}</body></html>"
    assert pages.login_alert(page) == "Account locked."


def test_an_empty_alert_or_a_success_alert_is_no_reason() -> None:
    assert pages.login_alert(login_page_with(danger(""))) is None
    success = (
        '<div class="alert alert-success"><span class="sr-only">Success:</span><p>Hi</p></div>'
    )
    assert pages.login_alert(login_page_with(success)) is None


# --------------------------------------------------------------------------- the login page test


def test_the_login_page_is_recognised_by_its_two_inputs() -> None:
    assert pages.is_login_page(fixture_html("login_page.html"))
    assert pages.is_login_page(login_page_with(danger("<p>Invalid credentials.</p>")))
    single_quoted = "<form><input name='_username'><input name='_password'></form>"
    assert pages.is_login_page(single_quoted)


@pytest.mark.parametrize(
    "html",
    [
        "<form><input name='_username'></form>",  # one input is not the login form
        '<p>The fields are name="_username" and name="_password".</p>',  # named, not inputs
        "<html><body>page /employee</body></html>",
    ],
)
def test_other_pages_are_not_the_login_page(html: str) -> None:
    assert not pages.is_login_page(html)


# --------------------------------------------------------------------------- bounced forms


@pytest.mark.parametrize(
    "location",
    [
        "/employee/edit/485?actionXfer=TOzz5LjN",
        "/employee/create?actionXfer=QjlJuNJ7",
        "/user/permissions/3312102?userIsNew=&actionXfer=D21avdTP",
        "https://washu.sonnyscontrols.com/user/create?actionXfer=Ex9AQle1",
    ],
)
def test_a_form_sent_back_with_messages_is_a_bounce(location: str) -> None:
    assert pages.is_bounce(location)


@pytest.mark.parametrize(
    "location",
    [
        "/employee",
        "/user",
        "/employee/permissions/486",
        "/user/permissions/3312102?userIsNew=1",
        "/",
        "/login",
    ],
)
def test_success_targets_are_not_bounces(location: str) -> None:
    assert not pages.is_bounce(location)


@pytest.mark.parametrize(
    ("shell", "bounced"),
    [
        ("employee_update_minimal_disable_response.html", True),
        ("w45v2_user_permissions_response.html", True),
        ("w45_user_insert_response.html", True),
        ("employee_insert_response.html", False),
    ],
)
def test_captured_redirect_shells(shell: str, bounced: bool) -> None:
    target = pages.redirect_target(fixture_html(shell))
    assert target is not None
    assert pages.is_bounce(target) is bounced
