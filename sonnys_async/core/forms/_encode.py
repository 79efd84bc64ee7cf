"""``application/x-www-form-urlencoded`` serialisation exactly as browsers do it.

The WHATWG URL standard's urlencoded serializer leaves ``*-._`` and ASCII alphanumerics alone,
turns spaces into ``+`` and percent-encodes everything else (UTF-8), including ``~``. Python's
``quote_plus`` never encodes ``~`` and encodes ``*`` by default, so both are adjusted here.
Newlines are normalised to CRLF first, as the HTML standard does when it converts an entry list
to name-value pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote_plus

__all__ = ["encode_pairs", "normalize_newlines"]


def normalize_newlines(text: str) -> str:
    """Replace every lone CR and lone LF by CRLF (HTML standard, entry list conversion).

    Args:
        text: A form name or value.

    Returns:
        The text with CRLF line breaks only.
    """
    if "\r" not in text and "\n" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _quote(text: str) -> str:
    quoted = quote_plus(normalize_newlines(text), safe="*")
    return quoted.replace("~", "%7E") if "~" in quoted else quoted


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> bytes:
    """Encode name/value pairs as a browser encodes a form body, keeping order and repeats.

    httpx's ``data=`` does not accept a list of pairs with repeated keys in a fixed order, so the
    client sends this as ``content=`` with ``Content-Type: application/x-www-form-urlencoded``.

    Args:
        pairs: The entry list, in submission order.

    Returns:
        The ASCII body, e.g. ``b"a=1&b=x+y"``.
    """
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in pairs).encode("ascii")
