"""Decoding of urlencoded form bodies (raw bytes, PHP semantics) and the field parsers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from sonnys_async.core.text import to_int

__all__ = [
    "MAX_BODY",
    "FormBody",
    "int_or_none",
    "name_ok",
    "parse_body",
    "parse_date",
    "parse_money",
    "parse_posint",
]

_MAX_INT = 2_147_483_647
_MAX_RATE = Decimal("999999999.99")
_DATE_RE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")

#: Largest accepted body (bytes); larger bodies are treated as empty (bad input).
MAX_BODY = 4 * 1024 * 1024


@dataclass(slots=True)
class FormBody:
    """A decoded urlencoded body: ordered pairs; scalar reads take the last value (PHP)."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    _last: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._last = dict(self.pairs)

    def has(self, key: str) -> bool:
        """Key present at all (checkbox presence semantics, §2.2)."""
        return key in self._last

    def get(self, key: str, default: str = "") -> str:
        """Last value of a key (PHP resolves duplicate scalar keys last-wins)."""
        return self._last.get(key, default)

    def getall(self, key: str) -> list[str]:
        """Every value of a repeated key, in order."""
        return [v for k, v in self.pairs if k == key]

    def names(self) -> list[str]:
        """Distinct keys in first-seen order."""
        return list(dict.fromkeys(k for k, _ in self.pairs))


def parse_body(raw: bytes) -> FormBody:
    """Decode an ``application/x-www-form-urlencoded`` body; hostile bodies become empty.

    Args:
        raw: the request body.

    Returns:
        The decoded body (empty when oversized or undecodable, so validation rejects it).
    """
    if len(raw) > MAX_BODY:
        return FormBody()
    try:
        text = raw.decode("utf-8", errors="replace")
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="replace", max_num_fields=20000
        )
    except ValueError:
        return FormBody()
    return FormBody(pairs)


# --- field parsers
def parse_date(text: str) -> date | None:
    """An ``mm/dd/YYYY`` date (surrounding whitespace ignored), or ``None``."""
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def parse_posint(text: str) -> int | None:
    """A POS ID or PIN: ASCII digits, at most 10 of them, 1 ... 2147483647; else ``None``."""
    n = to_int(text, max_digits=10)
    return n if n is not None and 1 <= n <= _MAX_INT else None


def parse_money(text: str) -> Decimal | None:
    """A rate 0 ... 999999999.99 as a 2-place decimal, or ``None``."""
    t = text.strip()
    if not t or len(t) > 20 or not t.isascii():
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite() or d < 0 or d > _MAX_RATE:
        return None
    return d.quantize(Decimal("0.01"))


def name_ok(text: str, lo: int) -> bool:
    """Whether a (trimmed) name has ``lo`` to 64 characters."""
    return lo <= len(text.strip()) <= 64


def int_or_none(text: str) -> int | None:
    """A record id in a body: ASCII digits (at most 12, whitespace ignored), else ``None``."""
    return to_int(text, max_digits=12)
