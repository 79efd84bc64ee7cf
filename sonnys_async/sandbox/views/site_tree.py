"""The availability / accessible-sites tree (§5.2-§5.4, §13.2): its model, rendered and cached.

A tree renders the same for the same stored selection, so :class:`SiteTrees` keeps the rendered
markup per (selection, kind): an employee edit page pays for the tree once per distinct selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from markupsafe import Markup

from sonnys_async.domain import ALL, SiteSelection, SiteTree
from sonnys_async.sandbox.views.env import FragmentCache, render_markup

__all__ = ["SiteTrees"]

#: Rendered trees kept per sandbox before the cache starts over.
_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class SiteBox:
    """One site control; ``available`` = part of the stored selection."""

    id: int
    name: str
    available: bool


@dataclass(frozen=True, slots=True)
class DistrictBox:
    """A district with its sites; ``denied`` = none of its sites selected."""

    id: int
    name: str
    denied: bool
    sites: tuple[SiteBox, ...]


@dataclass(frozen=True, slots=True)
class RegionBox:
    """A region with its districts; ``denied`` = none of its sites selected."""

    id: int
    name: str
    denied: bool
    districts: tuple[DistrictBox, ...]


class SiteTreeContext(TypedDict):
    """Context of ``site_tree.html.j2``."""

    bo: bool
    hierarchical: bool
    is_all: bool
    regions: tuple[RegionBox, ...]
    sites: tuple[SiteBox, ...]


def site_tree_context(tree: SiteTree, selection: SiteSelection, *, bo: bool) -> SiteTreeContext:
    """The tree model of a stored selection (``bo`` = the Backoffice access page's naming)."""
    is_all = selection == ALL
    chosen: frozenset[int] = frozenset() if isinstance(selection, str) else selection
    regions: list[RegionBox] = []
    if tree.hierarchical:
        for region in tree.regions:
            r_denied = not is_all and not any(
                s.id in chosen for s in tree.sites_in_region(region.id)
            )
            districts = []
            for district in (d for d in tree.districts if d.region_id == region.id):
                d_sites = tree.sites_in_district(district.id)
                d_denied = r_denied or (not is_all and not any(s.id in chosen for s in d_sites))
                boxes = tuple(SiteBox(s.id, s.name, s.id in chosen) for s in d_sites)
                districts.append(DistrictBox(district.id, district.name, d_denied, boxes))
            regions.append(RegionBox(region.id, region.name, r_denied, tuple(districts)))
    return {
        "bo": bo,
        "hierarchical": tree.hierarchical,
        "is_all": is_all,
        "regions": tuple(regions),
        "sites": tuple(SiteBox(s.id, s.name, s.id in chosen) for s in tree.sites),
    }


class SiteTrees:
    """Rendered site trees of one tenant, cached per (selection, kind).

    Args:
        tree: the tenant's site tree (fixed for the sandbox's lifetime).
    """

    def __init__(self, tree: SiteTree) -> None:
        self._tree = tree
        self._cache: FragmentCache[tuple[SiteSelection, bool]] = FragmentCache(_CACHE_SIZE)

    def markup(self, selection: SiteSelection, *, bo: bool) -> Markup:
        """The tree for ``selection`` (employee naming, or BO naming with ``bo``)."""
        return self._cache.get(
            (selection, bo),
            lambda: render_markup(
                "site_tree.html.j2", site_tree_context(self._tree, selection, bo=bo)
            ),
        )
