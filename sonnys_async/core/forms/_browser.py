"""Browser mode: what a page's scripts change in a form before the browser submits it.

Two kinds of effect, both applied only in browser mode:

Toggles the markup declares (protocol §5.2)
    A checked checkbox/radio carrying ``data-fhcheck-disable="<selector>"`` disables the
    controls the selector targets; ``data-fhcheck-enable`` enables its targets only while
    checked. The selector shapes the pages use are ``#id`` and ``#id :input`` (jQuery's
    ``:input`` means input, select, textarea and button). A target whose ``disabled`` attribute
    the server rendered *because* of such a toggle follows the toggle when a replay flips it.
Omissions no markup shows
    A page's own script may keep controls out of the body although they are checked and
    enabled. The engine knows no page: whoever knows one passes an ``omit`` rule (a predicate
    over control names) when parsing, or a table of rules by form ``action`` (the pages keep
    theirs in ``sonnys_async.core.pages.BROWSER_OMISSIONS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, TypeAlias

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ._owners import CONTROL_SELECTOR
from ._read import ReadControl, Toggle

__all__ = [
    "Omissions",
    "OmitRule",
    "ScriptEffects",
    "no_script_effects",
    "script_effects",
]

#: Whether a page's script keeps the control of that name out of the body.
OmitRule: TypeAlias = Callable[[str], bool]
#: A rule, or rules by form ``action`` (the parsed form's own action picks one).
Omissions: TypeAlias = OmitRule | Mapping[str, OmitRule]
_Owners: TypeAlias = tuple[tuple[int, ...], ...]

_SIMPLE = re.compile(r"^#([\w-]+)(\s+:input)?$")


class ScriptEffects(NamedTuple):
    """Per control (parallel to the form's controls), what the page's scripts do to it."""

    #: Kept out of the body by an omission rule.
    omitted: tuple[bool, ...]
    #: Indices of the toggles whose being checked disables it.
    disable_owners: _Owners
    #: Indices of the toggles whose being unchecked disables it.
    enable_owners: _Owners
    #: Rendered ``disabled`` because of its toggles' initial state (it follows them).
    explained: tuple[bool, ...]


def no_script_effects(count: int) -> ScriptEffects:
    """Plain mode: no control is touched by a script."""
    none = (False,) * count
    return ScriptEffects(none, ((),) * count, ((),) * count, none)


def script_effects(
    tree: LexborHTMLParser,
    form: LexborNode,
    nodes: Sequence[LexborNode],
    read: Sequence[ReadControl],
    omit: OmitRule | None,
) -> ScriptEffects:
    """Browser mode: the toggles' and the omission rule's effects on each control.

    Args:
        tree: The parsed document (page-script selectors are document-wide).
        form: The ``<form>`` element.
        nodes: The form's control elements.
        read: What was read from each of them.
        omit: The omission rule for this form, if any.

    Returns:
        The effects, per control.
    """
    disable_owners, enable_owners = _toggle_owners(tree, form, nodes, [r.toggle for r in read])
    rendered = [r.control.disabled for r in read]
    checked = [r.control.checked for r in read]
    return ScriptEffects(
        omitted=_omitted(read, omit),
        disable_owners=disable_owners,
        enable_owners=enable_owners,
        explained=_explained(rendered, checked, disable_owners, enable_owners),
    )


# -- omissions -----------------------------------------------------------------------------------
def _omitted(read: Sequence[ReadControl], omit: OmitRule | None) -> tuple[bool, ...]:
    """Per control, whether ``omit`` keeps it out of the body (nameless controls never are)."""
    if omit is None:
        return (False,) * len(read)
    return tuple(bool(r.control.name and omit(r.control.name)) for r in read)


# -- toggles -------------------------------------------------------------------------------------
def _toggle_owners(
    tree: LexborHTMLParser,
    form: LexborNode,
    nodes: Sequence[LexborNode],
    toggles: Sequence[Toggle | None],
) -> tuple[_Owners, _Owners]:
    """Per control, the toggles whose being checked / unchecked disables it (never itself)."""
    disable: list[list[int]] = [[] for _ in nodes]
    enable: list[list[int]] = [[] for _ in nodes]
    owners = [(j, toggle) for j, toggle in enumerate(toggles) if toggle is not None]
    if owners:
        index_of = {node.mem_id: j for j, node in enumerate(nodes)}
        ids = _elements_by_id(tree, form)
        for owner, toggle in owners:
            for selector, table in ((toggle.disables, disable), (toggle.enables, enable)):
                if not selector:
                    continue
                for target in _targets(tree, selector, ids):
                    j = index_of.get(target.mem_id)
                    if j is not None and j != owner:
                        table[j].append(owner)
    return _frozen(disable), _frozen(enable)


def _explained(
    rendered_disabled: Sequence[bool],
    checked: Sequence[bool],
    disable_owners: _Owners,
    enable_owners: _Owners,
) -> tuple[bool, ...]:
    """Per control, whether its rendered ``disabled`` is what its toggles' initial state implies.

    Such a control follows its toggles when a replay flips them; any other rendered
    ``disabled`` stays.
    """
    return tuple(
        rendered_disabled[j]
        and (
            any(checked[o] for o in disable_owners[j])
            or any(not checked[o] for o in enable_owners[j])
        )
        for j in range(len(rendered_disabled))
    )


def _frozen(table: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(owners) for owners in table)


def _elements_by_id(tree: LexborHTMLParser, form: LexborNode) -> dict[str, LexborNode]:
    """The first element of each id, as ``#id`` resolves (one pass instead of one per toggle).

    Only the form's subtree is indexed when it has controls of its own (else the document).
    """
    scope = form if form.css_first(CONTROL_SELECTOR) else tree.root or form
    ids: dict[str, LexborNode] = {}
    for element in scope.css("[id]"):
        ids.setdefault(element.id or "", element)
    return ids


def _targets(
    tree: LexborHTMLParser, selector: str, ids: Mapping[str, LexborNode]
) -> list[LexborNode]:
    """Elements a ``data-fhcheck-*`` selector addresses (``#id`` / ``#id :input`` fast path)."""
    match = _SIMPLE.match(selector.strip())
    if match is not None:
        element = ids.get(match.group(1))
        if element is None:
            return []
        return element.css(CONTROL_SELECTOR) if match.group(2) else [element]
    try:
        return list(tree.css(_jquery_to_css(selector)))
    except Exception:  # an unparsable page selector has no effect
        return []


def _jquery_to_css(selector: str) -> str:
    """Translate the jQuery selector shapes used by ``data-fhcheck-*`` into plain CSS."""
    parts: list[str] = []
    for raw in selector.split(","):
        part = raw.strip()
        if part.endswith(":input"):
            base = part[: -len(":input")]
            sep = " " if base.endswith(" ") else ""
            base = base.rstrip()
            parts.extend(f"{base}{sep}{tag}" for tag in ("input", "select", "textarea", "button"))
        elif part:
            parts.append(part)
    return ", ".join(parts)
