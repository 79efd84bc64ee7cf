"""Tenant vocabulary shared by the parsers, the site encoder, the client and the sandbox.

Plain frozen dataclasses: cheap to build in the parsers' hot loops, hashable, and printable.
Ids are the Backoffice's own integers (protocol §4, §5.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "ALL",
    "AllSites",
    "BoTemplate",
    "Department",
    "District",
    "PosPermission",
    "PosTemplate",
    "Region",
    "Site",
    "SiteSelection",
    "SiteTree",
]

AllSites: TypeAlias = Literal["all"]
#: The "every site" selection (``employee[isAllRegionsAllowed]`` / flat ``isAllSitesAllowed``).
ALL: AllSites = "all"
#: A stored or requested availability: a set of site ids, or every site.
SiteSelection: TypeAlias = frozenset[int] | AllSites


@dataclass(frozen=True, slots=True)
class Region:
    """A region of a hierarchical tenant."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class District:
    """A district of a hierarchical tenant (flat tenants have none)."""

    id: int
    name: str
    region_id: int


@dataclass(frozen=True, slots=True)
class Site:
    """A car-wash site: long name (availability tree) and short code (wage/list/filter)."""

    id: int
    name: str
    code: str | None = None
    district_id: int | None = None
    region_id: int | None = None


@dataclass(frozen=True, slots=True)
class Department:
    """An employee department (``employee[departments][]`` option)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PosPermission:
    """One row of the POS permission matrix (ids 1..34 on the sample tenant)."""

    id: int
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class PosTemplate:
    """A POS permission template: the grant and manager-override id sets of its option."""

    id: int
    name: str
    grants: frozenset[int]
    overrides: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BoTemplate:
    """A Backoffice permission template (``template`` option on the access page)."""

    id: int
    name: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteTree:
    """The tenant's site hierarchy, in the order the availability tree renders it.

    ``hierarchical`` is true iff the page carries region controls (protocol §5.4); a flat
    tenant has no regions or districts.
    """

    sites: tuple[Site, ...]
    regions: tuple[Region, ...] = ()
    districts: tuple[District, ...] = ()
    hierarchical: bool = True
    _by_id: dict[int, Site] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.sites})

    @property
    def site_ids(self) -> frozenset[int]:
        """Every site id of the tenant."""
        return frozenset(self._by_id)

    def site(self, site_id: int) -> Site:
        """The site with that id (``KeyError`` if the tenant has none)."""
        return self._by_id[site_id]

    def sites_in_district(self, district_id: int) -> tuple[Site, ...]:
        """Sites of one district, in tree order."""
        return tuple(s for s in self.sites if s.district_id == district_id)

    def sites_in_region(self, region_id: int) -> tuple[Site, ...]:
        """Sites of one region, in tree order."""
        return tuple(s for s in self.sites if s.region_id == region_id)
