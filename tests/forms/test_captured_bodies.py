"""Replays that must equal what the browser (or verified client) sent (§7.4, §11.3, §13.4)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl

import pytest
from conftest import fixture_html, fixture_payload

from sonnys_async.core import pages, sites
from sonnys_async.core.forms import parse_form
from sonnys_async.errors import ItemNotFoundError


def _post_data(name: str) -> str:
    return fixture_payload(name)[0]["post_data"]


def _fields(name: str) -> list[tuple[str, str]]:
    return [(f["name"], f["value"]) for f in fixture_payload(name)["fields"]]


def test_pos_template_3_reproduces_the_browser_body_byte_for_byte() -> None:
    page = pages.parse_pos_permissions(fixture_html("employee_permissions_485_before.html"))
    data = pages.apply_pos_template(page, 3)
    raw = _post_data("allowed_employee_permissions_update_browser.json")
    expected = parse_qsl(raw, keep_blank_values=True)
    # The doc promises the multiset; the replay even keeps the browser's order and bytes.
    assert Counter(data.pairs()) == Counter(expected)
    assert data.pairs() == expected
    assert data.encode() == raw.encode()
    assert expected.count(("permissions[1][id]", "1")) == 2


def test_pos_template_by_name_and_unknown_template() -> None:
    page = pages.parse_pos_permissions(fixture_html("employee_permissions_485_before.html"))
    data = pages.apply_pos_template(page, "cashier")
    assert data.get("templateId") == ["2"]
    assert len(data.get("permissions[2][requiresOverride]")) == 1
    with pytest.raises(Exception, match="valid"):
        pages.apply_pos_template(page, 7)


def test_bo_template_reproduces_the_browser_body() -> None:
    page = pages.parse_user_permissions(
        fixture_html("w45v3_user_permissions_page_3312136_pre.html")
    )
    data = pages.apply_bo_template(page, "General User")
    raw = _post_data("allowed_bo_user_permissions_browser_captured.json")
    assert data.pairs() == parse_qsl(raw, keep_blank_values=True)
    assert data.encode() == raw.encode()


def test_bo_template_on_the_raw_new_user_page_gives_the_same_shape() -> None:
    page = pages.parse_user_permissions(fixture_html("w45v2_user_permissions_page_3312102.html"))
    data = pages.apply_bo_template(page, 3)
    expected = [
        ("userId", "3312102") if n == "userId" else (n, v)
        for n, v in parse_qsl(
            _post_data("allowed_bo_user_permissions_browser_captured.json"),
            keep_blank_values=True,
        )
    ]
    assert data.pairs() == expected


def test_amber_noop_site_part_is_the_plain_form_replay() -> None:
    form = parse_form(
        fixture_html("w45f_user_permissions_2944451.html"),
        "user-permissions-update-form",
        mode="plain",
    )
    body = _fields("w45v2_amber_noop_request.json")
    head = [p for p in form.entries if p[0] in {"userId", "userIsNew"}]
    site_part = [p for p in form.entries if sites.SITE_KEY_PATTERN.match(p[0])]
    assert head == body[:2]
    assert site_part == [p for p in body if sites.SITE_KEY_PATTERN.match(p[0])]
    assert body[2 : 2 + len(site_part)] == site_part
    assert ("template", "") in form.entries
    assert ("template", "") in body


def test_amber_noop_tokens_are_the_general_user_template_after_the_site_part() -> None:
    page = pages.parse_user_permissions(fixture_html("w45f_user_permissions_2944451.html"))
    plain = parse_form(
        fixture_html("w45f_user_permissions_2944451.html"),
        "user-permissions-update-form",
        mode="plain",
    )
    data = pages.apply_bo_template(page, 3, plain.replay())
    data.select("template", "")
    assert data.pairs() == _fields("w45v2_amber_noop_request.json")


@pytest.mark.parametrize(
    "name",
    [
        "w45_user_insert_request.json",
        "w45f_user_insert_request.json",
        "w45v2_user_insert_request.json",
    ],
)
def test_linked_user_insert_body(name: str) -> None:
    # The captured dropdowns predate employees 486-488, so the id is swapped for one the page
    # offers (54); every other key, value and the order must match the verified body.
    page = pages.parse_user_create(fixture_html("user_create.html"))
    captured = _fields(name)
    values = dict(captured)
    data = pages.linked_user_insert(
        page,
        employee_id=54,
        email=values["employee[email]"],
        username=values["user[username]"],
        password=values["user[password]"],
    )
    expected = [
        ("user[employeeId]", "54") if n == "user[employeeId]" else (n, v) for n, v in captured
    ]
    assert data.pairs() == expected
    with pytest.raises(ItemNotFoundError):
        pages.linked_user_insert(
            page,
            employee_id=int(values["user[employeeId]"]),
            email="a@b.c",
            username="abc",
            password="x",
        )
