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

__all__ = ["BATCH", "Dropdown", "OptionAttrs", "cut_select", "narrowed", "read_options"]

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
        out.extend(node.attributes for node in nodes)
    return out


def read_options(dropdown: Dropdown) -> list[OptionAttrs] | None:
    """Each option's attributes, in order (``None``: the pieces do not parse one by one)."""
    return _lexbor(list(dropdown.pieces[1:]))


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
