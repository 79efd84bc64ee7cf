"""The form model: controls, their options, how they are wired, and the entry list they give.

:class:`Control` and :class:`Option` describe what the markup shows. :class:`Wiring` holds the
per-control facts behind the entry list that the descriptors do not: how each control submits
(its kind), what the markup and disabled fieldsets disable, which page-script toggles disable or
enable it (browser mode), and which controls a page's own script keeps out of the body.

:func:`build_entries` is the HTML standard's *constructing the entry list* on a control state
(protocol §2.1: order and repeats kept; §2.2: only checked boxes submit), with those browser-mode
rules on top; :func:`effective_disabled` is the disabledness it uses. The parser builds the
model (:mod:`._parse`); :class:`~sonnys_async.core.forms.Form` and
:class:`~sonnys_async.core.forms.FormData` evaluate it (:mod:`._form`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BUTTON",
    "CHECKABLE",
    "SELECT",
    "TEXT",
    "Control",
    "Option",
    "Wiring",
    "build_entries",
    "effective_disabled",
    "is_secret_name",
]

# How a control contributes to the entry list (``Wiring.kinds``).
TEXT: Final = 0  # text-like inputs and textareas: their value
CHECKABLE: Final = 1  # checkboxes and radios: their value while checked
SELECT: Final = 2  # selects: each selected option that is not disabled
BUTTON: Final = 3  # buttons and file/image/reset/submit inputs: only as the submitter

_SECRET = re.compile(r"pass(?:word)?|pin\b|PIN", re.IGNORECASE)


def is_secret_name(name: str, type_: str = "") -> bool:
    """Whether a control holds a secret (password inputs, PIN / password fields).

    Args:
        name: The control name.
        type_: The control type.

    Returns:
        True when values of this control must never be shown in reprs or messages.
    """
    return type_ == "password" or bool(_SECRET.search(name))


@dataclass(frozen=True, slots=True)
class Option:
    """One ``<option>`` of a select: submitted value, visible text, initial selectedness."""

    value: str
    text: str
    selected: bool = False
    disabled: bool = False


@dataclass(frozen=True, slots=True, repr=False)
class Control:
    """Descriptor of one form control (for validation and introspection).

    ``value`` is the value the control submits (checkbox/radio: its ``value`` attribute or
    ``on``; text-like: the sanitised value, ``data-value`` fallback). ``disabled`` is the
    effective initial state in the form's mode. Secret values never appear in ``repr``.
    """

    name: str
    type: str
    value: str | None
    checked: bool = False
    disabled: bool = False
    options: tuple[Option, ...] = ()
    element_id: str | None = None
    classes: tuple[str, ...] = ()
    #: The element's ``data-*`` attributes (name without the ``data-`` prefix, value).
    data: tuple[tuple[str, str], ...] = ()

    def data_attr(self, key: str, default: str | None = None) -> str | None:
        """The value of ``data-<key>`` (``default`` when absent)."""
        for k, v in self.data:
            if k == key:
                return v
        return default

    def __repr__(self) -> str:
        shown = "<hidden>" if is_secret_name(self.name, self.type) else repr(self.value)
        extra = f", checked={self.checked}" if self.type in ("checkbox", "radio") else ""
        opts = f", options={len(self.options)}" if self.options else ""
        return (
            f"Control(name={self.name!r}, type={self.type!r}, value={shown}{extra}, "
            f"disabled={self.disabled}{opts})"
        )


@dataclass(frozen=True, slots=True)
class Wiring:
    """Per-control facts the entry list needs, parallel to ``Form.controls`` (index ``j``)."""

    #: How each control submits (:data:`TEXT`, :data:`CHECKABLE`, :data:`SELECT`, :data:`BUTTON`).
    kinds: tuple[int, ...]
    #: The markup carries ``disabled``.
    rendered_disabled: tuple[bool, ...]
    #: Inside a disabled fieldset (outside its first legend).
    fieldset_disabled: tuple[bool, ...]
    #: A page's own script keeps the control out of the body (browser mode).
    omitted: tuple[bool, ...]
    #: Toggles whose being checked disables the control (browser mode).
    disable_owners: tuple[tuple[int, ...], ...]
    #: Toggles whose being unchecked disables the control (browser mode).
    enable_owners: tuple[tuple[int, ...], ...]
    #: Rendered ``disabled`` *because* of such a toggle (it follows the toggle when flipped).
    explained: tuple[bool, ...]
    #: Indices of the initially selected options (selects; empty for other controls).
    initial_selected: tuple[tuple[int, ...], ...]
    #: Browser mode (toggles apply) rather than plain mode.
    browser: bool


def effective_disabled(wiring: Wiring, j: int, checked: Sequence[bool]) -> bool:
    """Whether control ``j`` is disabled given the current checkedness of every control."""
    if wiring.fieldset_disabled[j]:
        return True
    if wiring.browser:
        downers = wiring.disable_owners[j]
        eowners = wiring.enable_owners[j]
        if downers or eowners:
            if any(checked[o] for o in downers) or any(not checked[o] for o in eowners):
                return True
            # The server rendered `disabled` because of a toggle that is now off: the page
            # script would have re-enabled the control.
            return wiring.rendered_disabled[j] and not wiring.explained[j]
    return wiring.rendered_disabled[j]


def build_entries(
    controls: Sequence[Control],
    wiring: Wiring,
    *,
    values: Sequence[str | None],
    checked: Sequence[bool],
    selected: Sequence[tuple[int, ...]],
    removed: AbstractSet[int],
    forced: AbstractSet[int],
    extras: Iterable[tuple[str, str]],
    submitter: int | None,
) -> list[tuple[str, str]]:
    """Construct the entry list from a control state (HTML standard + browser-mode rules).

    Args:
        controls: The form's controls, in tree order.
        wiring: Their per-control facts.
        values: Current value per control.
        checked: Current checkedness per control.
        selected: Current selected option indices per control.
        removed: Controls that submit nothing whatever their state.
        forced: Controls that submit although disabled (the caller set them).
        extras: Free pairs appended after the form's own entries.
        submitter: Index of the button that submits the form, if any.

    Returns:
        The name/value pairs in submission order, repeats kept.
    """
    kinds = wiring.kinds
    omitted = wiring.omitted
    out: list[tuple[str, str]] = []
    append = out.append
    for j, control in enumerate(controls):
        name = control.name
        if not name or j in removed or omitted[j]:
            continue
        kind = kinds[j]
        if kind == BUTTON:
            if j == submitter:
                append((name, values[j] or ""))
            continue
        if j not in forced and effective_disabled(wiring, j, checked):
            continue
        if kind == TEXT:
            append((name, values[j] or ""))
        elif kind == CHECKABLE:
            if checked[j]:
                value = values[j]
                append((name, "on" if value is None else value))
        else:
            options = control.options
            for k in selected[j]:
                option = options[k]
                if not option.disabled:
                    append((name, option.value))
    out.extend(extras)
    return out
