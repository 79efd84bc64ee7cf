"""POS permissions of one employee: apply a template's full matrix, and check it is applied."""

from __future__ import annotations

from .._transport import SessionHandle
from ..core import pages
from ..core import payloads as P
from ..domain import PosTemplate
from ..errors import WriteNotVerifiedError
from .catalogue import PosCatalogue
from .gateway import Gateway, reading_back

__all__ = ["PosAccess"]


def _back_on_roster(location: str) -> bool:
    return location.rstrip("/") == "/employee" or location.startswith("/employee?")


class PosAccess:
    """The permissions form of §7.5 (a full replacement: every permission sent each time).

    Args:
        gateway: Page reads and form submits.
    """

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def apply(
        self,
        employee_id: int,
        template: PosTemplate,
        catalogue: PosCatalogue,
        *,
        verify: bool,
    ) -> None:
        """Give the employee exactly ``template``'s grants and overrides.

        Raises:
            WriteNotVerifiedError: With ``verify``, the grants do not read back.
        """
        await self._gateway.replace_form(
            "/employee/permissions/update",
            P.pos_matrix_pairs(employee_id, template, catalogue.permissions),
            what="POS permissions",
            ok=_back_on_roster,
            stored=lambda session: self.matches(employee_id, template, session=session),
        )
        if not verify:
            return
        with reading_back(f"employee {employee_id} POS permissions", what="pos_template"):
            proven = await self.matches(employee_id, template)
        if not proven:
            raise WriteNotVerifiedError(
                f"employee {employee_id}: POS grants do not match template {template.name!r}",
                what="pos_template",
                expected=template.name,
            )

    async def matches(
        self, employee_id: int, template: PosTemplate, *, session: SessionHandle | None = None
    ) -> bool:
        """Whether the employee's grants and overrides are exactly ``template``'s."""
        resp = await self._gateway.page(
            f"/employee/permissions/{employee_id}",
            session=session,
            what="employee permissions page",
        )
        page = pages.parse_pos_permissions(resp.text)
        return page.granted == template.grants and page.overrides == template.overrides
