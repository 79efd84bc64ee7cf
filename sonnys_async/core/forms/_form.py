"""Form parsing: controls, form owners, and the entry list of the HTML standard.

Two modes (:data:`Mode`):

``"plain"``
    The HTML standard's *constructing the entry list*, on the markup as served: checked
    checkboxes/radios (value defaults to ``on``), the selected options of selects (a single
    select with none marked submits its first enabled option), text-like inputs, textareas;
    disabled controls, controls in a disabled fieldset (outside its first legend) and nameless
    controls are skipped. One addition, because the page's date picker is part of what the
    server expects: an input without a ``value`` attribute that carries ``data-value`` submits
    that (protocol §6.4).
``"browser"`` (the default for Backoffice forms)
    What a browser sends after the page's scripts ran. On top of plain mode:

    * a checked control carrying ``data-fhcheck-disable="<selector>"`` disables the controls
      the selector targets, and ``data-fhcheck-enable`` enables its targets only while checked
      (the selector shapes the pages use are ``#id`` and ``#id :input``; jQuery's ``:input``
      means input, select, textarea and button). A target whose ``disabled`` attribute the
      server rendered *because* of such a toggle follows the toggle when a replay flips it;
    * the employee update form sends no ``employee[sites][S][isAvailable]`` keys (protocol
      §8.3: the browser's body has none, not even for a site rendered checked and enabled).

Form owners follow the HTML standard: descendants of the ``<form>``, controls whose ``form=``
attribute names it, and controls the HTML parser associated with a ``<form>`` that it moved out
of a table (Lexbor, like browsers, leaves such a form empty and the controls after it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeAlias

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ...errors import PageStructureError

if TYPE_CHECKING:
    from ._data import FormData

__all__ = ["Control", "Form", "Mode", "Option", "is_secret_name", "parse_form", "parse_html"]

Mode: TypeAlias = Literal["browser", "plain"]

#: Listed, submittable form-associated elements (``object`` never submits in practice).
CONTROL_SELECTOR = "input, select, textarea, button"
_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr"})
_NOT_TEXT = frozenset({"checkbox", "radio", "file", "image", "submit", "reset", "button"})
_STRIP_NEWLINES = frozenset({"text", "search", "tel", "password", "email", "url"})
_FLOAT = re.compile(r"^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$")
_SECRET = re.compile(r"pass(?:word)?|pin\b|PIN", re.IGNORECASE)
#: Protocol §8.3: the browser's ``/employee/update`` body carries no ``[isAvailable]`` key.
_IS_AVAILABLE = re.compile(r"^employee\[sites\]\[\d+\]\[isAvailable\]$")
_BROWSER_SUPPRESSED_BY_ACTION: Mapping[str, re.Pattern[str]] = {"/employee/update": _IS_AVAILABLE}

# Control kinds (internal).
K_TEXT = 0
K_CHECK = 1
K_SELECT = 2
K_SKIP = 3  # buttons, file, image, reset...: only ever submitted as the submitter


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
class _Meta:
    """Per-control facts the replay engine needs (parallel to ``Form.controls``)."""

    kinds: tuple[int, ...]
    raw_disabled: tuple[bool, ...]
    fieldset_disabled: tuple[bool, ...]
    suppressed: tuple[bool, ...]
    disable_owners: tuple[tuple[int, ...], ...]
    enable_owners: tuple[tuple[int, ...], ...]
    explained: tuple[bool, ...]
    initial_selected: tuple[tuple[int, ...], ...]
    browser: bool


@dataclass(frozen=True, slots=True, repr=False)
class Form:
    """A parsed form: identity, controls in tree order, and its entry list in ``mode``."""

    id: str | None
    action: str
    method: str
    mode: Mode
    controls: tuple[Control, ...]
    entries: tuple[tuple[str, str], ...] = field(init=False)
    _meta: _Meta = field(compare=False)

    def __post_init__(self) -> None:
        from ._data import build_entries

        meta = self._meta
        entries = build_entries(
            self,
            values=[c.value for c in self.controls],
            checked=[c.checked for c in self.controls],
            selected=list(meta.initial_selected),
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
        from ._data import FormData

        return FormData(self, submitter=submitter)

    @property
    def rendered_disabled(self) -> tuple[bool, ...]:
        """Per control, whether the markup carries ``disabled`` (before any script effect)."""
        return self._meta.raw_disabled

    def controls_named(self, name: str) -> tuple[Control, ...]:
        """Every control with that name, in tree order."""
        return tuple(c for c in self.controls if c.name == name)

    def names(self) -> tuple[str, ...]:
        """Distinct control names in tree order (nameless controls omitted)."""
        return tuple(dict.fromkeys(c.name for c in self.controls if c.name))


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
) -> Form:
    """Parse one form of a page into a :class:`Form`.

    Args:
        html: Page text, or a tree already parsed with ``LexborHTMLParser`` (parse once, reuse).
        form_id: The ``id`` of the ``<form>``.
        selector: Alternatively a CSS selector for the form (e.g. ``form[action='/user/insert']``).
        mode: ``"browser"`` (default: what a browser sends after the page scripts ran) or
            ``"plain"`` (the HTML standard alone).
        page: Page kind named in errors.

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
    return form_from_node(tree, node, mode=mode)


def _owned_controls(tree: LexborHTMLParser, form: LexborNode) -> list[LexborNode]:
    """The form's controls in tree order, by the HTML form-owner rules."""
    fid = form.attributes.get("id")
    descendants = form.css(CONTROL_SELECTOR)
    reparented: list[LexborNode] = []
    parent = form.parent
    if not descendants and parent is not None and parent.tag in _TABLE_TAGS:
        # "in table" insertion mode: the parser inserts the <form>, pops it at once and keeps
        # it as the form element pointer, so the controls parsed after it (inside the table)
        # belong to it although they are not its descendants.
        seen = False
        for node in parent.traverse(include_text=False):
            if node.mem_id == form.mem_id:
                seen = True
                continue
            if not seen:
                continue
            if node.tag == "form":
                break
            if node.tag in ("input", "select", "textarea", "button"):
                reparented.append(node)
    if tree.css_first("[form]") is None:
        return reparented or descendants
    # Some control uses form=: scan every control of the document in tree order.
    mine = {n.mem_id for n in descendants} | {n.mem_id for n in reparented}
    out: list[LexborNode] = []
    for node in tree.css(CONTROL_SELECTOR):
        attrs = node.attributes
        if "form" in attrs:
            if fid is not None and attrs["form"] == fid:
                out.append(node)
        elif node.mem_id in mine:
            out.append(node)
    return out


def _fieldset_disabled(root: LexborNode) -> set[int]:
    """mem_ids of controls inside a disabled fieldset (the first legend excepted)."""
    found: set[int] = set()
    for fs in root.css("fieldset[disabled]"):
        spared: set[int] = set()
        for child in fs.iter(include_text=False):
            if child.tag == "legend":
                spared = {n.mem_id for n in child.css(CONTROL_SELECTOR)}
                break
        found.update(n.mem_id for n in fs.css(CONTROL_SELECTOR) if n.mem_id not in spared)
    return found


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


_SIMPLE = re.compile(r"^#([\w-]+)(\s+:input)?$")


def _targets(
    tree: LexborHTMLParser, form: LexborNode, selector: str, ids: Mapping[str, LexborNode]
) -> list[LexborNode]:
    """Elements a ``data-fhcheck-*`` selector addresses (``#id`` / ``#id :input`` fast path)."""
    match = _SIMPLE.match(selector.strip())
    if match is not None:
        el = ids.get(match.group(1))
        if el is None:
            return []
        return el.css(CONTROL_SELECTOR) if match.group(2) else [el]
    try:
        return list(tree.css(_jquery_to_css(selector)))
    except Exception:  # an unparsable page selector has no effect
        return []


def _sanitize(type_: str, value: str) -> str:
    """HTML value sanitisation for the input types the Backoffice uses."""
    if type_ in _STRIP_NEWLINES:
        if "\r" in value or "\n" in value:
            value = value.replace("\r", "").replace("\n", "")
        if type_ == "email":
            value = value.strip(" \t\f")
        return value
    if type_ == "number" and value and not _FLOAT.match(value):
        return ""
    return value


def _option_text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True).split())


def form_from_node(tree: LexborHTMLParser, form: LexborNode, *, mode: Mode = "browser") -> Form:
    """Build a :class:`Form` from its ``<form>`` node in an already parsed tree.

    Args:
        tree: The parsed document (selectors of page scripts are document-wide).
        form: The ``<form>`` element.
        mode: ``"browser"`` or ``"plain"``.

    Returns:
        The parsed form.
    """
    fattrs = form.attributes
    nodes = _owned_controls(tree, form)
    fs_disabled: set[int] = set()
    if tree.css_first("fieldset[disabled]") is not None and tree.root is not None:
        fs_disabled = _fieldset_disabled(tree.root)
    action = fattrs.get("action") or ""
    browser = mode == "browser"
    suppress = _BROWSER_SUPPRESSED_BY_ACTION.get(action) if browser else None

    controls: list[Control] = []
    kinds: list[int] = []
    raw_disabled: list[bool] = []
    fieldset: list[bool] = []
    suppressed: list[bool] = []
    initial_selected: list[tuple[int, ...]] = []
    index_of: dict[int, int] = {}
    fhcheck: list[tuple[int, str, str | None, str | None]] = []

    for i, node in enumerate(nodes):
        attrs = node.attributes
        tag = node.tag
        name = attrs.get("name") or ""
        dis = "disabled" in attrs
        index_of[node.mem_id] = i
        element_id = attrs.get("id")
        classes = tuple((attrs.get("class") or "").split())
        options: tuple[Option, ...] = ()
        selected: tuple[int, ...] = ()
        checked = False
        if tag == "input":
            type_ = (attrs.get("type") or "text").strip().lower()
            if type_ in ("checkbox", "radio"):
                kind = K_CHECK
                raw_value = attrs.get("value")
                value: str | None = "on" if raw_value is None else raw_value
                checked = "checked" in attrs
            elif type_ in _NOT_TEXT:
                kind = K_SKIP
                value = attrs.get("value")
            else:
                kind = K_TEXT
                raw_value = attrs.get("value")
                if raw_value is None:
                    # Date pickers render the date only in data-value (protocol §6.4).
                    raw_value = attrs.get("data-value") or ""
                value = _sanitize(type_, raw_value)
                if type_ == "hidden" and name == "_charset_" and not value:
                    value = "UTF-8"
        elif tag == "select":
            kind = K_SELECT
            multiple = "multiple" in attrs
            type_ = "select-multiple" if multiple else "select-one"
            opts: list[Option] = []
            for opt in node.css("option"):
                oattrs = opt.attributes
                text = _option_text(opt)
                ov = oattrs.get("value")
                odis = "disabled" in oattrs
                if not odis:
                    grp = opt.parent
                    odis = (
                        grp is not None and grp.tag == "optgroup" and "disabled" in grp.attributes
                    )
                opts.append(
                    Option(ov if ov is not None else text, text, "selected" in oattrs, odis)
                )
            options = tuple(opts)
            marked = tuple(j for j, o in enumerate(options) if o.selected)
            if multiple:
                selected = marked
            elif marked:
                selected = (marked[-1],)  # the last selected option wins (selectedness setting)
            else:
                first = next((j for j, o in enumerate(options) if not o.disabled), None)
                selected = () if first is None else (first,)
            value = options[selected[0]].value if selected else None
        elif tag == "textarea":
            kind = K_TEXT
            type_ = "textarea"
            value = node.text(deep=True)
        else:  # button
            kind = K_SKIP
            type_ = (attrs.get("type") or "submit").strip().lower()
            value = attrs.get("value") or ""
        if browser and ("data-fhcheck-disable" in attrs or "data-fhcheck-enable" in attrs):
            fhcheck.append(
                (i, type_, attrs.get("data-fhcheck-disable"), attrs.get("data-fhcheck-enable"))
            )
        data = tuple((k[5:], v or "") for k, v in attrs.items() if k.startswith("data-"))
        controls.append(
            Control(name, type_, value, checked, dis, options, element_id, classes, data)
        )
        kinds.append(kind)
        raw_disabled.append(dis)
        fieldset.append(node.mem_id in fs_disabled)
        suppressed.append(bool(suppress and name and suppress.match(name)))
        initial_selected.append(selected)

    n = len(controls)
    ids: dict[str, LexborNode] = {}
    if fhcheck:
        # One pass over the id-carrying elements instead of one document query per toggle.
        for el in (form if form.css_first(CONTROL_SELECTOR) else tree.root or form).css("[id]"):
            ids.setdefault(el.attributes.get("id") or "", el)
    dis_owners: list[list[int]] = [[] for _ in range(n)]
    en_owners: list[list[int]] = [[] for _ in range(n)]
    for owner, type_, dsel, esel in fhcheck:
        if type_ not in ("checkbox", "radio"):
            continue
        for sel, table in ((dsel, dis_owners), (esel, en_owners)):
            if not sel:
                continue
            targets = _targets(tree, form, sel, ids)
            for t in targets:
                j = index_of.get(t.mem_id)
                if j is not None and j != owner:
                    table[j].append(owner)
    checked0 = [c.checked for c in controls]
    explained = [
        raw_disabled[j]
        and (any(checked0[o] for o in dis_owners[j]) or any(not checked0[o] for o in en_owners[j]))
        for j in range(n)
    ]
    meta = _Meta(
        kinds=tuple(kinds),
        raw_disabled=tuple(raw_disabled),
        fieldset_disabled=tuple(fieldset),
        suppressed=tuple(suppressed),
        disable_owners=tuple(tuple(o) for o in dis_owners),
        enable_owners=tuple(tuple(o) for o in en_owners),
        explained=tuple(explained),
        initial_selected=tuple(initial_selected),
        browser=browser,
    )
    from ._data import effective_disabled

    final = [
        Control(
            c.name,
            c.type,
            c.value,
            c.checked,
            effective_disabled(meta, j, checked0),
            c.options,
            c.element_id,
            c.classes,
            c.data,
        )
        for j, c in enumerate(controls)
    ]
    return Form(
        id=fattrs.get("id"),
        action=action,
        method=(fattrs.get("method") or "get").strip().lower(),
        mode=mode,
        controls=tuple(final),
        _meta=meta,
    )
