"""Parsing a form: from its ``<form>`` element to a :class:`~._form.Form`, in named steps.

Two modes (:data:`~._form.Mode`):

``"plain"``
    The HTML standard's *constructing the entry list*, on the markup as served: checked
    checkboxes/radios (value defaults to ``on``), the selected options of selects (a single
    select with none marked submits its first enabled option), text-like inputs, textareas;
    disabled controls, controls in a disabled fieldset (outside its first legend) and nameless
    controls are skipped. Inputs without ``value`` submit their ``data-value`` (protocol §6.4).
``"browser"`` (the default)
    What a browser sends after the page's scripts ran (protocol §8.4): plain mode plus the
    ``data-fhcheck-*`` toggles and any omission a page declares (see :mod:`._browser`).

The steps: collect the controls the form owns (:mod:`._owners`), read each by its element type
(:mod:`._read`), wire them (fieldsets; in browser mode toggles and omissions), then settle each
control's initial disabledness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...errors import PageStructureError
from ._browser import (
    Omissions,
    ScriptEffects,
    no_script_effects,
    script_effects,
)
from ._form import Form, Mode
from ._model import Control, Wiring, effective_disabled
from ._owners import in_disabled_fieldset, owned_controls
from ._read import ReadControl, read_control

__all__ = ["form_from_node", "parse_form", "parse_html"]


def parse_html(html: str | LexborHTMLParser) -> LexborHTMLParser:
    """Parse once; pass an already parsed tree through unchanged."""
    return html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html)


def parse_form(
    html: str | LexborHTMLParser,
    form_id: str | None = None,
    *,
    selector: str | None = None,
    mode: Mode = "browser",
    page: str = "form",
    omit: Omissions | None = None,
) -> Form:
    """Parse one form of a page into a :class:`Form`.

    Args:
        html: Page text, or a tree already parsed with ``LexborHTMLParser`` (parse once, reuse).
        form_id: The ``id`` of the ``<form>``.
        selector: Alternatively a CSS selector for the form (e.g. ``form[action='/save']``).
        mode: ``"browser"`` (default: what a browser sends after the page scripts ran) or
            ``"plain"`` (the HTML standard alone).
        page: Page kind named in errors.
        omit: Browser mode: the names a page's script keeps out of the body, as a rule, or as
            rules by form ``action`` (the form's own is used; e.g.
            ``sonnys_async.core.pages.BROWSER_OMISSIONS``).

    Returns:
        The parsed form.

    Raises:
        PageStructureError: The page has no such form.
        ValueError: Neither or both of ``form_id`` and ``selector`` given.
    """
    if (form_id is None) == (selector is None):
        raise ValueError("give exactly one of form_id or selector")
    tree = parse_html(html)
    css = f'form[id="{form_id}"]' if form_id is not None else str(selector)
    node = tree.css_first(css)
    if node is None or node.tag != "form":
        raise PageStructureError(page=page, landmark=f"form {form_id or selector}")
    return form_from_node(tree, node, mode=mode, omit=omit)


def form_from_node(
    tree: LexborHTMLParser,
    form: LexborNode,
    *,
    mode: Mode = "browser",
    omit: Omissions | None = None,
) -> Form:
    """Build a :class:`Form` from its ``<form>`` node in an already parsed tree.

    Args:
        tree: The parsed document (selectors of page scripts are document-wide).
        form: The ``<form>`` element.
        mode: ``"browser"`` or ``"plain"``.
        omit: Browser mode: the names a page's script keeps out of the body, as a rule or as
            rules by form ``action``.

    Returns:
        The parsed form.
    """
    attrs = form.attributes
    action = attrs.get("action") or ""
    browser = mode == "browser"
    nodes = owned_controls(tree, form)
    read = [read_control(node) for node in nodes]
    if browser:
        rule = omit.get(action) if isinstance(omit, Mapping) else omit
        effects = script_effects(tree, form, nodes, read, rule)
    else:
        effects = no_script_effects(len(read))
    wiring = _wire(read, in_disabled_fieldset(tree, nodes), effects, browser=browser)
    return Form(
        id=attrs.get("id"),
        action=action,
        method=(attrs.get("method") or "get").strip().lower(),
        mode=mode,
        controls=_settle_disabled([r.control for r in read], wiring),
        _wiring=wiring,
    )


def _wire(
    read: Sequence[ReadControl],
    fieldset_disabled: tuple[bool, ...],
    effects: ScriptEffects,
    *,
    browser: bool,
) -> Wiring:
    """Gather the per-control facts: as read, as fieldsets disable, as page scripts affect."""
    return Wiring(
        kinds=tuple(r.kind for r in read),
        rendered_disabled=tuple(r.control.disabled for r in read),
        fieldset_disabled=fieldset_disabled,
        omitted=effects.omitted,
        disable_owners=effects.disable_owners,
        enable_owners=effects.enable_owners,
        explained=effects.explained,
        initial_selected=tuple(r.selected for r in read),
        browser=browser,
    )


def _settle_disabled(controls: list[Control], wiring: Wiring) -> tuple[Control, ...]:
    """Give each control its effective initial disabledness in the form's mode."""
    checked = [c.checked for c in controls]
    for j, control in enumerate(controls):
        disabled = effective_disabled(wiring, j, checked)
        if disabled != control.disabled:
            controls[j] = _with_disabled(control, disabled)
    return tuple(controls)


def _with_disabled(c: Control, disabled: bool) -> Control:
    # Positional construction: dataclasses.replace is several times slower, per control.
    return Control(
        c.name, c.type, c.value, c.checked, disabled, c.options, c.element_id, c.classes, c.data
    )
