"""Refuse pathological markup before any HTML parser sees it (issue 14, defect 15).

Lexbor's tree builder walks the stack of open elements for many tags (scope checks), so a page
nested 50,000 elements deep costs seconds per parse; a real Backoffice page is under 40 deep
(the captured pages in ``tests/fixtures/html/`` peak at 38). :func:`check_markup` is a linear
scan, done by the transport on every body it returns, so every parser of the package only ever
sees markup that passed it. It refuses:

* more than :data:`MAX_DEPTH` elements open at once (estimated as below);
* more than :data:`MAX_TAGS` ``<`` characters (a 1,000-row roster page has ~60,000);
* a run of more than :data:`MAX_RUN` characters without a ``<`` (a huge attribute or text
  node; real pages have no run over a few KB).

The depth estimate tokenises start and end tags with one regular expression and keeps, per tag
name, how many are open: an end tag closes one element of its own name if one is open and is
ignored otherwise (as the HTML parser ignores a stray ``</i>``, which a count that ignored names
would let an attacker use to hide depth). Void elements (``br``, ``input``...) never open, and
an element whose end tag is optional (``p``, ``li``, ``td``, ``option``...) opens at most once
per name, as the parser closes the previous one. The estimate errs high (a ``<`` inside a script
or comment may count), never low for plain nesting, and the bound leaves a margin of ten times
the deepest real page.
"""

from __future__ import annotations

import re
from typing import Final

from ..errors import PageStructureError

__all__ = ["MAX_DEPTH", "MAX_RUN", "MAX_TAGS", "check_markup", "nesting_depth"]

#: Elements open at once beyond which a page is refused.
MAX_DEPTH: Final = 512
#: ``<`` characters beyond which a page is refused without tokenising it.
MAX_TAGS: Final = 400_000
#: Characters without a ``<`` beyond which a page is refused.
MAX_RUN: Final = 1 << 20

_TAG: Final = r"/?[A-Za-z][A-Za-z0-9:-]*"
#: A tag's name; or, folded into one token, a run of options with only text inside (each
#: ``<option`` ... ``</option`` ... up to the next ``<``) and the name of the tag after it. A
#: tenant's employee dropdown holds 20,000 such options: one token instead of 40,000. The run
#: gives back its last option where what follows is not a tag, so no ``<`` is skipped.
_TOKEN: Final = re.compile(rf"<((?:option(?=[\s/>])[^<]*+</option(?=[\s/>])[^<]*+<)*{_TAG})")
_VOID_NAMES: Final = [
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "keygen",
    "basefont",
    "bgsound",
    "frame",
]
_OPTIONAL_END_NAMES: Final = [
    "p",
    "li",
    "dt",
    "dd",
    "option",
    "optgroup",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "colgroup",
    "caption",
    "rb",
    "rt",
    "rp",
    "rtc",
]
# Lower- and upper-case spellings; a mixed-case tag only makes the estimate err high.
_VOID: Final = frozenset(_VOID_NAMES + [n.upper() for n in _VOID_NAMES])
_OPTIONAL_END: Final = frozenset(_OPTIONAL_END_NAMES + [n.upper() for n in _OPTIONAL_END_NAMES])


def nesting_depth(markup: str, *, limit: int | None = None) -> int:
    """The estimated deepest nesting of elements in ``markup`` (see the module docstring).

    Args:
        markup: An HTML document or fragment.
        limit: Stop at the first depth above this and return it (``None`` scans everything).

    Returns:
        The deepest count of elements open at once, or the first one above ``limit``.
    """
    depth = deepest = 0
    open_count: dict[str, int] = {}
    get = open_count.get
    for token in _TOKEN.findall(markup):
        if "<" in token:
            # A run of simple options: ``pairs`` times "option" then "/option", then a tag.
            cut = token.rfind("<")
            pairs = token.count("</option", 0, cut)
            opened = get("option", 0)
            closed = min(opened, pairs)  # an open option absorbs a pair: its end closes it
            if closed:
                open_count["option"] = opened - closed
                depth -= closed
            if pairs > closed and depth + 1 > deepest:  # the others open and close one level
                deepest = depth + 1
                if limit is not None and deepest > limit:
                    break
            token = token[cut + 1 :]
        if token[0] == "/":
            name = token[1:]
            count = get(name)
            if count:
                open_count[name] = count - 1
                depth -= 1
        elif token not in _VOID:
            count = get(token, 0)
            if count and token in _OPTIONAL_END:
                continue  # the parser closes the open one first: no deeper
            open_count[token] = count + 1
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and depth > limit:
                    break
    return deepest


def _longest_run_over(markup: str, limit: int) -> bool:
    """Whether some run of characters without ``<`` is longer than ``limit``.

    Such a run covers a whole aligned block of ``limit // 2 + 1`` characters, so only blocks
    that hold no ``<`` (one ``find`` each, which stops at the first ``<``) are measured: a few
    calls per megabyte instead of splitting the page.
    """
    if len(markup) <= limit:
        return False
    block = limit // 2 + 1
    for start in range(0, len(markup) - block + 1, block):
        if markup.find("<", start, start + block) < 0:
            left = markup.rfind("<", 0, start) + 1
            right = markup.find("<", start + block)
            if (len(markup) if right < 0 else right) - left > limit:
                return True
    return False


def check_markup(
    markup: str,
    *,
    page: str,
    max_depth: int = MAX_DEPTH,
    max_tags: int = MAX_TAGS,
    max_run: int = MAX_RUN,
) -> None:
    """Raise unless ``markup`` is safe to hand to an HTML parser.

    Args:
        markup: The decoded body of an answer.
        page: What the page is, for the error (the transport passes the path template).
        max_depth: Elements open at once allowed.
        max_tags: ``<`` characters allowed.
        max_run: Characters allowed between two ``<``.

    Raises:
        PageStructureError: The markup is nested too deep, has too many tags, or holds a run
            of text too long; its ``landmark`` says which bound failed.
    """
    if _longest_run_over(markup, max_run):
        raise PageStructureError(
            page=page,
            landmark=f"markup without a run of over {max_run} characters between tags",
            detail="an attribute or text node this long is not a Backoffice page",
        )
    tags = markup.count("<")
    if tags > max_tags:
        raise PageStructureError(
            page=page,
            landmark=f"markup with at most {max_tags} tags",
            detail=f"{len(markup)} characters",
        )
    if tags <= max_depth:
        return  # too few tags to nest that deep (a redirect body, a small page)
    depth = nesting_depth(markup, limit=max_depth)
    if depth > max_depth:
        raise PageStructureError(
            page=page,
            landmark=f"markup nested at most {max_depth} elements deep",
            detail="refused before parsing: deeper markup makes every parse take seconds",
        )
