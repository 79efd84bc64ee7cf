"""The one Jinja2 environment of the sandbox: templates compiled once per process.

Autoescaping is on for every template, in the server's flavour: Twig writes ``'`` as ``&#039;`` and
``"`` as ``&quot;`` (the captures show both) where MarkupSafe writes ``&#39;`` and ``&#34;``. The
environment's ``finalize`` hook (Jinja2's documented step before autoescaping) escapes every
printed value with :func:`twig_escape` and hands it on as markup, so autoescaping leaves it as it
is. Macros, ``{% set %}`` blocks and rendered fragments are markup and pass through unchanged, so
nothing is escaped twice and no Python code escapes anything by hand.

Whitespace: ``trim_blocks`` and ``lstrip_blocks``, so a line holding only a tag emits nothing and
templates are laid out like the captures they mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar, cast

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = [
    "ENV",
    "FragmentCache",
    "macro",
    "render",
    "render_markup",
    "twig_escape",
]

_K = TypeVar("_K", bound=Hashable)


def _escape_text(text: str) -> str:
    # Chained replace beats str.translate on the short values pages print.
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )


def twig_escape(value: object) -> str:
    """A printed value as Twig escapes it; markup (macros, fragments) is returned as it is."""
    if type(value) is str:
        return _escape_text(value)
    if type(value) is int:
        return str(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return cast(str, html())
    return _escape_text(str(value))


def _finalize(value: object) -> Markup:
    """Every printed value, escaped the Twig way (markup is returned as it is)."""
    return Markup(twig_escape(value))


#: Compiled once per process: ``auto_reload`` off (a template is never re-read or re-checked) and
#: an unbounded template cache (a plain dict: the package ships a fixed, small set of templates).
ENV = Environment(
    loader=PackageLoader("sonnys_async.sandbox", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,
    cache_size=-1,
    finalize=_finalize,
)


def render(name: str, context: Mapping[str, Any]) -> str:
    """Render template ``name`` (under ``templates/``) with ``context``."""
    return ENV.get_template(name).render(context)


def render_markup(name: str, context: Mapping[str, Any]) -> Markup:
    """Render a fragment to embed, as markup, in other templates."""
    return Markup(render(name, context))


def macro(template: str, name: str) -> Callable[..., Markup]:
    """Macro ``name`` of ``template``, callable from Python (it returns markup)."""
    found: Callable[..., Markup] = getattr(ENV.get_template(template).module, name)
    return found


class FragmentCache(Generic[_K]):
    """Rendered fragments by key, for fragments that are a pure function of the key.

    Bounded: when ``size`` fragments are kept, the cache starts over.
    """

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: dict[_K, Markup] = {}

    def get(self, key: _K, make: Callable[[], Markup]) -> Markup:
        """The fragment for ``key``, made by ``make()`` on a miss."""
        found = self._items.get(key)
        if found is None:
            if len(self._items) >= self._size:
                self._items.clear()
            found = self._items[key] = make()
        return found
