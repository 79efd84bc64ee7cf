"""The parsed form and its editable replay: two views of one entry-list engine.

:class:`Form` is the frozen result of parsing: identity, controls in tree order, and the entry
list a browser (or the HTML standard alone, in plain mode) submits for the markup as served.
:class:`FormData` is an editable copy of its control state, as a person would fill the form
(protocol §8.4). It edits the *controls* (values, checkedness, selected options) rather than a
flat list of pairs, so the entry list keeps document order after edits and, in browser mode,
toggles with ``data-fhcheck-*`` selectors still disable/enable their targets (unchecking a
toggle re-enables the controls it disabled, as the page script does). ``append`` adds free
pairs after the form's own entries.

The two live in one module because each refers to the other (``Form.replay()`` makes a
``FormData``; a ``FormData`` edits a ``Form``); both evaluate the model of :mod:`._model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ...errors import ControlNotFoundError, FormError, ItemNotFoundError
from ._encode import encode_pairs
from ._model import BUTTON, CHECKABLE, SELECT, Control, Wiring, build_entries

__all__ = ["Form", "FormData", "Mode"]

Mode: TypeAlias = Literal["browser", "plain"]


@dataclass(frozen=True, slots=True, repr=False)
class Form:
    """A parsed form: identity, controls in tree order, and its entry list in ``mode``."""

    id: str | None
    action: str
    method: str
    mode: Mode
    controls: tuple[Control, ...]
    entries: tuple[tuple[str, str], ...] = field(init=False)
    _wiring: Wiring = field(compare=False)

    def __post_init__(self) -> None:
        wiring = self._wiring
        entries = build_entries(
            self.controls,
            wiring,
            values=[c.value for c in self.controls],
            checked=[c.checked for c in self.controls],
            selected=wiring.initial_selected,
            removed=frozenset(),
            forced=frozenset(),
            extras=(),
            submitter=None,
        )
        object.__setattr__(self, "entries", tuple(entries))

    def __repr__(self) -> str:
        return (
            f"Form(id={self.id!r}, action={self.action!r}, method={self.method!r}, "
            f"mode={self.mode!r}, controls={len(self.controls)}, entries={len(self.entries)})"
        )

    def replay(self, submitter: str | None = None) -> FormData:
        """An editable copy of the entry list, as a person would fill the form.

        Args:
            submitter: Name of a submit button/input to include as the submitter (browsers send
                only the button that was clicked, and only when it has a name).

        Returns:
            A fresh :class:`~sonnys_async.core.forms.FormData`.

        Raises:
            ControlNotFoundError: ``submitter`` names no button of this form.
        """
        return FormData(self, submitter=submitter)

    @property
    def rendered_disabled(self) -> tuple[bool, ...]:
        """Per control, whether the markup carries ``disabled`` (before any script effect)."""
        return self._wiring.rendered_disabled

    def controls_named(self, name: str) -> tuple[Control, ...]:
        """Every control with that name, in tree order."""
        return tuple(c for c in self.controls if c.name == name)

    def names(self) -> tuple[str, ...]:
        """Distinct control names in tree order (nameless controls omitted)."""
        return tuple(dict.fromkeys(c.name for c in self.controls if c.name))


class FormData:
    """Editable replay of a :class:`Form` (see the module docstring).

    Values of secret controls (PIN, passwords) never appear in ``repr``.
    """

    __slots__ = (
        "_checked",
        "_extras",
        "_forced",
        "_form",
        "_removed",
        "_selected",
        "_submitter",
        "_values",
    )

    def __init__(self, form: Form, *, submitter: str | None = None) -> None:
        self._form = form
        controls = form.controls
        self._values: list[str | None] = [c.value for c in controls]
        self._checked: list[bool] = [c.checked for c in controls]
        self._selected: list[tuple[int, ...]] = list(form._wiring.initial_selected)
        self._removed: set[int] = set()
        self._forced: set[int] = set()
        self._extras: list[tuple[str, str]] = []
        self._submitter: int | None = None
        if submitter is not None:
            idx = [
                j
                for j, c in enumerate(controls)
                if c.name == submitter and form._wiring.kinds[j] == BUTTON
            ]
            if not idx:
                raise ControlNotFoundError(submitter, form.id)
            self._submitter = idx[0]

    # -- introspection -------------------------------------------------------------------------
    @property
    def form(self) -> Form:
        """The form this replay edits."""
        return self._form

    def __repr__(self) -> str:
        names = list(dict.fromkeys(n for n, _ in self.pairs()))
        return f"FormData(form={self._form.id!r}, names={names!r})"

    def copy(self) -> FormData:
        """An independent copy of this replay."""
        other = FormData(self._form)
        other._values = list(self._values)
        other._checked = list(self._checked)
        other._selected = list(self._selected)
        other._removed = set(self._removed)
        other._forced = set(self._forced)
        other._extras = list(self._extras)
        other._submitter = self._submitter
        return other

    def pairs(self) -> list[tuple[str, str]]:
        """The entry list a browser would submit now, in order, repeats kept."""
        form = self._form
        return build_entries(
            form.controls,
            form._wiring,
            values=self._values,
            checked=self._checked,
            selected=self._selected,
            removed=self._removed,
            forced=self._forced,
            extras=self._extras,
            submitter=self._submitter,
        )

    def encode(self) -> bytes:
        """The ``application/x-www-form-urlencoded`` body (see :func:`encode_pairs`)."""
        return encode_pairs(self.pairs())

    def get(self, name: str) -> list[str]:
        """Every value submitted under ``name`` right now (empty list if none)."""
        return [v for n, v in self.pairs() if n == name]

    def __contains__(self, name: object) -> bool:
        return any(n == name for n, _ in self.pairs())

    # -- edits ---------------------------------------------------------------------------------
    def _indices(self, name: str) -> list[int]:
        return [j for j, c in enumerate(self._form.controls) if c.name == name]

    def _require(self, name: str) -> list[int]:
        idx = self._indices(name)
        if not idx:
            raise ControlNotFoundError(name, self._form.id)
        return idx

    def set(self, name: str, value: str) -> FormData:
        """Give the control ``name`` this value, as typing it would; the key is then submitted.

        The first control with that name takes the value and is submitted even if the page
        rendered it disabled (the caller asked for the key); later controls with the same name
        and appended pairs of that name are dropped. A select is validated like
        :meth:`select`; a checkbox/radio is checked with this value.

        Args:
            name: Control name.
            value: The new value.

        Returns:
            ``self`` (for chaining).

        Raises:
            ControlNotFoundError: The form has no control with that name.
            ItemNotFoundError: For a select, the value is not one of its options.
        """
        idx = self._require(name)
        kinds = self._form._wiring.kinds
        first = idx[0]
        if kinds[first] == SELECT:
            self.select(name, value)
        else:
            self._values[first] = value
            if kinds[first] == CHECKABLE:
                self._checked[first] = True
        self._forced.add(first)
        self._removed.discard(first)
        self._removed.update(idx[1:])
        self._extras = [(n, v) for n, v in self._extras if n != name]
        return self

    def check(self, name: str, value: str | None = None) -> FormData:
        """Check a checkbox (or radio), as clicking it would.

        Args:
            name: Control name.
            value: Which of several same-named boxes (by their ``value``). ``None`` checks the
                only box of that name with its own value (``on`` when it has none). A value no
                box offers is accepted when exactly one box has the name (the value is then
                submitted instead of the box's own; the server reads presence, protocol §2.2).

        Returns:
            ``self``.

        Raises:
            ControlNotFoundError: No checkbox/radio has that name.
            ItemNotFoundError: Several boxes share the name and none has that value.
        """
        form = self._form
        idx = [j for j in self._require(name) if form._wiring.kinds[j] == CHECKABLE]
        if not idx:
            raise ControlNotFoundError(name, form.id)
        target = self._pick(name, idx, value)
        if value is not None and form.controls[target].value != value:
            self._values[target] = value
        if form.controls[target].type == "radio":
            for j in idx:
                if form.controls[j].type == "radio":
                    self._checked[j] = False
        self._checked[target] = True
        self._removed.discard(target)
        return self

    def _pick(self, name: str, idx: list[int], value: str | None) -> int:
        controls = self._form.controls
        if value is None:
            if len(idx) > 1:
                choices = [controls[j].value or "on" for j in idx]
                raise ItemNotFoundError(name, "(no value given)", choices)
            return idx[0]
        for j in idx:
            if controls[j].value == value:
                return j
        if len(idx) == 1:
            return idx[0]
        raise ItemNotFoundError(name, value, [controls[j].value or "on" for j in idx])

    def uncheck(self, name: str, value: str | None = None) -> FormData:
        """Uncheck boxes named ``name`` (all of them, or the one with ``value``).

        Appended pairs with that name (and value) are dropped too.

        Returns:
            ``self``.

        Raises:
            ControlNotFoundError: No control and no appended pair has that name.
            ItemNotFoundError: No box of that name has that value.
        """
        form = self._form
        had_extra = any(n == name and (value is None or v == value) for n, v in self._extras)
        self._extras = [
            (n, v) for n, v in self._extras if not (n == name and (value is None or v == value))
        ]
        idx = [j for j in self._indices(name) if form._wiring.kinds[j] == CHECKABLE]
        if not idx:
            if had_extra:
                return self
            raise ControlNotFoundError(name, form.id)
        if value is None:
            for j in idx:
                self._checked[j] = False
            return self
        hit = [j for j in idx if (self._values[j] or "on") == value]
        if not hit:
            if had_extra:
                return self
            raise ItemNotFoundError(name, value, [form.controls[j].value or "on" for j in idx])
        for j in hit:
            self._checked[j] = False
        return self

    def select(self, name: str, *values: str) -> FormData:
        """Choose options of a select (or exactly these boxes of a same-named checkbox group).

        Args:
            name: Control name.
            *values: Option values (a single select takes exactly one; none clears a
                multi-select).

        Returns:
            ``self``.

        Raises:
            ControlNotFoundError: No select or checkbox group has that name.
            ItemNotFoundError: A value is not offered; the message lists the valid choices.
            FormError: Several values for a single select.
        """
        form = self._form
        idx = self._require(name)
        kinds = form._wiring.kinds
        selects = [j for j in idx if kinds[j] == SELECT]
        if selects:
            j = selects[0]
            control = form.controls[j]
            by_value = {o.value: k for k, o in enumerate(control.options) if not o.disabled}
            picked: list[int] = []
            for v in values:
                if v not in by_value:
                    raise ItemNotFoundError(name, v, list(by_value))
                picked.append(by_value[v])
            if control.type == "select-one" and len(picked) != 1:
                raise FormError(f"{name}: a single select takes exactly one value")
            self._selected[j] = tuple(sorted(set(picked)))
            self._removed.discard(j)
            return self
        boxes = [j for j in idx if kinds[j] == CHECKABLE]
        if not boxes:
            raise ControlNotFoundError(name, form.id)
        offered = {(form.controls[j].value or "on"): j for j in boxes}
        for v in values:
            if v not in offered:
                raise ItemNotFoundError(name, v, list(offered))
        wanted = set(values)
        for v, j in offered.items():
            self._checked[j] = v in wanted
        return self

    def remove(self, name: str) -> FormData:
        """Submit nothing under ``name`` (form controls and appended pairs alike).

        Raises:
            ControlNotFoundError: Neither a control nor an appended pair has that name.
        """
        idx = self._indices(name)
        had_extra = any(n == name for n, _ in self._extras)
        if not idx and not had_extra:
            raise ControlNotFoundError(name, self._form.id)
        self._removed.update(idx)
        self._forced.difference_update(idx)
        self._extras = [(n, v) for n, v in self._extras if n != name]
        return self

    def append(self, name: str, value: str) -> FormData:
        """Add a free pair after the form's own entries (no validation).

        Returns:
            ``self``.
        """
        self._extras.append((name, value))
        return self

    def set_checked_by_id(self, element_id: str, checked: bool) -> FormData:
        """Set a checkbox's state by its element ``id`` (what page scripts address).

        Raises:
            ControlNotFoundError: No checkbox/radio with that id.
        """
        form = self._form
        for j, control in enumerate(form.controls):
            if control.element_id == element_id and form._wiring.kinds[j] == CHECKABLE:
                self._checked[j] = checked
                return self
        raise ControlNotFoundError(f"#{element_id}", form.id)

    def set_checked_by_class(self, class_name: str, checked: bool) -> FormData:
        """Set every checkbox/radio carrying ``class_name`` to ``checked`` (script-style reset)."""
        form = self._form
        for j, control in enumerate(form.controls):
            if class_name in control.classes and form._wiring.kinds[j] == CHECKABLE:
                self._checked[j] = checked
        return self
