"""Which controls belong to a form, and which a disabled fieldset disables (HTML standard).

A control's *form owner* is the ``<form>`` it descends from, or the form its ``form=``
attribute names. One parser rule adds a third case: a ``<form>`` that appears directly inside a
table is inserted, popped at once and kept as the parser's *form element pointer*, so Lexbor,
like browsers, leaves it empty and associates the controls parsed after it (still inside the
table) with it although they are not its descendants.
"""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["CONTROL_SELECTOR", "CONTROL_TAGS", "in_disabled_fieldset", "owned_controls"]

#: Listed, submittable form-associated elements (``object`` never submits in practice).
CONTROL_SELECTOR = "input, select, textarea, button"
CONTROL_TAGS = frozenset({"input", "select", "textarea", "button"})
_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr"})


def owned_controls(tree: LexborHTMLParser, form: LexborNode) -> list[LexborNode]:
    """The form's controls in tree order, by the HTML form-owner rules.

    Args:
        tree: The parsed document.
        form: The ``<form>`` element.

    Returns:
        Descendant controls (or, for a form moved out of a table, the controls parsed after
        it), adjusted for ``form=`` attributes anywhere in the document.
    """
    descendants = form.css(CONTROL_SELECTOR)
    reparented = [] if descendants else _parsed_after_in_table(form)
    if tree.css_first("[form]") is None:
        return reparented or descendants
    return _by_form_attribute(tree, form.attributes.get("id"), descendants + reparented)


def _parsed_after_in_table(form: LexborNode) -> list[LexborNode]:
    """Controls the parser associated with an empty ``<form>`` it met in "in table" mode."""
    parent = form.parent
    if parent is None or parent.tag not in _TABLE_TAGS:
        return []
    found: list[LexborNode] = []
    seen = False
    for node in parent.traverse(include_text=False):
        if node.mem_id == form.mem_id:
            seen = True
        elif not seen:
            continue
        elif node.tag == "form":
            break
        elif node.tag in CONTROL_TAGS:
            found.append(node)
    return found


def _by_form_attribute(
    tree: LexborHTMLParser, form_id: str | None, associated: list[LexborNode]
) -> list[LexborNode]:
    """Every control of the document in tree order whose owner is this form.

    A control with ``form=`` belongs to the form of that id (none when the form has no id);
    any other control belongs to it when the parser associated it (``associated``).
    """
    mine = {n.mem_id for n in associated}
    out: list[LexborNode] = []
    for node in tree.css(CONTROL_SELECTOR):
        attrs = node.attributes
        if "form" in attrs:
            if form_id is not None and attrs["form"] == form_id:
                out.append(node)
        elif node.mem_id in mine:
            out.append(node)
    return out


def in_disabled_fieldset(
    tree: LexborHTMLParser, controls: Sequence[LexborNode]
) -> tuple[bool, ...]:
    """Per control, whether a disabled fieldset disables it (its first legend excepted).

    Args:
        tree: The parsed document.
        controls: Control elements.

    Returns:
        One flag per control, in order.
    """
    root = tree.root
    if root is None or tree.css_first("fieldset[disabled]") is None:
        return (False,) * len(controls)
    disabled: set[int] = set()
    for fieldset in root.css("fieldset[disabled]"):
        spared: set[int] = set()
        for child in fieldset.iter(include_text=False):
            if child.tag == "legend":
                spared = {n.mem_id for n in child.css(CONTROL_SELECTOR)}
                break
        disabled.update(n.mem_id for n in fieldset.css(CONTROL_SELECTOR) if n.mem_id not in spared)
    return tuple(node.mem_id in disabled for node in controls)
