"""What data could do to a terminal or to a spreadsheet, neutralised in one place each.

Names, e-mails, error messages and page text come from CSV files and from the server; none of
it may steer the terminal or a spreadsheet that opens a file the CLI wrote:

* :func:`plain` (and :func:`visible`) for everything printed: the text is never read as Rich
  markup (``Ann[/x]``, ``[link=...]``, ``employee[nosuch]`` print as they are), emoji codes
  stay text, and control and format characters (ANSI escapes, bidi overrides, NUL,
  zero-width characters, line breaks) are shown as escapes (``\\x1b``, ``\\u202e``) instead of
  acting on the terminal.
* :func:`csv_cell` for every cell of every CSV the CLI writes (results files, the roster
  export): the OWASP CSV-injection rule, a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading ``'`` so a spreadsheet shows it as text instead of
  running it as a formula.
* :func:`formula_risk` tells which input cells deserve a warning; :func:`json_text` is the
  JSON that ``inspect`` prints, with the same characters escaped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Final

from rich.text import Text

__all__ = ["csv_cell", "formula_risk", "json_text", "plain", "visible"]

#: Unicode categories that act on a terminal instead of showing: controls (C0, C1, DEL),
#: format characters (bidi overrides and isolates, zero-width characters, the BOM), line and
#: paragraph separators, surrogates and private use.
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})

#: First characters a spreadsheet may read as the start of a formula (OWASP).
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

#: A signed number or phone (``+1 615 555 0100``, ``-5``): a spreadsheet reads it as a number
#: at worst, so such an input cell is not warned about (it is still neutralised on output).
_SIGNED_NUMBER: Final = re.compile(r"[+-][0-9 ().-]*")


def visible(text: str) -> str:
    """``text`` with every control or format character shown as an escape (``\\x1b``)."""
    if text.isprintable():  # the common case: nothing to do
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _HIDDEN else ch
        for ch in text
    )


def plain(value: object) -> Text:
    """Data as terminal text: never markup, never emoji codes, control characters visible."""
    return Text(visible("" if value is None else str(value)))


def json_text(data: Any) -> str:
    """``data`` as indented JSON for the terminal: non-ASCII letters as they are, control and
    format characters as ``\\u`` escapes (JSON itself escapes only those below 0x20)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return "".join(
        json.dumps(c)[1:-1] if c != "\n" and unicodedata.category(c) in _HIDDEN else c for c in text
    )


def csv_cell(value: object) -> str:
    """One cell as the CLI writes it to any CSV: lists joined with ``;``, booleans as
    ``yes``/``no``, ``None`` empty, and a leading ``'`` before a cell a spreadsheet could run
    as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple | frozenset | set):
        text = ";".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def formula_risk(cell: str) -> bool:
    """Whether an input cell would be a formula in a spreadsheet (and so deserves a warning).

    A signed number or phone number (``+1 615 555 0100``) is not: warning about every
    international phone number would be noise.
    """
    if not cell.startswith(FORMULA_START):
        return False
    return not _SIGNED_NUMBER.fullmatch(cell)
