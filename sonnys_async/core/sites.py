"""Site availability / access: the tree, resolving requests, encoding keys, reading state back.

Protocol §5 (employee forms, ``employee[...]`` names) and §13.2 (Backoffice access page,
unprefixed names, per-site key = the enabled hidden ``siteIds[]``). The labels are inverted:
a *checked* region/district/site toggle means "No" (denied).

Encodings (§5.4, verified by live inserts; flat names unverified):

* hierarchical, all sites: ``employee[isAllRegionsAllowed]`` (presence is what counts, §2.2);
* hierarchical, some sites: ``employee[disabledRegions][]=R`` for each region without a granted
  site, ``employee[disabledDistricts][]=D`` for each such district, ``employee[sites][S][siteId]=S``
  per granted site, ``employee[sites][S][isAvailable]=S`` per denied site (style
  ``"protocol"``, the verified insert body), or only what the browser's own form submits
  (style ``"browser"``: nothing inside a denied region or district, no ``[isAvailable]`` key);
* flat: ``employee[isAllSitesAllowed]``, or ``employee[siteIds][]`` listing the EXCLUDED sites;
* Backoffice access: ``isAllRegionsAllowed`` plus the rollups (the shape of the successful
  re-save, §13.4), or ``disabledRegions[]`` / ``disabledDistricts[]`` / ``siteIds[]`` per
  granted site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from selectolax.lexbor import LexborHTMLParser

from ..domain import ALL, District, Region, Site, SiteSelection, SiteTree
from ..errors import NotFoundError, PageStructureError
from .forms import Form, parse_form, parse_html
from .text import is_digits

__all__ = [
    "SITE_KEY_PATTERN",
    "backoffice_site_pairs",
    "employee_site_pairs",
    "parse_site_tree",
    "read_backoffice_sites",
    "read_employee_sites",
    "replace_site_pairs",
    "resolve",
    "same_selection",
    "selection_ids",
    "strip_site_pairs",
]

# Selectors of the availability tree (§5.2; the BO page reuses them, §13.2).
REGION_INPUT = "input.boac-permission-region-option"
DISTRICT_INPUT = "input.boac-permission-district-option"
SITE_INPUT = "input.boac-permission-site-option"
TREE_LABEL = "label[for^='boac-permission-']"

#: Every key of a site tree, employee-prefixed (§5.4) or unprefixed (§13.2).
SITE_KEY_PATTERN = re.compile(
    r"^(?:employee\[(?:isAllRegionsAllowed|isAllSitesAllowed)\]"
    r"|employee\[(?:disabledRegions|disabledDistricts|isAllDistrictsAllowedByRegion|siteIds)\]\[\]"
    r"|employee\[isAllSitesAllowedByDistrict\]\[\d+\]"
    r"|employee\[sites\]\[\d+\]\[(?:isAvailable|siteId)\]"
    r"|isAllRegionsAllowed|isAllSitesAllowed"
    r"|(?:disabledRegions|disabledDistricts|isAllDistrictsAllowedByRegion|siteIds)\[\]"
    r"|isAllSitesAllowedByDistrict\[\d+\])$"
)

Style = Literal["protocol", "browser"]


def _label_texts(tree: LexborHTMLParser) -> dict[str, str]:
    out: dict[str, str] = {}
    for label in tree.css(TREE_LABEL):
        target = label.attributes.get("for")
        strong = label.css_first("strong")
        if target and strong is not None:
            text = " ".join(strong.text(deep=True).split())
            if text.startswith("(") and text.endswith(")"):
                text = text[1:-1]
            out[target] = text
    return out


def _int_attr(value: str | None, *, page: str, landmark: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise PageStructureError(page=page, landmark=landmark, detail=repr(value)) from None


def parse_site_tree(
    html: str | LexborHTMLParser,
    *,
    page: str = "site tree",
    codes: dict[int, str] | None = None,
) -> SiteTree:
    """Read the availability tree (regions, districts, sites in render order) from a page.

    Args:
        html: A page with the tree (employee create/edit, BO access) or its parsed tree.
        page: Page kind named in errors.
        codes: Short codes by site id (from a wage-site select) to merge in.

    Returns:
        The tenant's :class:`~sonnys_async.domain.SiteTree`; ``hierarchical`` iff the page has
        region controls (§5.4).

    Raises:
        PageStructureError: The page has no site controls.
    """
    tree = parse_html(html)
    labels = _label_texts(tree)
    regions: list[Region] = []
    for node in tree.css(REGION_INPUT):
        a = node.attributes
        rid = _int_attr(a.get("value") or a.get("data-region-id"), page=page, landmark="region id")
        regions.append(Region(rid, labels.get(a.get("id") or "", f"Region {rid}")))
    districts: list[District] = []
    region_of_district: dict[int, int] = {}
    for node in tree.css(DISTRICT_INPUT):
        a = node.attributes
        did = _int_attr(a.get("value"), page=page, landmark="district id")
        rid = _int_attr(a.get("data-region-id"), page=page, landmark="district region id")
        region_of_district[did] = rid
        districts.append(District(did, labels.get(a.get("id") or "", f"District {did}"), rid))
    sites: list[Site] = []
    seen: set[int] = set()
    for node in tree.css(SITE_INPUT):
        a = node.attributes
        sid = _int_attr(a.get("value"), page=page, landmark="site id")
        if sid in seen:
            continue
        seen.add(sid)
        did_raw = a.get("data-district-id")
        site_did = int(did_raw) if did_raw and is_digits(did_raw) and regions else None
        name = labels.get(a.get("id") or "", f"Site {sid}")
        code = (codes or {}).get(sid)
        region_id = region_of_district.get(site_did) if site_did is not None else None
        sites.append(Site(sid, name, code, site_did, region_id))
    if not sites:
        raise PageStructureError(page=page, landmark=f"site tree ({SITE_INPUT})")
    return SiteTree(tuple(sites), tuple(regions), tuple(districts), hierarchical=bool(regions))


def selection_ids(tree: SiteTree, selection: SiteSelection) -> frozenset[int]:
    """The concrete site ids of a selection (``"all"`` -> every site of the tree).

    The package's one definition; other layers import it from here.

    Args:
        tree: The tenant's tree.
        selection: ``"all"`` or a set of site ids.

    Returns:
        The site ids.
    """
    return tree.site_ids if selection == ALL else frozenset(selection)


def same_selection(tree: SiteTree, a: SiteSelection, b: SiteSelection) -> bool:
    """Whether two selections name the same sites (``"all"`` equals a list of every site)."""
    return selection_ids(tree, a) == selection_ids(tree, b)


def resolve(tree: SiteTree, requested: str | Iterable[int | str]) -> SiteSelection:
    """Turn a caller's site request into a selection.

    Args:
        tree: The tenant's tree.
        requested: ``"all"``, or ids / long names / short codes / digit strings,
            case-insensitive.

    Returns:
        ``"all"`` or a frozenset of site ids.

    Raises:
        NotFoundError: A name matches no site; the message lists the valid names.
    """
    if isinstance(requested, str):
        if requested.strip().casefold() == ALL:
            return ALL
        requested = [requested]
    index: dict[str, int] = {}
    for site in tree.sites:
        index[str(site.id)] = site.id
        index[site.name.casefold()] = site.id
        if site.code:
            index[site.code.casefold()] = site.id
    out: set[int] = set()
    unknown: list[str] = []
    for item in requested:
        if isinstance(item, bool):
            unknown.append(repr(item))
        elif isinstance(item, int):
            if item in tree.site_ids:
                out.add(item)
            else:
                unknown.append(str(item))
        else:
            key = " ".join(str(item).split()).casefold()
            if key == ALL:
                return ALL
            if key in index:
                out.add(index[key])
            else:
                unknown.append(str(item))
    if unknown:
        valid = ", ".join(
            f"{s.id} {s.name}" + (f" ({s.code})" if s.code else "") for s in tree.sites
        )
        raise NotFoundError(f"unknown site(s) {', '.join(unknown)}; valid sites: {valid}")
    return frozenset(out)


def employee_site_pairs(
    tree: SiteTree, selection: SiteSelection, *, style: Style = "protocol"
) -> list[tuple[str, str]]:
    """The ``employee[...]`` site keys for a selection (protocol §5.4), in tree order.

    Args:
        tree: The tenant's tree.
        selection: ``"all"`` or site ids (unknown ids are ignored; use :func:`resolve`).
        style: ``"protocol"`` (the verified insert encoding: district keys and
            ``[isAvailable]`` for every denied site) or ``"browser"`` (what the form submits:
            nothing inside a denied region/district, no ``[isAvailable]``).

    Returns:
        Name/value pairs to splice into an insert or update body.
    """
    if not tree.hierarchical:
        if selection == ALL:
            return [("employee[isAllSitesAllowed]", "on")]
        return [("employee[siteIds][]", str(s.id)) for s in tree.sites if s.id not in selection]
    if selection == ALL:
        return [("employee[isAllRegionsAllowed]", "on")]
    granted = frozenset(selection)
    pairs: list[tuple[str, str]] = []
    for region in tree.regions:
        region_sites = tree.sites_in_region(region.id)
        region_denied = not any(s.id in granted for s in region_sites)
        if region_denied:
            pairs.append(("employee[disabledRegions][]", str(region.id)))
            if style == "browser":
                continue
        for district in (d for d in tree.districts if d.region_id == region.id):
            d_sites = tree.sites_in_district(district.id)
            district_denied = not any(s.id in granted for s in d_sites)
            if district_denied:
                pairs.append(("employee[disabledDistricts][]", str(district.id)))
                if style == "browser":
                    continue
            for site in d_sites:
                if site.id in granted:
                    pairs.append((f"employee[sites][{site.id}][siteId]", str(site.id)))
                elif style == "protocol":
                    pairs.append((f"employee[sites][{site.id}][isAvailable]", str(site.id)))
    return pairs


def backoffice_site_pairs(tree: SiteTree, selection: SiteSelection) -> list[tuple[str, str]]:
    """The unprefixed site keys of the BO access form for a selection (protocol §13.2/§13.4).

    "All" is sent as the successful re-save sent it: ``isAllRegionsAllowed=on`` plus every
    region and district rollup. A restricted set is what the form submits: denied regions and
    districts, then one enabled ``siteIds[]`` per granted site.

    Args:
        tree: The tenant's tree.
        selection: ``"all"`` or site ids.

    Returns:
        Name/value pairs in form order.
    """
    if not tree.hierarchical:
        if selection == ALL:
            return [("isAllSitesAllowed", "on")]
        return [("siteIds[]", str(s.id)) for s in tree.sites if s.id in selection]
    pairs: list[tuple[str, str]] = []
    if selection == ALL:
        pairs.append(("isAllRegionsAllowed", "on"))
        for region in tree.regions:
            pairs.append(("isAllDistrictsAllowedByRegion[]", str(region.id)))
            for district in (d for d in tree.districts if d.region_id == region.id):
                pairs.append((f"isAllSitesAllowedByDistrict[{district.id}]", "on"))
        return pairs
    granted = frozenset(selection)
    for region in tree.regions:
        if not any(s.id in granted for s in tree.sites_in_region(region.id)):
            pairs.append(("disabledRegions[]", str(region.id)))
            continue
        for district in (d for d in tree.districts if d.region_id == region.id):
            d_sites = tree.sites_in_district(district.id)
            if not any(s.id in granted for s in d_sites):
                pairs.append(("disabledDistricts[]", str(district.id)))
                continue
            pairs.extend(("siteIds[]", str(s.id)) for s in d_sites if s.id in granted)
    return pairs


def strip_site_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Remove every site-tree key (employee-prefixed or unprefixed) from a body."""
    return [(n, v) for n, v in pairs if not SITE_KEY_PATTERN.match(n)]


def replace_site_pairs(
    pairs: Sequence[tuple[str, str]], site_pairs: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Swap a body's site keys for ``site_pairs``, placed where the first site key was.

    Args:
        pairs: A full body (e.g. ``FormData.pairs()``).
        site_pairs: From :func:`employee_site_pairs` or :func:`backoffice_site_pairs`.

    Returns:
        The new body; the site keys go to the end when the body had none.
    """
    out: list[tuple[str, str]] = []
    placed = False
    for name, value in pairs:
        if SITE_KEY_PATTERN.match(name):
            if not placed:
                out.extend(site_pairs)
                placed = True
            continue
        out.append((name, value))
    if not placed:
        out.extend(site_pairs)
    return out


def _read(form: Form, prefix: str) -> SiteSelection:
    """§5.5 on a parsed form: checked/disabled as rendered (before script effects)."""

    def key(inner: str) -> str:
        return f"employee[{inner}]" if prefix else inner

    controls = form.controls
    rendered = form.rendered_disabled
    all_regions, all_sites = key("isAllRegionsAllowed"), key("isAllSitesAllowed")
    denied_regions: set[int] = set()
    denied_districts: set[int] = set()
    region_of_district: dict[int, int] = {}
    rollup_regions: set[int] = set()
    rollup_districts: set[int] = set()
    site_district: dict[int, int | None] = {}
    site_checked: dict[int, bool] = {}
    site_enabled_hidden: set[int] = set()
    regions_seen = False
    dr, dd = key("disabledRegions") + "[]", key("disabledDistricts") + "[]"
    rr = key("isAllDistrictsAllowedByRegion") + "[]"
    sd_prefix = key("isAllSitesAllowedByDistrict") + "["
    sites_prefix = "employee[sites][" if prefix else None
    for j, c in enumerate(controls):
        name = c.name
        if name in (all_regions, all_sites):
            if c.checked:
                return ALL
        elif name == dr:
            regions_seen = True
            if c.checked and c.value and is_digits(c.value):
                denied_regions.add(int(c.value))
        elif name == dd:
            if c.value and is_digits(c.value):
                did = int(c.value)
                rid = c.data_attr("region-id")
                if rid and is_digits(rid):
                    region_of_district[did] = int(rid)
                if c.checked:
                    denied_districts.add(did)
        elif name == rr:
            if c.checked and c.value and is_digits(c.value):
                rollup_regions.add(int(c.value))
        elif name.startswith(sd_prefix) and name.endswith("]"):
            inner = name[len(sd_prefix) : -1]
            if c.checked and is_digits(inner):
                rollup_districts.add(int(inner))
        elif "boac-permission-site-option" in c.classes and c.type == "checkbox":
            if c.value and is_digits(c.value):
                sid = int(c.value)
                did_raw = c.data_attr("district-id")
                site_district[sid] = int(did_raw) if did_raw and is_digits(did_raw) else None
                site_checked[sid] = c.checked
        elif c.type == "hidden" and c.value and is_digits(c.value):
            sid = int(c.value)
            is_site_key = (
                name == key("siteIds") + "[]"
                if not prefix
                else bool(sites_prefix and name == f"employee[sites][{sid}][siteId]")
            )
            if is_site_key and not rendered[j]:
                site_enabled_hidden.add(sid)
    available: set[int] = set()
    for sid, checked in site_checked.items():
        s_did = site_district.get(sid)
        s_rid = region_of_district.get(s_did) if s_did is not None else None
        if not regions_seen:
            # Flat tenant (§5.4, unverified): a checked site toggle means excluded.
            if not checked:
                available.add(sid)
            continue
        if s_rid in denied_regions or s_did in denied_districts:
            continue
        covered = s_rid in rollup_regions or s_did in rollup_districts
        if covered or (not checked and sid in site_enabled_hidden):
            available.add(sid)
    return frozenset(available)


def _as_form(source: Form | str | LexborHTMLParser, selector: str, page: str) -> Form:
    if isinstance(source, Form):
        return source
    return parse_form(source, selector=selector, mode="plain", page=page)


def read_employee_sites(source: Form | str | LexborHTMLParser) -> SiteSelection:
    """Stored availability of an employee edit page (protocol §5.5).

    "All" when ``employee[isAllRegionsAllowed]`` (flat: ``employee[isAllSitesAllowed]``) is
    checked — tested first, since on such a page every ``[siteId]`` is disabled. Otherwise a
    site is available iff neither its region nor its district is denied and either a rollup
    covers it or its ``[isAvailable]`` is unchecked and its ``[siteId]`` is rendered enabled.

    Args:
        source: The edit (or create) form, or the page.

    Returns:
        ``"all"`` or the available site ids.

    Raises:
        PageStructureError: No employee form on the page.
    """
    form = _as_form(source, "form#employee-create-edit-form", "employee_edit")
    return _read(form, "employee")


def read_backoffice_sites(source: Form | str | LexborHTMLParser) -> SiteSelection:
    """Accessible sites of a BO access page (protocol §13.2): the enabled ``siteIds[]``.

    Args:
        source: The ``user-permissions-update-form`` form, or the page.

    Returns:
        ``"all"`` or the accessible site ids.

    Raises:
        PageStructureError: No access form on the page.
    """
    form = _as_form(source, "form#user-permissions-update-form", "user_permissions")
    return _read(form, "")
