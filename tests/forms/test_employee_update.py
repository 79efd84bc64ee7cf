"""The employee update body must equal what a browser sent (protocol §8.3, §8.4)."""

from __future__ import annotations

import pytest
from conftest import BROWSER_DISABLE_485, fixture_html, fixture_payload

from sonnys_async.core import pages
from sonnys_async.core.forms import Form, encode_pairs, parse_form
from sonnys_async.core.pages import employee_edit
from sonnys_async.errors import ControlNotFoundError, ItemNotFoundError

FORM = "employee-create-edit-form"


def _browser(name: str) -> Form:
    """The captured edit form, parsed as a browser submits it (the pages' omissions applied)."""
    return parse_form(fixture_html(name), FORM, omit=pages.BROWSER_OMISSIONS)


def test_browser_disable_body_is_byte_identical() -> None:
    form = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    )
    data = form.replay()
    data.uncheck("employee[isActive]")
    assert data.pairs() == BROWSER_DISABLE_485
    assert data.encode() == encode_pairs(BROWSER_DISABLE_485)
    assert data.encode().startswith(b"employee%5Bid%5D=485&posCredential%5Bid%5D=428&")
    assert len(data.pairs()) == 17


def test_browser_mode_is_the_default_and_keeps_is_active_when_untouched() -> None:
    form = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    )
    assert form.mode == "browser"
    assert ("employee[isActive]", "1") in form.entries
    assert not any("[isAvailable]" in n for n, _ in form.entries)


def test_plain_mode_with_empty_date_reproduces_the_33_key_body() -> None:
    # §8.4: with the [isAvailable] keys kept and the date left empty (the old client did not
    # read data-value) the replay gives allowed_employee_update_full_disable_request.json.
    expected = [
        (f["name"], f["value"])
        for f in fixture_payload("allowed_employee_update_full_disable_request.json")["fields"]
    ]
    form = parse_form(fixture_html("employee_edit_485_before_write3.html"), FORM, mode="plain")
    data = form.replay().uncheck("employee[isActive]").set("employee[startDate]", "")
    assert len(expected) == 33
    assert data.pairs() == expected


def test_plain_mode_reads_the_date_from_data_value() -> None:
    form = parse_form(fixture_html("employee_edit_485_before_write3.html"), FORM, mode="plain")
    assert ("employee[startDate]", "04/13/2026") in form.entries
    assert ("employee[sites][20][isAvailable]", "20") in form.entries


def test_dom_snapshot_date_comes_from_the_appended_hidden_input() -> None:
    form = _browser("employee_edit_54.html")
    assert [v for n, v in form.entries if n == "employee[startDate]"] == ["09/02/2024"]
    names = [n for n, _ in form.entries]
    assert names.index("employee[startDate]") == names.index("employee[departments][]") + 1


def test_reactivate_puts_is_active_back_in_document_order() -> None:
    form = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    )
    data = form.replay().uncheck("employee[isActive]").check("employee[isActive]")
    names = [n for n, _ in data.pairs()]
    assert names[names.index("employee[startDate]") + 1] == "employee[isActive]"
    assert data.get("employee[isActive]") == ["1"]


def test_unchecking_a_site_no_toggle_enables_its_site_id_in_browser_mode() -> None:
    form = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    )
    data = form.replay().uncheck("employee[sites][20][isAvailable]")
    assert data.get("employee[sites][20][siteId]") == ["20"]
    data.check("employee[sites][20][isAvailable]")
    assert data.get("employee[sites][20][siteId]") == []


def test_select_validates_against_the_page_options() -> None:
    data = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    ).replay()
    data.select("employee[departments][]", "1", "3")
    assert data.get("employee[departments][]") == ["1", "3"]
    with pytest.raises(ItemNotFoundError) as info:
        data.select("employee[departments][]", "9")
    assert info.value.choices == ("1", "3", "2", "4")
    assert "employee[departments][]" in str(info.value)


def test_unknown_control_is_an_error() -> None:
    data = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    ).replay()
    with pytest.raises(ControlNotFoundError):
        data.set("employee[nope]", "x")
    with pytest.raises(ControlNotFoundError):
        data.uncheck("employee[nope]")


def test_secrets_never_in_reprs() -> None:
    form = parse_form(
        fixture_html("employee_edit_485_before_write3.html"), FORM, omit=pages.BROWSER_OMISSIONS
    )
    pin = "99998"
    assert pin not in repr(form)
    assert pin not in repr(form.controls)
    assert pin not in repr(form.replay())


def test_the_pages_omission_table_drops_is_available_from_the_update_form() -> None:
    # §8.3: the markup alone submits site 20's [isAvailable]; the browser's body has none.
    html = fixture_html("employee_edit_485_before_write3.html")
    markup_only = parse_form(html, FORM)
    assert ("employee[sites][20][isAvailable]", "20") in markup_only.entries
    assert employee_edit.omitted_by_update_script("employee[sites][20][isAvailable]")
    assert not employee_edit.omitted_by_update_script("employee[sites][20][siteId]")
    assert list(parse_form(html, FORM, omit=pages.BROWSER_OMISSIONS).entries) == [
        p for p in markup_only.entries if not p[0].endswith("[isAvailable]")
    ]
