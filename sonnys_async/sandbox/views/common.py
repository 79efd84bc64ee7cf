"""Template contexts every page shares, and per-tenant lookups computed once per sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from markupsafe import Markup

from sonnys_async.domain import Department, Site
from sonnys_async.sandbox.reference import TemplateRow, Tenant
from sonnys_async.sandbox.rules.outcome import Flash

__all__ = [
    "Chrome",
    "Document",
    "FlashPage",
    "Page",
    "StubPage",
    "TemplateListPage",
    "TenantLookups",
]


class Chrome(TypedDict):
    """Context of ``chrome.html.j2``: the bot's name in the top bar, sidebar padding lines."""

    display_name: str
    filler_lines: int


class Document(TypedDict):
    """Context of ``base.html.j2``: chrome, ``<title>`` suffix, the page's rendered ``main``."""

    chrome: Markup
    title_suffix: str | None
    main: Markup


class Page(TypedDict):
    """What every page template gets: the ``<title>`` suffix (``| <suffix>``; None = none)."""

    title_suffix: str | None


class FlashPage(Page):
    """A page showing the server alert block."""

    flash: Flash | None


class StubPage(Page):
    """Context of ``stub.html.j2`` (``text`` None: the 404 page)."""

    text: str | None


class TemplateListPage(Page):
    """Context of ``template_list.html.j2``."""

    prefix: str
    rows: tuple[TemplateRow, ...]


@dataclass(frozen=True, slots=True)
class TenantLookups:
    """Static per tenant: sites in option (short-code) order, codes and department names."""

    sites_by_code: tuple[Site, ...]
    code_of: dict[int, str]
    department_name: dict[int, str]
    departments_by_name: tuple[Department, ...]

    @classmethod
    def of(cls, tenant: Tenant) -> TenantLookups:
        """Compute the lookups of ``tenant``."""
        sites = tenant.tree.sites
        return cls(
            sites_by_code=tuple(sorted(sites, key=lambda s: (s.code or s.name).lower())),
            code_of={s.id: s.code or s.name for s in sites},
            department_name={d.id: d.name for d in tenant.departments},
            departments_by_name=tuple(sorted(tenant.departments, key=lambda d: d.name.lower())),
        )
