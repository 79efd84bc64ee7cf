"""The Backoffice permission catalogue data file and its loader (§13.3, §17.6)."""

from __future__ import annotations

import json

import pytest
from conftest import fixture_html
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.sandbox.catalogue import (
    BO_PERMISSION_GROUPS,
    BO_TOKENS,
    load_bo_permission_groups,
    parse_bo_permission_groups,
)


def test_catalogue_matches_the_captured_access_page():
    page = LexborHTMLParser(fixture_html("w45v2_user_permissions_page_3312102.html"))
    tokens = [i.attributes["value"] for i in page.css("input[name$='[token]']")]
    assert list(BO_TOKENS) == tokens
    assert len(BO_TOKENS) == 105
    keys = [a.attributes["id"] for a in page.css("a[id^='link-sbox-collapse-permission-']")]
    assert [f"link-sbox-collapse-permission-{g.key}" for g in BO_PERMISSION_GROUPS] == keys
    assert len(BO_PERMISSION_GROUPS) == 27


def test_loading_twice_gives_equal_groups():
    assert load_bo_permission_groups() == BO_PERMISSION_GROUPS


def _doc(*permissions: dict[str, object]) -> str:
    return json.dumps({"groups": [{"key": "g", "title": "G", "permissions": list(permissions)}]})


def _perm(index: object, token: str = "a.list") -> dict[str, object]:
    return {
        "index": index,
        "token": token,
        "label": "A",
        "sibling": "",
        "toggle_sibling_on": "",
        "css_class": "",
    }


def test_a_well_formed_document_parses():
    (group,) = parse_bo_permission_groups(_doc(_perm(0), _perm(1, "a.write")))
    assert [(p.index, p.token) for p in group.permissions] == [(0, "a.list"), (1, "a.write")]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "{}",
        '{"groups": 5}',
        _doc(_perm(1)),  # indexes must start at 0
        _doc(_perm(0), _perm(2, "b")),  # and run without gaps
        _doc(_perm(0), _perm(1)),  # a token twice
        _doc(_perm("0")),  # an index that is no integer
        _doc(_perm(True)),
        _doc({"index": 0, "token": "a"}),  # fields missing
        json.dumps({"groups": [{"key": 1, "title": "G", "permissions": []}]}),
    ],
)
def test_a_malformed_document_is_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the fault
        parse_bo_permission_groups(text)
