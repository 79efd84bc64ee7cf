"""Reading one control element: its descriptor, how it submits, and its initial selection.

One reader per element type, each following the HTML standard for the value it submits: inputs
(checkbox/radio value defaulting to ``on``; text-like values sanitised), selects (the
selectedness setting algorithm), textareas (their text) and buttons. A checkbox/radio's
``data-fhcheck-*`` selectors are read here and applied in browser mode (:mod:`._browser`).
One addition, because the page's date picker is part of what the server expects: an input
without a ``value`` attribute that carries ``data-value`` submits that (protocol §6.4).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from ._model import BUTTON, CHECKABLE, SELECT, TEXT, Control, Option

__all__ = ["ReadControl", "Toggle", "read_control"]

#: Input types that submit only as the submitter, or never.
_NOT_TEXT = frozenset({"checkbox", "radio", "file", "image", "submit", "reset", "button"})
#: Input types whose value sanitisation strips line breaks.
_STRIP_NEWLINES = frozenset({"text", "search", "tel", "password", "email", "url"})
_FLOAT = re.compile(r"^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$")

_Attrs = dict[str, str | None]


class Toggle(NamedTuple):
    """The selectors a checkbox/radio's ``data-fhcheck-*`` attributes declare (protocol §5.2)."""

    disables: str | None
    enables: str | None


class ReadControl(NamedTuple):
    """What one element contributes: descriptor (``disabled`` as rendered), kind, selection.

    ``toggle`` is set for a checkbox/radio declaring ``data-fhcheck-*`` selectors (their effect
    is applied in browser mode only).
    """

    control: Control
    kind: int
    selected: tuple[int, ...]
    toggle: Toggle | None


class _Value(NamedTuple):
    """The type-specific part of a control as its element renders it."""

    type: str
    kind: int
    value: str | None
    checked: bool = False
    options: tuple[Option, ...] = ()
    selected: tuple[int, ...] = ()
    toggle: Toggle | None = None


def read_control(node: LexborNode) -> ReadControl:
    """Read one ``input``/``select``/``textarea``/``button`` element.

    Args:
        node: The element.

    Returns:
        Its descriptor with ``disabled`` as the markup renders it (scripts and fieldsets are
        applied later), its kind, for a select the selected option indices, and for a
        checkbox/radio the toggle it declares.
    """
    attrs = node.attributes
    name = attrs.get("name") or ""
    tag = node.tag
    if tag == "input":
        part = _read_input(attrs, name)
    elif tag == "select":
        part = _read_select(node, "multiple" in attrs)
    elif tag == "textarea":
        part = _Value("textarea", TEXT, node.text(deep=True))
    else:
        part = _read_button(attrs)
    control = Control(
        name,
        part.type,
        part.value,
        part.checked,
        "disabled" in attrs,
        part.options,
        attrs.get("id"),
        tuple((attrs.get("class") or "").split()),
        tuple([(k[5:], v or "") for k, v in attrs.items() if k.startswith("data-")]),
    )
    return ReadControl(control, part.kind, part.selected, part.toggle)


def _read_input(attrs: _Attrs, name: str) -> _Value:
    """An ``<input>``: checkable, submitter-only, or text-like with a sanitised value."""
    type_ = (attrs.get("type") or "text").strip().lower()
    raw_value = attrs.get("value")
    if type_ in ("checkbox", "radio"):
        value = "on" if raw_value is None else raw_value
        return _Value(type_, CHECKABLE, value, "checked" in attrs, toggle=_toggle(attrs))
    if type_ in _NOT_TEXT:
        return _Value(type_, BUTTON, raw_value)
    if raw_value is None:
        # Date pickers render the date only in data-value (protocol §6.4).
        raw_value = attrs.get("data-value") or ""
    value = _sanitize(type_, raw_value)
    if type_ == "hidden" and name == "_charset_" and not value:
        value = "UTF-8"
    return _Value(type_, TEXT, value)


def _toggle(attrs: _Attrs) -> Toggle | None:
    """The ``data-fhcheck-*`` selectors of a checkbox/radio (``None`` when it declares none)."""
    disables = attrs.get("data-fhcheck-disable")
    enables = attrs.get("data-fhcheck-enable")
    return Toggle(disables, enables) if disables or enables else None


def _sanitize(type_: str, value: str) -> str:
    """HTML value sanitisation for the input types the pages use."""
    if type_ in _STRIP_NEWLINES:
        if "\r" in value or "\n" in value:
            value = value.replace("\r", "").replace("\n", "")
        if type_ == "email":
            value = value.strip(" \t\f")
        return value
    if type_ == "number" and value and not _FLOAT.match(value):
        return ""
    return value


def _read_select(node: LexborNode, multiple: bool) -> _Value:
    """A ``<select>``: its options and which are selected (HTML selectedness setting)."""
    options = tuple(_read_option(opt) for opt in node.css("option"))
    marked = tuple(j for j, o in enumerate(options) if o.selected)
    selected: tuple[int, ...]
    if multiple:
        selected = marked
    elif marked:
        selected = (marked[-1],)  # the last selected option wins (selectedness setting)
    else:
        first = next((j for j, o in enumerate(options) if not o.disabled), None)
        selected = () if first is None else (first,)
    value = options[selected[0]].value if selected else None
    type_ = "select-multiple" if multiple else "select-one"
    return _Value(type_, SELECT, value, options=options, selected=selected)


def _read_option(node: LexborNode) -> Option:
    """An ``<option>``: value (its text when it has no ``value``), disabled with its optgroup."""
    attrs = node.attributes
    text = " ".join(node.text(deep=True).split())
    value = attrs.get("value")
    disabled = "disabled" in attrs
    if not disabled:
        group = node.parent
        disabled = group is not None and group.tag == "optgroup" and "disabled" in group.attributes
    return Option(text if value is None else value, text, "selected" in attrs, disabled)


def _read_button(attrs: _Attrs) -> _Value:
    """A ``<button>``: submitted only as the submitter."""
    type_ = (attrs.get("type") or "submit").strip().lower()
    return _Value(type_, BUTTON, attrs.get("value") or "")
