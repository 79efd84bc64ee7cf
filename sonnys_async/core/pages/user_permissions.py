"""Backoffice user access — ``GET /user/permissions/<id>`` (protocol §13)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...domain import BoTemplate, SiteSelection, SiteTree
from ...errors import NotFoundError, PageStructureError
from ..forms import Form, FormData
from ..sites import parse_site_tree, read_backoffice_sites
from ..text import is_digits
from ._common import Html, control_value, optional_int, parse_page, require_form

__all__ = ["UserPermissionsPage", "apply_bo_template", "parse_user_permissions"]

PAGE = "user_permissions"
FORM = "form#user-permissions-update-form"
ACTION = "/user/permissions/update"
SUBMIT = "button#btn-customer-save"
TEMPLATE_OPTIONS = "select#template option"
F_USER = "userId"
F_TEMPLATE = "template"
_TOKEN = re.compile(r"^perms\[(\d+)\]\[token\]$")
_ENABLED = re.compile(r"^perms\[(\d+)\]\[isEnabled\]$")


@dataclass(frozen=True, slots=True)
class UserPermissionsPage:
    """Templates (token sets), tokens in index order, the enabled ones, and site access."""

    form: Form
    user_id: int
    templates: tuple[BoTemplate, ...]
    tokens: tuple[str, ...]
    enabled: frozenset[str]
    tree: SiteTree
    accessible_sites: SiteSelection

    def template(self, template_id_or_name: int | str) -> BoTemplate:
        """A template by id or case-insensitive option text.

        Raises:
            NotFoundError: No such template (message lists the valid ones).
        """
        for t in self.templates:
            if t.id == template_id_or_name or (
                isinstance(template_id_or_name, str)
                and t.name.casefold() == template_id_or_name.strip().casefold()
            ):
                return t
        valid = ", ".join(f"{t.id} {t.name}" for t in self.templates)
        raise NotFoundError(f"no Backoffice template {template_id_or_name!r}; valid: {valid}")


def parse_user_permissions(html: Html) -> UserPermissionsPage:
    """Parse ``/user/permissions/<id>`` (raw or DOM snapshot).

    Args:
        html: Page text or parsed tree.

    Returns:
        The access page's state.

    Raises:
        PageStructureError: Form, template select, ``perms[i][token]`` list or site tree missing.
    """
    tree = parse_page(html, page=PAGE)
    form = require_form(tree, FORM, page=PAGE, action=ACTION, submit=SUBMIT)
    user_id = optional_int(control_value(form, F_USER, page=PAGE), page=PAGE, landmark=F_USER)
    if user_id is None:
        raise PageStructureError(page=PAGE, landmark=F_USER, detail="empty")
    options = tree.css(TEMPLATE_OPTIONS)
    if not options:
        raise PageStructureError(page=PAGE, landmark=TEMPLATE_OPTIONS)
    templates = tuple(
        BoTemplate(
            int((o.attributes.get("value") or "").strip()),
            " ".join(o.text(deep=True).split()),
            tuple(
                t.strip()
                for t in (o.attributes.get("data-permissions-set") or "").split(",")
                if t.strip()
            ),
        )
        for o in options
        if is_digits((o.attributes.get("value") or "").strip())
    )
    tokens: dict[int, str] = {}
    enabled_idx: set[int] = set()
    for c in form.controls:
        m = _TOKEN.match(c.name)
        if m:
            tokens[int(m.group(1))] = c.value or ""
            continue
        m = _ENABLED.match(c.name)
        if m and c.checked:
            enabled_idx.add(int(m.group(1)))
    if not tokens:
        raise PageStructureError(page=PAGE, landmark="perms[i][token] list")
    return UserPermissionsPage(
        form=form,
        user_id=user_id,
        templates=templates,
        tokens=tuple(tokens[i] for i in sorted(tokens)),
        enabled=frozenset(tokens[i] for i in enabled_idx if i in tokens),
        tree=parse_site_tree(tree, page=PAGE),
        accessible_sites=read_backoffice_sites(form),
    )


def apply_bo_template(
    page: UserPermissionsPage, template: int | str | BoTemplate, data: FormData | None = None
) -> FormData:
    """Choose a BO template: ``template`` selected, exactly its tokens enabled (§13.4).

    Matches the browser's captured body (template "General User": the 14 tokens enabled).

    Args:
        page: The parsed access page.
        template: Template id, option text, or object.
        data: A replay to edit (default: a fresh ``page.form.replay()``).

    Returns:
        The edited replay.

    Raises:
        NotFoundError: Unknown template.
    """
    chosen = template if isinstance(template, BoTemplate) else page.template(template)
    data = page.form.replay() if data is None else data
    data.select(F_TEMPLATE, str(chosen.id))
    wanted = set(chosen.tokens)
    for i, token in enumerate(page.tokens):
        name = f"perms[{i}][isEnabled]"
        if token in wanted:
            data.check(name)
        else:
            data.uncheck(name)
    return data
