"""A ``<select>`` with thousands of options, read in linear time (protocol §11.2).

``/user/create``'s employee dropdown has one ``<option>`` per active employee. Lexbor's tree
builder is quadratic in the options of one ``<select>`` (selectolax issue 221: 0.6 s at 10,000
options, 2.6 s at 20,000), so the select is cut out of the page text and read apart:

* the inner text is split before each ``<option``; an option tag made only of lowercase
  double-quoted attributes without ``&`` or ``<`` (what the Backoffice renders) is read with one
  regular expression, the first of a repeated attribute winning, as in the HTML parser;
* any other option (entities, other quoting) is parsed by Lexbor in batches of
  :data:`BATCH` options, each batch its own small select, so the cost stays linear;
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

from ..text import is_digits

__all__ = ["BATCH", "Dropdown", "OptionAttrs", "cut_select", "narrowed", "read_options"]

#: Options per Lexbor parse on the slow path (quadratic within a batch, linear across).
BATCH: Final = 128

OptionAttrs = dict[str, str]

_OPTION: Final = "<option"
#: What a cut at ``<option`` cannot read alone: tags that end a select in the HTML parser's
#: "in select" mode besides ``</select>``, and text that is not markup (comments, scripts).
#: An option start spelled otherwise than ``<option`` + space, ``/`` or ``>`` is one too.
_NOT_CUTTABLE: Final = re.compile(
    r"<(?:select|/select|input|keygen|textarea|script|template)[\s/>]|<!"
    r"|<(?!(?-i:option)[\s/>])option",
    re.IGNORECASE,
)
_STRICT_TAG: Final = re.compile(r'(?:\s+[a-z][a-z0-9-]*="[^"&<]*")*\s*')
_STRICT_ATTR: Final = re.compile(r'([a-z][a-z0-9-]*)="([^"&<]*)"')


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


def cut_select(html: str, select_id: str) -> Dropdown | None:
    """The select with this id, cut out of ``html``; ``None`` where a cut could mislead."""
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
    inner = html[tag.end() : end]
    if _NOT_CUTTABLE.search(inner):
        return None
    head, *options = inner.split(_OPTION)
    pieces = (head, *(_OPTION + piece for piece in options))
    return Dropdown(html[: tag.end()], pieces, html[end:])


def _lexbor(pieces: list[str]) -> list[OptionAttrs] | None:
    out: list[OptionAttrs] = []
    for k in range(0, len(pieces), BATCH):
        batch = pieces[k : k + BATCH]
        tree = LexborHTMLParser("<select>" + "".join(batch) + "</select>")
        nodes = tree.css("select > option, select > optgroup > option")
        if len(nodes) != len(batch):
            return None
        out.extend({k: v or "" for k, v in node.attributes.items()} for node in nodes)
    return out


def read_options(dropdown: Dropdown) -> list[OptionAttrs] | None:
    """Each option's attributes, in order (``None``: the pieces do not parse one by one)."""
    options = dropdown.pieces[1:]
    read: list[OptionAttrs | None] = []
    slow: list[int] = []
    strict = _STRICT_TAG.fullmatch
    find_attrs = _STRICT_ATTR.findall
    for k, piece in enumerate(options):
        close = piece.find(">")
        tag = piece[7:close]  # between "<option" and the first ">"
        if close < 0 or not strict(tag) or (tag and not tag[0].isspace()):
            slow.append(k)
            read.append(None)
        else:
            # The first of a repeated attribute wins, as in the HTML parser.
            read.append(dict(reversed(find_attrs(tag))))
    if slow:
        parsed = _lexbor([options[k] for k in slow])
        if parsed is None:
            return None
        for k, found in zip(slow, parsed, strict=True):
            read[k] = found
    return [a for a in read if a is not None]


def _kept(dropdown: Dropdown, options: list[OptionAttrs], chosen: str | None) -> Iterator[str]:
    yield dropdown.pieces[0]
    # Until the first option a browser would select by default (enabled: no ``disabled``, in
    # no optgroup), every option is kept, so the form's initial selection is the page's.
    leading = True
    grouped = "<optgroup" in dropdown.pieces[0].lower()
    for piece, attrs in zip(dropdown.pieces[1:], options, strict=True):
        value = (attrs.get("value") or "").strip()
        if leading or not is_digits(value) or "selected" in attrs or value == chosen:
            yield piece
        if leading and not grouped and "disabled" not in attrs:
            leading = False
        grouped = grouped or "<optgroup" in piece.lower()


def narrowed(dropdown: Dropdown, options: list[OptionAttrs], chosen: str | None = None) -> str:
    """The page text with the select holding its non-employee and preselected options, plus
    the ``chosen`` one (in page order)."""
    return dropdown.head + "".join(_kept(dropdown, options, chosen)) + dropdown.tail
