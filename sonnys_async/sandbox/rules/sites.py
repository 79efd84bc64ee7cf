"""The availability (or BO accessible sites) a form body encodes (§5.4, §5.5, §13.2)."""

from __future__ import annotations

import re

from sonnys_async.domain import ALL, SiteSelection, SiteTree
from sonnys_async.sandbox.rules.body import FormBody, int_or_none

__all__ = ["employee_sites_from_body"]

_SITE_ID_KEY = re.compile(r"employee\[sites\]\[(\d{1,9})\]\[siteId\]")
_DISTRICT_ALL_KEY = re.compile(r"employee\[isAllSitesAllowedByDistrict\]\[(\d{1,9})\]")
_BO_DISTRICT_ALL_KEY = re.compile(r"isAllSitesAllowedByDistrict\[(\d{1,9})\]")


def employee_sites_from_body(body: FormBody, tree: SiteTree, *, bo: bool = False) -> SiteSelection:
    """The availability a body encodes (§5.4 employee rules; §13.2 BO rules with ``bo``).

    Hierarchical: the all-regions flag present -> all; else every site whose ``[siteId]`` key
    (BO: ``siteIds[]`` value) is present, plus the sites of checked region/district rollups,
    minus the sites of ``disabledRegions[]`` / ``disabledDistricts[]``. Flat employee: the
    all-sites flag -> all; else every site not listed in ``employee[siteIds][]`` (excluded
    sites). Flat BO: the all-sites flag -> all; else the listed ``siteIds[]``.
    """

    def k(name: str) -> str:
        if bo:
            return name
        base, sep, rest = name.partition("[")
        return f"employee[{base}]" + (sep + rest if sep else "")

    ids = tree.site_ids
    if not tree.hierarchical:
        if body.has(k("isAllSitesAllowed")):
            return ALL
        listed = {i for v in body.getall(k("siteIds[]")) if (i := int_or_none(v)) in ids}
        if bo:
            return frozenset(listed)
        return frozenset(ids - listed)
    if body.has(k("isAllRegionsAllowed")):
        return ALL
    granted: set[int] = set()
    if bo:
        granted.update(i for v in body.getall("siteIds[]") if (i := int_or_none(v)) in ids)
    else:
        for key in body.names():
            m = _SITE_ID_KEY.fullmatch(key)
            if m and int(m.group(1)) in ids:
                granted.add(int(m.group(1)))
    for v in body.getall(k("isAllDistrictsAllowedByRegion[]")):
        rid = int_or_none(v)
        granted.update(s.id for s in tree.sites if s.region_id == rid)
    district_key = _BO_DISTRICT_ALL_KEY if bo else _DISTRICT_ALL_KEY
    for key in body.names():
        m = district_key.fullmatch(key)
        if m:
            did = int(m.group(1))
            granted.update(s.id for s in tree.sites if s.district_id == did)
    denied_regions = {int_or_none(v) for v in body.getall(k("disabledRegions[]"))}
    denied_districts = {int_or_none(v) for v in body.getall(k("disabledDistricts[]"))}
    granted = {
        sid
        for sid in granted
        if tree.site(sid).region_id not in denied_regions
        and tree.site(sid).district_id not in denied_districts
    }
    return frozenset(granted)
