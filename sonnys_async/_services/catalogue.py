"""The tenant's shape, read once per client: sites, departments, POS and Backoffice templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import anyio

from ..core import pages
from ..domain import BoTemplate, Department, PosPermission, PosTemplate, Site, SiteTree
from ..errors import FieldIssue, InputValidationError, NotFoundError
from .gateway import Gateway

__all__ = ["BoCatalogue", "Catalogue", "NoEmployeeYet", "PosCatalogue"]


class NoEmployeeYet(NotFoundError):
    """The tenant has no employee whose permissions page could describe the templates."""


@dataclass(frozen=True, slots=True)
class PosCatalogue:
    """Every POS template and the whole permission catalogue (one permissions page, §7.2)."""

    templates: tuple[PosTemplate, ...]
    permissions: tuple[PosPermission, ...]


@dataclass(frozen=True, slots=True)
class BoCatalogue:
    """Every Backoffice template and every permission token (one user access page, §13)."""

    templates: tuple[BoTemplate, ...]
    tokens: tuple[str, ...]


class Catalogue:
    """Discovery data, cached per client (``refresh=True`` re-reads it).

    Args:
        gateway: Page reads.
    """

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway
        self._create_page: pages.EmployeeCreatePage | None = None
        self._pos: PosCatalogue | None = None
        self._bo: BoCatalogue | None = None
        self._create_lock = anyio.Lock()
        self._pos_lock = anyio.Lock()
        self._bo_lock = anyio.Lock()

    async def employee_create_page(self, refresh: bool = False) -> pages.EmployeeCreatePage:
        """``/employee/create``: site tree, departments and tenant shape in one GET (the
        reference downloaded it twice, reference doc §2.3)."""
        async with self._create_lock:
            if self._create_page is None or refresh:
                resp = await self._gateway.page("/employee/create", what="employee create form")
                self._create_page = pages.parse_employee_create(resp.text)
            return self._create_page

    async def get_site_tree(self, *, refresh: bool = False) -> SiteTree:
        """The tenant's regions, districts and sites (cached).

        Args:
            refresh: Re-read ``/employee/create`` instead of using the cache.

        Returns:
            The site tree; ``tree.hierarchical`` is false on a flat tenant.
        """
        return (await self.employee_create_page(refresh)).tree

    async def list_sites(self, *, refresh: bool = False) -> list[Site]:
        """Every site: id, long name, short code, district and region ids (cached).

        Args:
            refresh: Re-read the tenant instead of using the cache.

        Returns:
            Sites in tree order. Region and district names: :meth:`get_site_tree`.
        """
        return list((await self.get_site_tree(refresh=refresh)).sites)

    async def list_departments(self, *, refresh: bool = False) -> list[Department]:
        """Every employee department (cached; same page as the sites).

        Args:
            refresh: Re-read the tenant instead of using the cache.

        Returns:
            Departments in the form's order.
        """
        return list((await self.employee_create_page(refresh)).departments)

    async def pos(self, refresh: bool = False) -> PosCatalogue:
        """The POS catalogue (cached).

        Raises:
            NoEmployeeYet: The tenant has no employee to read it from.
        """
        async with self._pos_lock:
            if self._pos is None or refresh:
                # Any employee's permissions page carries every template and the whole
                # permission catalogue (§7.2, §18.3); one list row finds an employee.
                listing = await self._gateway.page(
                    "/employee", [("active", "all"), ("limit", 1)], what="employee list"
                )
                rows = pages.parse_employee_list(listing.text).rows
                if not rows:
                    raise NoEmployeeYet(
                        "POS templates are read from an employee's permissions page, "
                        "and the tenant has no employee yet"
                    )
                self._pos = await self.read_pos(rows[0].employee_id)
            return self._pos

    async def read_pos(self, employee_id: int) -> PosCatalogue:
        """The POS catalogue as one employee's permissions page shows it (not cached)."""
        resp = await self._gateway.page(
            f"/employee/permissions/{employee_id}", what="employee permissions page"
        )
        page = pages.parse_pos_permissions(resp.text)
        return PosCatalogue(tuple(page.templates), tuple(page.permissions))

    def remember_pos(self, catalogue: PosCatalogue) -> None:
        """Cache a POS catalogue read elsewhere (the first employee of a tenant)."""
        self._pos = catalogue

    async def pos_template_stubs(self) -> list[PosTemplate]:
        """POS template names and ids from ``/pos-permission-template/list`` (no grant sets):
        enough to check a name on a tenant without employees."""
        listing = await self._gateway.page("/pos-permission-template/list", what="POS templates")
        return [
            PosTemplate(r.id, r.name, frozenset())
            for r in pages.parse_pos_template_list(listing.text)
        ]

    async def backoffice(self, refresh: bool = False) -> BoCatalogue:
        """The Backoffice catalogue (cached), read from any user's access page."""
        async with self._bo_lock:
            if self._bo is None or refresh:
                listing = await self._gateway.page("/user", [("limit", 1)], what="user list")
                rows = pages.parse_user_list(listing.text).rows
                if not rows:
                    raise NotFoundError(
                        "the tenant lists no Backoffice user to read templates from"
                    )
                resp = await self._gateway.page(
                    f"/user/permissions/{rows[0].user_id}", what="user access page"
                )
                page = pages.parse_user_permissions(resp.text)
                self._bo = BoCatalogue(tuple(page.templates), tuple(page.tokens))
            return self._bo

    async def list_pos_templates(self, *, refresh: bool = False) -> list[PosTemplate]:
        """POS permission templates with their grant and override sets (cached).

        Args:
            refresh: Re-read instead of using the cache.

        Returns:
            Templates in the page's order.
        """
        return list((await self.pos(refresh)).templates)

    async def list_pos_permissions(self, *, refresh: bool = False) -> list[PosPermission]:
        """The POS permission catalogue (id, label, description), ascending id (cached)."""
        return list((await self.pos(refresh)).permissions)

    async def list_backoffice_templates(self, *, refresh: bool = False) -> list[BoTemplate]:
        """Backoffice permission templates with their token sets (cached).

        Args:
            refresh: Re-read instead of using the cache.

        Returns:
            Templates in the access page's order.
        """
        return list((await self.backoffice(refresh)).templates)

    @overload
    async def list_permissions(
        self, *, scope: Literal["pos"], refresh: bool = False
    ) -> list[PosTemplate]: ...
    @overload
    async def list_permissions(
        self, *, scope: Literal["backoffice"], refresh: bool = False
    ) -> list[BoTemplate]: ...
    async def list_permissions(
        self, *, scope: Literal["pos", "backoffice"], refresh: bool = False
    ) -> list[PosTemplate] | list[BoTemplate]:
        """The reference library's name for :meth:`list_pos_templates` /
        :meth:`list_backoffice_templates`.

        Args:
            scope: ``"pos"`` or ``"backoffice"``.
            refresh: Re-read instead of using the cache.

        Returns:
            The templates of that scope.
        """
        if scope == "pos":
            return await self.list_pos_templates(refresh=refresh)
        if scope == "backoffice":
            return await self.list_backoffice_templates(refresh=refresh)
        raise InputValidationError([FieldIssue("scope", 'must be "pos" or "backoffice"')])
