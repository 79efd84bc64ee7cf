"""The markup guard of every answer, with the sidebar every page repeats checked once.

Every authenticated Backoffice page carries the same ~130 KB navigation sidebar before
``<div id="main-column">`` (protocol §0). :func:`~sonnys_async.core.guard.check_markup` is a
linear scan, but scanning that sidebar again on every answer was a third of the client's CPU
per hire. :class:`MarkupGuard` remembers the few prefixes (everything before the main column)
it has already scanned, with their ``<`` count and nesting depth, and checks only the rest of a
page whose prefix it knows, against the bounds left by the prefix:

* runs without a ``<``: the main column starts with ``<``, so no run spans the cut;
* tags: the prefix's count plus the rest's must stay under the bound;
* depth: elements left open by the prefix are at most its deepest nesting ``D``, and the rest
  scanned alone never estimates lower than its share of a scan of the whole page (the guard's
  per-name counts of the rest stay within the whole scan's plus the prefix's), so the rest is
  held to ``MAX_DEPTH - D``.

The rest's bounds are never looser than the whole page's, and a rest they refuse is checked
again as a whole page, which decides (and says why): the verdict is always the one of
:func:`~sonnys_async.core.guard.check_markup` on the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..core.guard import MAX_DEPTH, MAX_TAGS, check_markup, nesting_depth
from ..core.pages import MAIN_COLUMN
from ..errors import PageStructureError

__all__ = ["MarkupGuard"]

#: Prefixes remembered (a real tenant has one sidebar; a few spare for per-page variants).
_MAX_PREFIXES: Final = 8
#: Prefixes longer than this are not kept (memory).
_MAX_PREFIX: Final = 1024 * 1024
#: Prefixes shorter than this are scanned with the page (nothing to save).
_MIN_PREFIX: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class _Prefix:
    text: str
    tags: int
    depth: int


class MarkupGuard:
    """:func:`~sonnys_async.core.guard.check_markup` for a transport's answers (see module)."""

    def __init__(self) -> None:
        self._known: list[_Prefix] = []

    def check(self, markup: str, *, page: str) -> None:
        """Raise :class:`~sonnys_async.errors.PageStructureError` unless ``markup`` is safe
        to parse (the same verdict as :func:`~sonnys_async.core.guard.check_markup`)."""
        cut = markup.find(MAIN_COLUMN)
        if cut < _MIN_PREFIX:
            check_markup(markup, page=page)
            return
        for known in self._known:
            if len(known.text) == cut and markup.startswith(known.text):
                break
        else:
            check_markup(markup, page=page)  # the whole page, as always, the first time
            self._remember(markup[:cut])
            return
        try:
            check_markup(
                markup[cut:],
                page=page,
                max_depth=MAX_DEPTH - known.depth,
                max_tags=MAX_TAGS - known.tags,
            )
        except PageStructureError:
            check_markup(markup, page=page)  # the whole page decides, and says why

    def _remember(self, prefix: str) -> None:
        depth = nesting_depth(prefix, limit=MAX_DEPTH)
        if depth > MAX_DEPTH // 2 or len(prefix) > _MAX_PREFIX:
            return  # leaves too little room for the rest, or too large to keep: not remembered
        if len(self._known) >= _MAX_PREFIXES:
            self._known.pop(0)
        self._known.append(_Prefix(prefix, prefix.count("<"), depth))
