"""Employee POS permissions — ``GET /employee/permissions/<id>`` (protocol §7.1-§7.4).

:func:`apply_pos_template` reproduces ``employeePermissionEdit.js`` choosing a template: every
``.permission-grant`` / ``.permission-override`` toggle is cleared, then ``#perm-grant-<id>``
and ``#perm-override-<id>`` are checked for the template's sets. The script changes the
toggles silently (no change event), so ``hasActionApprovalAuthority`` keeps its rendered
value — which is why the browser's body (§7.4) still says ``0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...domain import PosPermission, PosTemplate
from ...errors import NotFoundError, PageStructureError
from ..forms import Form, FormData
from ..text import is_digits
from ._common import Html, control_value, optional_int, parse_page, require_form

__all__ = ["PosPermissionsPage", "apply_pos_template", "parse_pos_permissions"]

PAGE = "employee_permissions"
FORM = "form#employee-permission-update-form"
ACTION = "/employee/permissions/update"
SUBMIT = "button#btn-customer-save"
TEMPLATE_OPTIONS = "select#template option"
F_EMPLOYEE = "employeeId"
F_TEMPLATE = "templateId"
GRANT_CLASS = "permission-grant"
OVERRIDE_CLASS = "permission-override"
GRANT_ID = "perm-grant-{}"
OVERRIDE_ID = "perm-override-{}"
_PERM_FIELD = re.compile(r"^permissions\[(\d+)\]\[(id|label|description)\]$")


@dataclass(frozen=True, slots=True)
class PosPermissionsPage:
    """Templates, the permission catalogue (ascending id) and the stored grant/override sets."""

    form: Form
    employee_id: int
    templates: tuple[PosTemplate, ...]
    permissions: tuple[PosPermission, ...]
    granted: frozenset[int]
    overrides: frozenset[int]

    def template(self, template_id_or_name: int | str) -> PosTemplate:
        """A template by id or (case-insensitive) name.

        Raises:
            NotFoundError: No such template; the message lists the valid ones.
        """
        for t in self.templates:
            if t.id == template_id_or_name or (
                isinstance(template_id_or_name, str)
                and t.name.casefold() == template_id_or_name.strip().casefold()
            ):
                return t
        valid = ", ".join(f"{t.id} {t.name}" for t in self.templates)
        raise NotFoundError(f"no POS template {template_id_or_name!r}; valid: {valid}")


def _id_set(text: str | None) -> frozenset[int]:
    return frozenset(int(p) for p in (text or "").split(",") if is_digits(p.strip()))


def parse_pos_permissions(html: Html) -> PosPermissionsPage:
    """Parse ``/employee/permissions/<id>`` (raw or DOM snapshot).

    Args:
        html: Page text or parsed tree.

    Returns:
        The page's templates, catalogue and stored state (toggles rendered ``checked``).

    Raises:
        PageStructureError: Form, template select or the permission matrix is missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    employee_id = optional_int(
        control_value(form, F_EMPLOYEE, page=PAGE), page=PAGE, landmark=F_EMPLOYEE
    )
    if employee_id is None:
        raise PageStructureError(page=PAGE, landmark=F_EMPLOYEE, detail="empty")
    options = tree.css(TEMPLATE_OPTIONS)
    if not options:
        raise PageStructureError(page=PAGE, landmark=TEMPLATE_OPTIONS)
    templates: list[PosTemplate] = []
    for opt in options:
        a = opt.attributes
        value = (a.get("value") or "").strip()
        if is_digits(value):
            templates.append(
                PosTemplate(
                    int(value),
                    " ".join(opt.text(deep=True).split()),
                    _id_set(a.get("data-permissions-set")),
                    _id_set(a.get("data-manager-override-permissions-set")),
                )
            )
    # The last id/label/description triple per id wins: permission 1's second triple is the
    # catalogue entry "Manager Approval" (§7.2, §17.4).
    fields: dict[int, dict[str, str]] = {}
    granted: set[int] = set()
    overrides: set[int] = set()
    for c in form.controls:
        match = _PERM_FIELD.match(c.name)
        if match:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = c.value or ""
        elif c.type == "checkbox" and c.checked:
            pid = c.data_attr("permission-id")
            if GRANT_CLASS in c.classes and pid and is_digits(pid):
                granted.add(int(pid))
            elif OVERRIDE_CLASS in c.classes and c.element_id:
                tail = c.element_id.rsplit("-", 1)[-1]
                if is_digits(tail):
                    overrides.add(int(tail))
    if not fields:
        raise PageStructureError(page=PAGE, landmark="permissions[N][id] matrix")
    catalogue = tuple(
        PosPermission(pid, f.get("label", ""), f.get("description", ""))
        for pid, f in sorted(fields.items())
    )
    return PosPermissionsPage(
        form=form,
        employee_id=employee_id,
        templates=tuple(templates),
        permissions=catalogue,
        granted=frozenset(granted),
        overrides=frozenset(overrides),
    )


def apply_pos_template(
    page: PosPermissionsPage, template: int | str | PosTemplate, data: FormData | None = None
) -> FormData:
    """Choose a template on the page the way ``employeePermissionEdit.js`` does (§7.3).

    Args:
        page: The parsed permissions page.
        template: Template id, name, or object.
        data: A replay to edit (default: a fresh ``page.form.replay()``).

    Returns:
        The replay with ``templateId`` selected and the toggles set to the template's sets.

    Raises:
        NotFoundError: Unknown template.
    """
    chosen = template if isinstance(template, PosTemplate) else page.template(template)
    data = page.form.replay() if data is None else data
    data.select(F_TEMPLATE, str(chosen.id))
    data.set_checked_by_class(GRANT_CLASS, False)
    data.set_checked_by_class(OVERRIDE_CLASS, False)
    ids = {c.element_id for c in page.form.controls if c.element_id}
    for pid in sorted(chosen.grants):
        if GRANT_ID.format(pid) in ids:  # the script silently skips missing toggles
            data.set_checked_by_id(GRANT_ID.format(pid), True)
    for pid in sorted(chosen.overrides):
        if OVERRIDE_ID.format(pid) in ids:
            data.set_checked_by_id(OVERRIDE_ID.format(pid), True)
    return data
