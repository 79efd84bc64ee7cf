"""Compensation, POS/BO permissions, user pages, template lists, alerts and detection."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import fixture_html

from sonnys_async.core import pages
from sonnys_async.domain import ALL
from sonnys_async.errors import PageStructureError
from sonnys_async.offline import inspect_page, replay_page

HTML_DIR = Path(__file__).parents[1] / "fixtures" / "html"


def test_compensation_page() -> None:
    page = pages.parse_compensation(fixture_html("employee_compensation_54.html"))
    assert page.employee_id == 54
    assert page.min_effective_date == date(2025, 7, 8)
    assert page.wage_site_ids == (1,)
    assert len(page.history) == 3
    current = page.history[0]
    assert current.is_current
    assert page.current == current
    assert current.rate == Decimal("14.75")
    assert current.overtime_rate == Decimal("22.13")
    assert current.overtime_eligible
    assert page.history[1].end_date == date(2025, 7, 7)
    assert not page.history[2].overtime_eligible
    assert page.history[2].overtime_rate is None


def test_pos_permissions_pages() -> None:
    page = pages.parse_pos_permissions(fixture_html("employee_permissions_485_before.html"))
    assert page.employee_id == 485
    assert [t.id for t in page.templates] == [1, 2, 3, 4, 5, 6, 8]
    assert page.template(3).grants == frozenset({22})
    assert page.template("Shift Leader").overrides == frozenset({18, 33})
    assert [p.id for p in page.permissions] == list(range(1, 35))
    assert page.permissions[0].label == "Manager Approval"
    assert page.granted == frozenset()
    custom = pages.parse_pos_permissions(fixture_html("employee_permissions_54.html"))
    assert len(custom.granted) == 22
    assert len(custom.overrides) == 9
    # DOM snapshot after a client-side template choice: attributes, not live state (§0).
    dom = pages.parse_pos_permissions(
        fixture_html("employee_permissions_485_after_template_select.html")
    )
    assert dom.employee_id == 485


def test_user_pages() -> None:
    create = pages.parse_user_create(fixture_html("user_create.html"))
    assert len(create.employees) == 192
    assert create.employees[0].employee_id == 54
    assert create.employees[0].email == "morris.stockton@example.invalid"
    assert sum(1 for e in create.employees if not e.email) == 43
    users = pages.parse_user_list(fixture_html("user_list.html"))
    assert users.rows[0].user_id == 2944451
    assert users.rows[0].username == "DRalstead"
    assert any(not r.is_active for r in users.rows)
    preflight = pages.parse_user_list(fixture_html("w45_user_list_preflight.html"))
    assert len(preflight.rows) == 79
    assert preflight.pager.last == 1
    assert not preflight.pager.has_next
    empty = pages.parse_user_list(fixture_html("w45f_probe_3312060.html.html"))
    assert empty.rows == ()
    edit = pages.parse_user_edit(fixture_html("w45f_user_edit_3312060.html"))
    assert (edit.user_id, edit.employee_id, edit.username) == (3312060, 487, "wrapperF8A1bo")
    assert edit.is_deleted
    assert not edit.universal_access


def test_user_permissions_pages() -> None:
    amber = pages.parse_user_permissions(fixture_html("w45f_user_permissions_2944451.html"))
    assert amber.user_id == 2944451
    assert amber.accessible_sites == ALL
    assert len(amber.tokens) == 105
    assert amber.tokens[0] == "category.list"
    assert amber.tokens[104] == "user.all"
    assert {"category.write", "employee.uac", "report.salesDetail"} <= amber.enabled
    assert [t.id for t in amber.templates] == [1, 2, 3, 42, 43]
    assert amber.template("general user").tokens[-1] == "vehicle.write"
    assert len(amber.template(3).tokens) == 14
    new = pages.parse_user_permissions(fixture_html("w45v2_user_permissions_page_3312102.html"))
    assert new.accessible_sites == frozenset()
    assert new.enabled == frozenset()
    post = pages.parse_user_permissions(
        fixture_html("w45v3_user_permissions_page_3312136_post.html")
    )
    assert {"category.list", "customer.list"} <= post.enabled
    assert "category.write" not in post.enabled
    assert len(new.tree.sites) == 19


def test_template_lists() -> None:
    pos = pages.parse_pos_template_list(fixture_html("w45f_pos-permission-template_list.html"))
    assert [r.id for r in pos] == [1, 2, 3, 4, 5, 6, 8]
    assert [r.editable for r in pos] == [False, False, False, True, True, True, True]
    assert pos[-1].name == "CSA"
    bo = pages.parse_bo_template_list(fixture_html("w45f_bo-permission-template_list.html"))
    assert [(r.id, r.name, r.description) for r in bo][:2] == [
        (1, "admin", "Administrator"),
        (2, "manager", "Manager"),
    ]


# §16.2, messages 1 and 6 of the minimal-disable capture, byte for byte.
_RAW_FIRST = "First Name must be  between 1 and 64 characters long."
_RAW_SITE = (
    "The employee must be assigned to at least one site. Please select a site where \n"
    + " " * 12
    + "the employee is Available to Work or set to inactive if they are no longer employed."
)


def test_alerts_raw_messages_are_byte_exact() -> None:
    alerts = pages.parse_alerts(fixture_html("employee_edit_484_after_minimal_disable.html"))
    assert len(alerts.raw_errors) == len(alerts.errors) == 8
    assert alerts.raw_errors[0] == _RAW_FIRST
    assert alerts.raw_errors[5] == _RAW_SITE
    assert alerts.raw_successes == alerts.successes == ()


def test_alerts_errors_are_whitespace_normalised() -> None:
    alerts = pages.parse_alerts(fixture_html("employee_edit_484_after_minimal_disable.html"))
    assert alerts.errors[0] == "First Name must be between 1 and 64 characters long."
    assert alerts.errors[1] == "Last Name must be between 1 and 64 characters long."
    # The doc's message 6 with single spaces (§16.2: "... select a site where" + space + "the").
    assert alerts.errors[5] == (
        "The employee must be assigned to at least one site. Please select a site where the "
        "employee is Available to Work or set to inactive if they are no longer employed."
    )
    assert alerts.errors == tuple(pages.normalized(e) for e in alerts.raw_errors)
    assert all("  " not in e and "\n" not in e for e in alerts.errors)
    assert alerts.errors[2] == alerts.raw_errors[2]  # ordinary messages are unchanged


def test_alert_successes_normalised_and_raw() -> None:
    ok = pages.parse_alerts(fixture_html("employee_permissions_485_after_minimal.html"))
    assert ok.successes == ("WrapperExplore DeleteMe-B2D8's permissions saved successfully",)
    assert ok.raw_successes == ok.successes
    assert ok.errors == ok.raw_errors == ()
    assert pages.parse_alerts(fixture_html("login_page.html")) == pages.Alerts()


def _alert_page(inner: str, kind: str = "danger") -> str:
    return (
        '<html><body><div class="alerts alerts-server">'
        f'<div class="alert alert-{kind} with-glyph" role="alert">'
        '<span class="sr-only">Error:</span>'
        f"{inner}</div></div></body></html>"
    )


def test_alert_li_wrapping_p_counts_once() -> None:
    html = _alert_page("<ul><li><p>One  thing.</p></li><li><p>Other\n thing.</p></li></ul>")
    alerts = pages.parse_alerts(html)
    assert alerts.errors == ("One thing.", "Other thing.")
    assert alerts.raw_errors == ("One  thing.", "Other\n thing.")


def test_alert_without_list_reads_paragraphs() -> None:
    alerts = pages.parse_alerts(_alert_page("<p>Saved.</p><p>Also  saved.</p>", "success"))
    assert alerts.successes == ("Saved.", "Also saved.")
    assert alerts.raw_successes == ("Saved.", "Also  saved.")
    # A <ul> anywhere in the alert means the <li> items are the messages, not stray <p>s.
    mixed = pages.parse_alerts(_alert_page("<p>Heading</p><ul><li>A.</li><li>B.</li></ul>"))
    assert mixed.errors == ("A.", "B.")


def test_alert_blank_items_are_skipped() -> None:
    alerts = pages.parse_alerts(_alert_page("<ul><li>  </li><li> Real. </li></ul>"))
    assert alerts.errors == ("Real.",)
    assert alerts.raw_errors == (" Real. ",)


EXPECTED_KINDS = {
    "employee_compensation_54.html": "compensation",
    "employee_create.html": "employee_create",
    "employee_edit_54.html": "employee_edit",
    "employee_insert_response.html": "redirect",
    "employee_permissions_54.html": "employee_permissions",
    "employee_search_by_name.html": "employee_list",
    "home.html": "dashboard",
    "login_page.html": "login",
    "post_login_landing.html": "dashboard",
    "user_create.html": "user_create",
    "user_list.html": "user_list",
    "w45f_bo-permission-template_list.html": "bo_template_list",
    "w45f_pos-permission-template_list.html": "pos_template_list",
    "w45f_user_edit_3312060.html": "user_edit",
    "w45f_user_permissions_2944451.html": "user_permissions",
}


@pytest.mark.parametrize(("name", "kind"), sorted(EXPECTED_KINDS.items()))
def test_detect_kind(name: str, kind: str) -> None:
    assert pages.detect_kind(fixture_html(name)) == kind
    assert pages.is_login_page(fixture_html(name)) == (kind == "login")


def test_redirect_targets() -> None:
    assert pages.redirect_target(fixture_html("w45v2_user_permissions_response.html")) == (
        "/user/permissions/3312102?userIsNew=&actionXfer=REDACTED"
    )
    assert pages.redirect_target(fixture_html("employee_insert_response.html")) == (
        "/employee/permissions/484"
    )
    assert pages.redirect_target(fixture_html("home.html")) is None


PARSERS = [
    (pages.parse_compensation, "employee_compensation_54.html", "compensation"),
    (pages.parse_pos_permissions, "employee_permissions_485_before.html", "employee_permissions"),
    (pages.parse_user_create, "user_create.html", "user_create"),
    (pages.parse_user_list, "user_list.html", "user_list"),
    (pages.parse_user_edit, "w45f_user_edit_3312060.html", "user_edit"),
    (pages.parse_user_permissions, "w45f_user_permissions_2944451.html", "user_permissions"),
    (pages.parse_pos_template_list, "w45f_pos-permission-template_list.html", "pos_template_list"),
    (pages.parse_bo_template_list, "w45f_bo-permission-template_list.html", "bo_template_list"),
    (pages.parse_employee_edit, "employee_edit_54.html", "employee_edit"),
    (pages.parse_employee_create, "employee_create.html", "employee_create"),
    (pages.parse_employee_list, "employee_search_by_name.html", "employee_list"),
]


@pytest.mark.parametrize(("parser", "name", "kind"), PARSERS)
def test_malformed_and_truncated_pages_name_kind_and_landmark(parser, name, kind) -> None:
    html = fixture_html(name)
    for cut in (0.3, 0.6, 0.95):
        with pytest.raises(PageStructureError) as info:
            parser(html[: int(len(html) * cut)])
        assert info.value.page == kind
        assert info.value.landmark
    with pytest.raises(PageStructureError) as info:
        parser(fixture_html("home.html"))
    assert info.value.page == kind
    assert kind in str(info.value)


def test_landmark_removed_from_a_complete_page() -> None:
    html = fixture_html("employee_edit_485_before_write3.html")
    broken = html.replace('name="posCredential[POSLoginID]"', 'name="posCredential[X]"')
    with pytest.raises(PageStructureError) as info:
        pages.parse_employee_edit(broken)
    assert info.value.landmark == "control posCredential[POSLoginID]"


@pytest.mark.parametrize("path", sorted(HTML_DIR.glob("*.html")), ids=lambda p: p.name)
def test_inspect_every_capture(path: Path) -> None:
    result = inspect_page(path.read_text(encoding="utf-8"))
    json.dumps(result)
    assert result["kind"] in pages.KINDS


def test_inspect_employee_edit_keys_and_no_pin() -> None:
    result = inspect_page(fixture_html("employee_edit_485_before_write3.html"))
    assert result["kind"] == "employee_edit"
    assert result["employee_id"] == 485
    assert result["available_site_ids"] == [17, 18, 19]
    assert result["departments"] == ["Greeter"]
    assert result["pos_user_id"] == 99002
    assert result["active"] is True
    assert "99998" not in json.dumps(result)
    assert inspect_page(fixture_html("employee_edit_484_verify.html"))["available_site_ids"] == (
        "all"
    )


def test_replay_page_cli_helper() -> None:
    html = fixture_html("employee_edit_485_before_write3.html")
    body = replay_page(html, "employee-create-edit-form", unchecks=["employee[isActive]"])
    assert b"isActive" not in body
    assert b"isAvailable" not in body
    plain = replay_page(
        html,
        "employee-create-edit-form",
        sets=[("employee[startDate]", "")],
        unchecks=["employee[isActive]"],
        plain=True,
    )
    assert b"employee%5BstartDate%5D=&" in plain
    assert b"isAvailable" in plain
    again = replay_page(html, "employee-create-edit-form", checks=[("employee[isActive]", None)])
    assert b"employee%5BisActive%5D=1" in again
