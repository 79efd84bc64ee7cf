"""Site access: resolve, encode (§5.4, §13), strip/replace, read back (§5.5, §13.2)."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import fixture_html, fixture_payload
from hypothesis import given, settings
from hypothesis import strategies as st

from sonnys_async.core import pages, sites
from sonnys_async.core.forms import parse_form
from sonnys_async.domain import ALL, Site, SiteTree
from sonnys_async.errors import NotFoundError

TREE = pages.parse_employee_create(fixture_html("employee_create.html")).tree
SITE_IDS = sorted(TREE.site_ids)


def _fields(name: str) -> list[tuple[str, str]]:
    return [(f["name"], f["value"]) for f in fixture_payload(name)["fields"]]


def test_resolve_accepts_ids_names_codes_and_all() -> None:
    assert sites.resolve(TREE, "all") == ALL
    assert sites.resolve(TREE, "ALL") == ALL
    assert sites.resolve(TREE, [1, "fiesta", "Wash 37135", "19", "burbt2"]) == frozenset(
        {1, 17, 19, 16}
    )
    with pytest.raises(NotFoundError) as info:
        sites.resolve(TREE, ["nowhere", 3])
    assert "nowhere" in str(info.value)
    assert "FIESTA" in str(info.value)


def test_selection_ids_expands_all_and_copies_sets() -> None:
    # The one definition of this helper (the client's _ops layer is to import it from here).
    assert sites.selection_ids(TREE, ALL) == TREE.site_ids
    assert len(sites.selection_ids(TREE, ALL)) == 19
    assert sites.selection_ids(TREE, frozenset({17, 18})) == frozenset({17, 18})
    assert sites.selection_ids(TREE, frozenset()) == frozenset()


def test_protocol_encoding_matches_the_verified_insert_site_part() -> None:
    body = _fields("allowed_employee_insert_v2_request.json")
    expected = [p for p in body if sites.SITE_KEY_PATTERN.match(p[0])]
    got = sites.employee_site_pairs(TREE, frozenset({17, 18, 19}))
    assert Counter(got) == Counter(expected)


def test_browser_encoding_matches_the_browser_update_site_part() -> None:
    got = sites.employee_site_pairs(TREE, frozenset({17, 18, 19}), style="browser")
    assert got == [
        ("employee[sites][17][siteId]", "17"),
        ("employee[sites][18][siteId]", "18"),
        ("employee[sites][19][siteId]", "19"),
        ("employee[disabledRegions][]", "2"),
    ]


def test_all_sites_is_one_presence_key() -> None:
    assert sites.employee_site_pairs(TREE, ALL) == [("employee[isAllRegionsAllowed]", "on")]


def test_backoffice_all_matches_the_successful_noop_resave() -> None:
    body = _fields("w45v2_amber_noop_request.json")
    expected = [p for p in body if sites.SITE_KEY_PATTERN.match(p[0])]
    assert sites.backoffice_site_pairs(TREE, ALL) == expected


def test_backoffice_restricted_uses_site_ids() -> None:
    assert sites.backoffice_site_pairs(TREE, frozenset({1})) == [
        ("disabledRegions[]", "1"),
        ("siteIds[]", "1"),
    ]


def test_flat_encoding_lists_excluded_sites() -> None:
    flat = SiteTree((Site(1, "A"), Site(2, "B"), Site(3, "C")), hierarchical=False)
    assert sites.employee_site_pairs(flat, frozenset({2})) == [
        ("employee[siteIds][]", "1"),
        ("employee[siteIds][]", "3"),
    ]
    assert sites.employee_site_pairs(flat, ALL) == [("employee[isAllSitesAllowed]", "on")]


def test_strip_and_replace_site_pairs() -> None:
    body = _fields("allowed_employee_update_full_disable_request.json")
    stripped = sites.strip_site_pairs(body)
    assert not any("sites]" in n or "Regions" in n for n, _ in stripped)
    new = sites.employee_site_pairs(TREE, frozenset({1}), style="browser")
    replaced = sites.replace_site_pairs(body, new)
    names = [n for n, _ in replaced]
    start = names.index("employee[startDate]")
    assert replaced[start + 1 : start + 1 + len(new)] == new


def test_read_back_from_captures() -> None:
    assert sites.read_employee_sites(fixture_html("employee_edit_54.html")) == frozenset({1})
    assert sites.read_employee_sites(fixture_html("employee_edit_484_before_disable.html")) == ALL
    assert sites.read_backoffice_sites(fixture_html("w45f_user_permissions_2944451.html")) == ALL
    assert (
        sites.read_backoffice_sites(fixture_html("w45v2_user_permissions_page_3312102.html"))
        == frozenset()
    )


def _render_edit_state(selection: frozenset[int]) -> str:
    """Re-render the create form's tree as an edit page would store ``selection`` (§5.3)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(fixture_html("employee_edit_485_before_write3.html"))
    granted = selection
    for region in TREE.regions:
        box = tree.css_first(f"#boac-permission-region-{region.id}")
        denied = not any(s.id in granted for s in TREE.sites_in_region(region.id))
        _set_flag(box, "checked", denied)
    for district in TREE.districts:
        box = tree.css_first(f"#boac-permission-district-{district.id}")
        denied = not any(s.id in granted for s in TREE.sites_in_district(district.id))
        _set_flag(box, "checked", denied)
    for site in TREE.sites:
        box = tree.css_first(f"#boac-permission-site-{site.id}")
        hidden = tree.css_first(f"#boac-permission-site-option-hidden-input-{site.id}")
        _set_flag(box, "checked", site.id not in granted)
        _set_flag(hidden, "disabled", site.id not in granted)
    return tree.html or ""


def _set_flag(node, attr: str, on: bool) -> None:
    if on:
        node.attrs[attr] = ""
    elif attr in node.attributes:
        del node.attrs[attr]


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(SITE_IDS), min_size=1))
def test_property_encode_then_render_then_read_back(chosen: set[int]) -> None:
    # Render-free check: the browser-style body of the re-rendered page names exactly the
    # chosen sites, and reading the page back yields them (the sandbox test does it for real).
    selection = frozenset(chosen)
    html = _render_edit_state(selection)
    assert sites.read_employee_sites(html) == selection
    form = parse_form(html, "employee-create-edit-form", omit=pages.BROWSER_OMISSIONS)
    body_sites = {
        int(n.split("][")[1])
        for n, _ in form.entries
        if n.startswith("employee[sites]") and n.endswith("[siteId]")
    }
    assert body_sites == selection
    assert [p for p in form.entries if sites.SITE_KEY_PATTERN.match(p[0])] == (
        sites.employee_site_pairs(TREE, selection, style="browser")
    )
