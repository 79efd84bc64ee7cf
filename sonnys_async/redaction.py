"""Redaction: what may be logged about a request, with every secret masked (public).

The transport only ever logs through these helpers; :class:`RedactingFilter` is a second line of
defence that callers (and the library's own logger) can attach to scrub anything that slipped
into a log record's text: form-encoded secret fields, ``Cookie`` / ``Set-Cookie`` values and
``PHPSESSID`` tokens.

The libraries below the transport log too: ``httpx`` logs each request line at INFO, and
``httpcore`` logs each step at DEBUG, response headers included (``set-cookie: PHPSESSID=...``
from ``httpcore.http11``). A filter on a logger only sees records logged *on that logger*, not
those propagated from its children, so :func:`protect_http_loggers` attaches the filter to every
logger of those libraries: ``httpx``, ``httpcore`` and each ``httpcore.*`` child (the known ones
are created if httpcore has not created them yet, so a later ``getLogger`` returns the guarded
one; children that exist already, whatever their name, are found in the logging manager), plus
``h2``/``hpack``, which log decoded headers under HTTP/2. The transport calls it whenever a
``Transport`` is created; it is idempotent and never replaces a caller's own filters.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

__all__ = [
    "HTTP_LOGGERS",
    "MASK",
    "MIN_LITERAL",
    "SECRET_FIELDS",
    "RedactingFilter",
    "protect_http_loggers",
    "redact_body",
    "redact_headers",
    "redact_pairs",
    "redact_text",
    "redact_url",
]

MASK: Final = "***"
#: Shortest literal secret :class:`RedactingFilter` masks verbatim.
MIN_LITERAL: Final = 6

#: Form fields whose values are secrets: the login password (protocol §3.2), the Backoffice user
#: password pair (§11.2) and the POS PIN (§6.2).
SECRET_FIELDS: Final = frozenset(
    {
        "_password",
        "user[password]",
        "user[confirmPassword]",
        "posCredential[POSLoginPassword]",
    }
)

_SECRET_HEADERS: Final = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization"})

# The secret field names as they appear raw, and percent-encoded the way browsers send them.
_FIELD_PATTERN: Final = "|".join(
    sorted(
        {re.escape(name) for name in SECRET_FIELDS}
        | {re.escape(quote_plus(name)) for name in SECRET_FIELDS},
        key=len,
        reverse=True,
    )
)
# `name=value` in a form body or query string: the value runs to the next `&` or whitespace.
_FORM_SECRET_RE: Final = re.compile(rf"(?i)((?:{_FIELD_PATTERN})=)[^&\s'\"]*")
# PHP's session cookie, wherever it shows up (Cookie / Set-Cookie values, reprs).
_SESSION_COOKIE_RE: Final = re.compile(r"(?i)(PHPSESSID=)[^;,\s'\"]*")
# A header line or repr pair naming a cookie header: mask everything after it.
_COOKIE_HEADER_RE: Final = re.compile(r"(?i)((?:set-)?cookie['\"]?\s*[:=,]\s*['\"]?)[^'\"\n]*")


def redact_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Copy form pairs with the value of every secret field replaced by ``***``.

    Args:
        pairs: ``(name, value)`` pairs in body order.

    Returns:
        The same pairs, order kept, secret values masked.
    """
    return [(name, MASK if name in SECRET_FIELDS else value) for name, value in pairs]


def redact_body(body: bytes | str | None) -> str:
    """Render an ``application/x-www-form-urlencoded`` body for a log line, secrets masked.

    Args:
        body: The encoded body (as sent) or ``None``.

    Returns:
        A decoded ``name=value&...`` string with secret values replaced by ``***``; an empty
        string for no body.
    """
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return redact_text(text)
    return urlencode(redact_pairs(pairs), safe="[]*")


def redact_url(url: str) -> str:
    """Mask secret query parameters of a URL or ``path?query`` string.

    Args:
        url: An absolute URL or a path with an optional query.

    Returns:
        The URL with secret query values replaced by ``***`` (unchanged if it has none).
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name in SECRET_FIELDS for name, _ in pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(redact_pairs(pairs), safe="[]*")))


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Copy headers for logging with cookies and credentials masked.

    Args:
        headers: A mapping (e.g. ``httpx.Headers``) or ``(name, value)`` pairs.

    Returns:
        A plain dict; ``Cookie``, ``Set-Cookie`` and ``Authorization`` values become ``***``.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: MASK if name.lower() in _SECRET_HEADERS else value for name, value in items}


def redact_text(text: str) -> str:
    """Scrub free text (a formatted log message, a repr) of secret form values and cookies.

    Args:
        text: Any text.

    Returns:
        The text with ``_password=...``-style values, ``PHPSESSID=...`` and cookie header values
        masked.
    """
    text = _FORM_SECRET_RE.sub(rf"\g<1>{MASK}", text)
    text = _COOKIE_HEADER_RE.sub(rf"\g<1>{MASK}", text)
    return _SESSION_COOKIE_RE.sub(rf"\g<1>{MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's message, and its traceback (``exc_info``)
    and stack, with :func:`redact_text`.

    Attach it to a handler (``handler.addFilter(RedactingFilter())``) to scrub records from any
    logger, or to the ``sonnys_async`` logger itself. Records are never dropped.

    Args:
        extra_secrets: Literal strings to mask wherever they appear (e.g. a password known to the
            caller). Strings shorter than :data:`MIN_LITERAL` are ignored: masking every ``p``
            of a log line would destroy it, and the field-aware rules still cover them.
    """

    def __init__(self, extra_secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._literals: tuple[str, ...] = ()
        self._holders: Counter[str] = Counter()
        for secret in extra_secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Also mask this literal string until as many :meth:`discard_secret` calls (too-short
        strings are ignored)."""
        if len(secret) < MIN_LITERAL:
            return
        self._holders[secret] += 1
        self._literals = tuple(sorted(self._holders, key=len, reverse=True))

    def discard_secret(self, secret: str) -> None:
        """Forget one :meth:`add_secret` of ``secret`` (a closed client's password)."""
        if self._holders.get(secret, 0) > 0:
            self._holders[secret] -= 1
            if not self._holders[secret]:
                del self._holders[secret]
            self._literals = tuple(sorted(self._holders, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message with its redacted rendering; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's problem, not ours
            return True
        clean = self._scrub(message)
        if clean != message:
            record.msg = clean
            record.args = None
        # A traceback or stack is appended by the formatter, after this filter: render it now,
        # scrubbed (formatters use the rendered ``exc_text`` as it is).
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True

    def _scrub(self, text: str) -> str:
        clean = redact_text(text)
        for literal in self._literals:
            clean = clean.replace(literal, MASK)
        return clean


#: The loggers of the HTTP stack below the transport, and their known children.
HTTP_LOGGERS: Final = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "h2",
    "hpack",
)
_HTTP_ROOTS: Final = ("httpx", "httpcore", "h2", "hpack", "h11")


def protect_http_loggers(redacting: logging.Filter) -> list[str]:
    """Attach ``redacting`` to every logger of httpx, httpcore and the HTTP/2 libraries.

    Args:
        redacting: The filter (usually a :class:`RedactingFilter`); attached once per logger.

    Returns:
        The names of the loggers that now carry it.
    """
    names = set(HTTP_LOGGERS)
    for name in list(logging.Logger.manager.loggerDict):
        if name.split(".")[0] in _HTTP_ROOTS:
            names.add(name)
    for name in sorted(names):
        target = logging.getLogger(name)
        if redacting not in target.filters:
            target.addFilter(redacting)
    return sorted(names)
