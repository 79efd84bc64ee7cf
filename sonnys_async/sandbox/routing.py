"""Route matching: a declarative table of (method, path pattern, handler).

A pattern is matched one of two ways, as the real server's routes behave:

* ``exact``: the request path must equal the pattern (``/login``, every POST endpoint).
* otherwise segment by segment over the path's **non-empty** segments, so ``/employee/`` and
  ``/employee//create`` match like ``/employee`` and ``/employee/create``. A segment written
  ``{name}`` matches any one segment; ``{name:page}`` matches a list page, ``<n>`` or
  ``<n>:<limit>`` (up to 12 and 9 ASCII digits).

``HEAD`` is answered like ``GET``. When nothing matches: a method other than GET, HEAD or POST gets
the plain-text 405; otherwise the table's fallback handler answers (the 404 page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sonnys_async.core.text import is_digits
from sonnys_async.sandbox.context import Handler

__all__ = ["PAGE_RE", "Route", "Router", "page_and_limit", "record_id"]

#: A list page segment: ``<page>`` or ``<page>:<limit>``.
PAGE_RE = re.compile(r"(\d{1,12})(?::(\d{1,9}))?", re.ASCII)
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_KINDS: dict[str | None, Callable[[str], bool]] = {
    None: lambda segment: True,
    "page": lambda segment: PAGE_RE.fullmatch(segment) is not None,
}


@dataclass(frozen=True, slots=True)
class Route:
    """``method`` + ``pattern`` -> ``handler`` (see the module docstring for pattern syntax)."""

    method: str
    pattern: str
    handler: Handler
    exact: bool = False
    _segments: tuple[tuple[str, str | None, bool], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        segments: list[tuple[str, str | None, bool]] = []
        for part in (p for p in self.pattern.split("/") if p):
            m = _PLACEHOLDER.fullmatch(part)
            if m is None:
                segments.append((part, None, False))
            elif m.group(2) not in _KINDS:
                raise ValueError(f"{self.pattern}: unknown placeholder kind {m.group(2)!r}")
            else:
                segments.append((m.group(1), m.group(2), True))
        if self.exact and any(is_arg for _, _, is_arg in segments):
            raise ValueError(f"{self.pattern}: an exact route has no placeholders")
        object.__setattr__(self, "_segments", tuple(segments))

    def match(self, path: str, parts: Sequence[str]) -> dict[str, str] | None:
        """The placeholder values if the route matches, else ``None``."""
        if self.exact:
            return {} if path == self.pattern else None
        if len(parts) != len(self._segments):
            return None
        args: dict[str, str] = {}
        for part, (name, kind, is_arg) in zip(parts, self._segments, strict=True):
            if not is_arg:
                if part != name:
                    return None
            elif _KINDS[kind](part):
                args[name] = part
            else:
                return None
        return args


class Router:
    """Resolves a request to a handler with a route table.

    Args:
        routes: the table, tried in order.
        fallback: the handler when no route matches a GET, HEAD or POST.
        bad_method: the handler for any other method.
    """

    def __init__(self, routes: Sequence[Route], *, fallback: Handler, bad_method: Handler) -> None:
        self.routes = tuple(routes)
        self._fallback = fallback
        self._bad_method = bad_method

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler for ``method`` and ``path`` and its path parameters."""
        if method == "HEAD":
            method = "GET"
        if method not in ("GET", "POST"):
            return self._bad_method, {}
        parts = [p for p in path.split("/") if p]
        for route in self.routes:
            if route.method == method and (args := route.match(path, parts)) is not None:
                return route.handler, args
        return self._fallback, {}


def record_id(raw: str) -> int | None:
    """A record id path segment: ASCII digits only (``"¹"`` is not one), fewer than 12."""
    return int(raw) if is_digits(raw) and len(raw) < 12 else None


def page_and_limit(args: Mapping[str, str]) -> tuple[int, int | None]:
    """(page, path limit) of a list route's ``{page:page}`` segment; (1, None) without one."""
    m = PAGE_RE.fullmatch(args.get("page", ""))
    if m is None:
        return 1, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None
