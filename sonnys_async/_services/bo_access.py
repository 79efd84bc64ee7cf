"""A Backoffice user's access page: accessible sites plus a template's tokens (§13.4)."""

from __future__ import annotations

from collections.abc import Iterable

from .._transport import SessionHandle
from ..core import pages, sites
from ..core import payloads as P
from ..domain import BoTemplate, SiteSelection, SiteTree
from .catalogue import Catalogue
from .gateway import Gateway

__all__ = ["BackofficeAccess"]


def _back_on_user_list(location: str) -> bool:
    return location.rstrip("/") == "/user" or location.startswith("/user?")


class BackofficeAccess:
    """Set and check what a Backoffice user may do and where.

    Args:
        gateway: Page reads and form submits.
        catalogue: The Backoffice tokens every save sends.
    """

    def __init__(self, gateway: Gateway, catalogue: Catalogue) -> None:
        self._gateway = gateway
        self._catalogue = catalogue

    async def read(
        self, user_id: int, *, session: SessionHandle | None = None
    ) -> pages.UserPermissionsPage:
        """The user's access page, parsed."""
        resp = await self._gateway.page(
            f"/user/permissions/{user_id}", session=session, what="user access page"
        )
        return pages.parse_user_permissions(resp.text)

    async def set(
        self,
        user_id: int,
        tree: SiteTree,
        selection: SiteSelection,
        template: BoTemplate | None,
        *,
        enabled: Iterable[str] | None = None,
    ) -> None:
        """Save a user's accessible sites and tokens (a full replacement): ``template``'s
        tokens, or ``enabled`` (then ``template`` only names the page's template select)."""
        bo = await self._catalogue.backoffice()
        want = _enabled(template, enabled)
        await self._gateway.replace_form(
            "/user/permissions/update",
            P.backoffice_access_pairs(
                user_id=user_id,
                tree=tree,
                selection=selection,
                template=template,
                tokens=bo.tokens,
                enabled=want,
            ),
            what="Backoffice access",
            ok=_back_on_user_list,
            stored=lambda session: self.matches(
                user_id, tree, selection, template, enabled=want, session=session
            ),
        )

    async def matches(
        self,
        user_id: int,
        tree: SiteTree,
        selection: SiteSelection,
        template: BoTemplate | None,
        *,
        enabled: Iterable[str] | None = None,
        session: SessionHandle | None = None,
    ) -> bool:
        """Whether the user's enabled tokens and sites are exactly these."""
        page = await self.read(user_id, session=session)
        want = _enabled(template, enabled) & set(page.tokens)
        return set(page.enabled) == want and sites.same_selection(
            tree, page.accessible_sites, selection
        )


def _enabled(template: BoTemplate | None, enabled: Iterable[str] | None) -> frozenset[str]:
    if enabled is not None:
        return frozenset(enabled)
    return frozenset(template.tokens) if template is not None else frozenset()
