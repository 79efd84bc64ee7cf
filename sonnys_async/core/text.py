"""Text rules shared by every layer: ASCII digits, and the comparison the server uses.

``str.isdigit()`` accepts ``"²"`` and ``"٣"``, which ``int()`` refuses or reads as other numbers;
every digit test in the package goes through :func:`is_digits` so only ``0-9`` count.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["digits", "is_digits", "norm", "to_int"]

_NON_DIGITS: Final = re.compile(r"[^0-9]+")


def is_digits(text: str | None) -> bool:
    """Whether ``text`` is one or more ASCII digits (``"0"``-``"9"``) and nothing else."""
    return text is not None and text != "" and text.isascii() and text.isdigit()


def to_int(text: str | None, *, max_digits: int = 18) -> int | None:
    """``text`` (surrounding whitespace ignored) as an int if it is ASCII digits, else ``None``.

    Args:
        text: The text, e.g. an attribute value or a path segment.
        max_digits: Longer digit runs are refused (no id has that many).
    """
    t = (text or "").strip()
    return int(t) if is_digits(t) and len(t) <= max_digits else None


def digits(text: str | None) -> str:
    """The ASCII digits of ``text``, in order (``"(615) 555-1234"`` -> ``"6155551234"``)."""
    return _NON_DIGITS.sub("", text) if text else ""


def norm(text: str | None) -> str:
    """Whitespace runs collapsed, ends trimmed, case-folded: how names and e-mails compare."""
    return " ".join((text or "").split()).casefold()
