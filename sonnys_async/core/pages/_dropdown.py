"""A ``<select>`` with thousands of options, read in linear time (protocol §11.2).

``/user/create``'s employee dropdown has one ``<option>`` per active employee. Lexbor's tree
builder is quadratic in the options of one ``<select>`` (selectolax issue 221: 0.6 s at 10,000
options, 2.6 s at 20,000), so the select is cut out of the page text and read apart:

* the inner text is split before each ``<option`` and the options are parsed by Lexbor in
  batches of :data:`BATCH`, each batch its own small select: the HTML parser's own reading of
  every attribute (entities, quoting, case, repeats), at a cost linear in the options;
* markup the split cannot reproduce exactly (a second select with that id, a tag that ends a
  select early, option counts that disagree) falls back to one Lexbor parse of the page: slow
  at scale, never wrong.

The rest of the page (the form) is parsed with the select holding only what is not an employee
option (the placeholder), any preselected option and the options up to the first enabled one
(a browser's default choice), so the form's entries are the page's; :func:`narrowed` gives the
page text with the select also holding one chosen employee, for a replay that selects it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "BATCH",
    "Dropdown",
    "OptionAttrs",
    "cut_select",
    "narrowed",
    "read_options",
    "read_shaped",
]

#: Options per Lexbor parse (quadratic within a batch, linear across; 64 measured fastest).
BATCH: Final = 64

#: An option's attributes as the HTML parser reads them (``None``: an attribute without value).
OptionAttrs = dict[str, str | None]

_OPTION: Final = "<option"
#: What a cut at ``<option`` cannot read alone: tags that end a select in the HTML parser's
#: "in select" mode besides ``</select>``, and text that is not markup (comments, scripts).
#: An option start spelled otherwise than ``<option`` + space, ``/`` or ``>`` is one too.
_NOT_CUTTABLE: Final = re.compile(
    r"<(?:select|/select|input|keygen|textarea|script|template)[\s/>]|<!"
    r"|<(?!(?-i:option)[\s/>])option",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Dropdown:
    """A select cut out of a page: the text around it and its option pieces.

    ``pieces[0]`` is what precedes the first option; each later piece is one option's markup,
    up to the next option or the end of the select.
    """

    head: str  # the page up to and including the select's start tag
    pieces: tuple[str, ...]
    tail: str  # from the select's end tag on


def _occurrences(text: str, marker: str) -> Iterator[int]:
    at = text.find(marker)
    while at >= 0:
        yield at
        at = text.find(marker, at + 1)


def _locate(html: str, select_id: str) -> tuple[int, int] | None:
    """Where the select's inner text starts and ends; ``None`` where a cut could mislead."""
    marker = f'id="{select_id}"'
    found = [at for at in _occurrences(html, marker) if html[at - 1 : at].isspace()]
    if len(found) != 1:
        return None  # absent, or twice (a selector would read both selects' options)
    at = found[0]
    start = html.rfind("<", 0, at)
    tag = re.compile(rf"<select\s[^<>]*\b{marker}[^<>]*>").match(html, start)
    end = html.find("</select", at)
    if tag is None or end < 0:
        return None
    return tag.end(), end


def cut_select(html: str, select_id: str) -> Dropdown | None:
    """The select with this id, cut out of ``html``; ``None`` where a cut could mislead."""
    located = _locate(html, select_id)
    if located is None:
        return None
    start, end = located
    inner = html[start:end]
    if _NOT_CUTTABLE.search(inner):
        return None
    head, *options = inner.split(_OPTION)
    pieces = (head, *(_OPTION + piece for piece in options))
    return Dropdown(html[:start], pieces, html[end:])


def read_shaped(
    html: str, select_id: str, shape: re.Pattern[str], *, run: re.Pattern[str] | None = None
) -> list[tuple[str, ...] | OptionAttrs] | None:
    """The select's options, each read by ``shape`` where it matches, else by the HTML parser.

    ``shape`` is matched (whole) against an option's markup after ``<option``, up to the next
    option or the select's end. It must match only markup the HTML parser reads, from its data
    state, as one option whose attributes are the pattern's groups unchanged, and after which
    it is in its data state again: double-quoted values without ``&``, CR or NUL (which the
    parser would rewrite), then nothing but the option's text (no ``<``), its end tag and
    spaces. A matched option is its groups; any other is the parser's attributes. Page order
    is kept. ``None`` where the select cannot be cut (see :func:`cut_select`) or its options do
    not read one by one.

    The options the shape does not match (and the text before the first option) go to the
    parser in batches, each followed by a sentinel option: a piece that ends inside a tag or
    an attribute value (so that the next option, in the page, is not markup at all) swallows
    its sentinel, and the select is then not read piecewise. So a matched option is only read
    where the page's parser would also be in its data state.

    ``run``, if given, reads a select whose options are all in the server's shape from some
    point on in one pass (:func:`_read_run`); any other select is read option by option.
    """
    located = _locate(html, select_id)
    if located is None:
        return None
    start, end = located
    region = html[start:end]
    if run is not None:
        read = _read_run(region, shape, run)
        if read is not None:
            return read
    return _read_pieces(region, shape)


def _read_run(
    region: str, shape: re.Pattern[str], run: re.Pattern[str]
) -> list[tuple[str, ...] | OptionAttrs] | None:
    """The options when, from the first match of ``run`` to the select's end, every tag is
    part of a match: one ``findall`` instead of a match per option.

    ``run`` matches one whole option, ``<option`` to ``</option>``, with exactly two ``<`` in
    any text it matches (no ``<`` in its groups or the option's text) and the groups of
    ``shape``. If the select's text from its first match holds twice as many ``<`` as there
    are matches, no other tag lies there: between matches is only text, which leaves the
    parser in its data state. What precedes the first match is read option by option, its
    sentinel checking that it, too, ends in the data state. ``None``: not such a select.
    """
    first = run.search(region)
    if first is None:
        return None
    at = first.start()
    groups: list[tuple[str, ...]] = run.findall(region, at)
    if region.count("<", at) != 2 * len(groups):
        return None
    head = _read_pieces(region[:at], shape)
    if head is None:
        return None
    head.extend(groups)
    return head


def _read_pieces(region: str, shape: re.Pattern[str]) -> list[tuple[str, ...] | OptionAttrs] | None:
    """The options of a select's inner text, one by one (see :func:`read_shaped`)."""
    head, *options = region.split(_OPTION)
    out: list[tuple[str, ...] | OptionAttrs] = []
    rest: list[str] = []  # options the shape does not match, for the parser
    slots: list[int] = []  # their places in ``out``
    match = shape.fullmatch
    for piece in options:
        found = match(piece)
        if found is not None:
            out.append(found.groups())
            continue
        if _NOT_CUTTABLE.search(piece):
            return None
        slots.append(len(out))
        out.append(())
        rest.append(_OPTION + piece)
    if _NOT_CUTTABLE.search(head):
        return None
    parsed = _lexbor(head, rest, every=True)
    if parsed is None:
        return None
    for slot, attrs in zip(slots, parsed, strict=True):
        out[slot] = attrs
    return out


#: Follows the pieces given to the parser: a piece that ends inside a tag or an attribute
#: value swallows it (see :func:`_lexbor`).
_SENTINEL: Final = "<option data-sonnys-async-cut>"
_SENTINEL_ATTR: Final = "data-sonnys-async-cut"


def _lexbor(head: str, pieces: list[str], *, every: bool) -> list[OptionAttrs] | None:
    """Each piece's one option's attributes, parsed in batches of :data:`BATCH`.

    ``head`` (the select's text before its first option) and each batch (``every``: each
    piece, for pieces that are not neighbours in the page) are followed by a sentinel option:
    where one is missing, the text before it ended inside a tag or an attribute value, so the
    page's parser reads what follows otherwise than a batch starting afresh: ``None``. So does
    a batch that does not give one option per piece.
    """
    out: list[OptionAttrs] = []
    lead = head + _SENTINEL
    for k in range(0, max(len(pieces), 1), BATCH):
        batch = pieces[k : k + BATCH]
        body = "".join(piece + _SENTINEL for piece in batch) if every else "".join(batch)
        text = "<select>" + lead + body + ("" if every else _SENTINEL) + "</select>"
        nodes = LexborHTMLParser(text).css("select > option, select > optgroup > option")
        attrs = [node.attributes for node in nodes]
        if lead:
            if not attrs or _SENTINEL_ATTR not in attrs[0]:
                return None
            attrs = attrs[1:]
            lead = ""
        step = 2 if every else len(batch) + 1
        if len(attrs) != len(batch) + (len(batch) if every else 1):
            return None
        sentinels = attrs[step - 1 :: step]
        options = [a for i, a in enumerate(attrs) if i % step != step - 1]
        if any(_SENTINEL_ATTR not in a for a in sentinels):
            return None
        if any(_SENTINEL_ATTR in a for a in options):
            return None
        out.extend(options)
    return out


def read_options(dropdown: Dropdown) -> list[OptionAttrs] | None:
    """Each option's attributes, in order (``None``: the pieces do not parse one by one)."""
    return _lexbor(dropdown.pieces[0], list(dropdown.pieces[1:]), every=False)


def _kept(dropdown: Dropdown, options: list[OptionAttrs], chosen: str | None) -> Iterator[str]:
    pieces = dropdown.pieces
    yield pieces[0]
    # Until the first option a browser would select by default (enabled: no ``disabled``, in
    # no optgroup), every option is kept, so the form's initial selection is the page's.
    grouped = "<optgroup" in pieces[0].lower()
    k = 0
    for k, attrs in enumerate(options, start=1):
        yield pieces[k]
        if not grouped and "disabled" not in attrs:
            break
        grouped = grouped or "<optgroup" in pieces[k].lower()
    for j in range(k + 1, len(pieces)):
        attrs = options[j - 1]
        value = (attrs.get("value") or "").strip()
        if not (value.isdigit() and value.isascii()) or "selected" in attrs or value == chosen:
            yield pieces[j]


def narrowed(dropdown: Dropdown, options: list[OptionAttrs], chosen: str | None = None) -> str:
    """The page text with the select holding its non-employee and preselected options, plus
    the ``chosen`` one (in page order)."""
    return dropdown.head + "".join(_kept(dropdown, options, chosen)) + dropdown.tail
