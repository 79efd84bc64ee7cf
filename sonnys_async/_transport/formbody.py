"""Form bodies, encoded byte for byte as :func:`~sonnys_async.core.forms.encode_pairs` does, fast.

A POS permissions POST carries about 70 pairs (``permissions[12][label]`` = ``Void Sale``...).
Quoting each string through ``urllib.parse.quote_plus`` (a Python call per byte of every string
that needs any quoting) was a seventh of the client's CPU per hire. :class:`FormEncoder` applies
the same serializer (WHATWG URL standard, as the core documents it: ASCII letters, digits and
``*-._`` kept, space as ``+``, every other UTF-8 byte as ``%XX``, newlines normalised to CRLF
first) with one regular-expression pass per string and a callback per byte that needs quoting,
and remembers the encoded form of field *names* (never of values, which may be secrets).
``tests/transport/test_lean.py`` checks it against the core's serializer on random text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ..core.forms import normalize_newlines

__all__ = ["FormEncoder"]

#: What the urlencoded serializer leaves alone (``~`` is encoded, ``*`` is not).
_PLAIN: Final = re.compile(r"[A-Za-z0-9*._-]*")
_QUOTED_BYTE: Final = re.compile(rb"[^A-Za-z0-9*._-]")
_ESCAPES: Final = {bytes([b]): (b"+" if b == 0x20 else b"%%%02X" % b) for b in range(256)}
#: Names remembered at most (a tenant's forms have a few hundred).
_MAX_NAMES: Final = 4096


def _escape(match: re.Match[bytes]) -> bytes:
    return _ESCAPES[match.group()]


#: ASCII characters to their escapes (space as ``+``), for :meth:`str.translate`.
_ASCII_ESCAPES: Final = {
    c: ("+" if c == 0x20 else f"%{c:02X}") for c in range(128) if not _PLAIN.fullmatch(chr(c))
}


def quote(text: str) -> str:
    """One name or value, urlencoded as the browser does (see the module)."""
    if _PLAIN.fullmatch(text):
        return text
    if text.isascii() and "\r" not in text and "\n" not in text:
        return text.translate(_ASCII_ESCAPES)  # one pass in C; newlines need normalising first
    raw = normalize_newlines(text).encode("utf-8")
    return _QUOTED_BYTE.sub(_escape, raw).decode("ascii")


class FormEncoder:
    """Encodes entry lists as the browser does; remembers encoded names (see the module)."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def encode(self, pairs: Iterable[tuple[str, str]]) -> bytes:
        """``encode_pairs(pairs)``, the same bytes."""
        names = self._names
        parts: list[str] = []
        for name, value in pairs:
            quoted_name = names.get(name)
            if quoted_name is None:
                quoted_name = quote(name)
                if len(names) >= _MAX_NAMES:
                    names.clear()
                names[name] = quoted_name
            parts.append(f"{quoted_name}={quote(value)}")
        return "&".join(parts).encode("ascii")
