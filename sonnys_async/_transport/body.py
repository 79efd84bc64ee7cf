"""Reading an answer safely: the size cap while it streams, the cookie it sets, the markup guard.

Issue 14, defect 15: a server (or anything between) may answer with gigabytes, or with markup
built to make HTML parsers crawl. The transport reads every body through :func:`read_capped`,
which stops as soon as the decoded body passes the cap (a ``Content-Length`` above it is refused
before reading), and runs :func:`~sonnys_async.core.guard.check_markup` on the decoded text
before the answer reaches the login test or any page parser.
"""

from __future__ import annotations

import re
from typing import Final

import httpx

from .._constants import SESSION_COOKIE
from ..core.text import is_digits
from .errors import ResponseTooLargeError

__all__ = ["issued_session_cookie", "read_capped"]

_DROPPED_HEADERS: Final = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})
# A PHP session id (letters, digits, ``,`` and ``-``), with room for other servers' tokens; a
# value outside this is ignored rather than sent back (it could not be a valid header value).
_COOKIE_VALUE: Final = re.compile(r"[A-Za-z0-9,%._~+/=-]{1,512}")
#: The ``Content-Type`` of every Backoffice page (protocol §0), in the spellings that name UTF-8.
_UTF8_HTML: Final = re.compile(r"text/html;\s*charset=\"?utf-?8\"?", re.IGNORECASE)


def _too_large(limit: int, method: str, url: str, size: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{method} {url}: the answer is larger than {limit} bytes ({size}); not read",
        limit=limit,
        url=url,
        method=method,
    )


async def read_capped(
    response: httpx.Response, *, limit: int, method: str, url: str
) -> httpx.Response:
    """Read a streamed answer's body, at most ``limit`` bytes after decoding, and close it.

    Args:
        response: An answer from ``client.send(..., stream=True)``, body not read yet.
        limit: Largest decoded body accepted, in bytes.
        method: Request method, for the error.
        url: Path and query, secrets redacted, for the error.

    Returns:
        An equivalent answer holding the decoded body (``Content-Encoding`` and framing headers
        dropped, as the body is no longer encoded).

    Raises:
        ResponseTooLargeError: The body (or its declared length) exceeds ``limit``.
        httpx.HTTPError: Reading or decoding the body failed (translated by the caller).
    """
    try:
        declared = response.headers.get("content-length", "").strip()
        if is_digits(declared) and (len(declared) > 18 or int(declared) > limit):
            raise _too_large(limit, method, url, f"Content-Length {declared[:24]}")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > limit:
                raise _too_large(limit, method, url, f"over {total} bytes so far")
            chunks.append(chunk)
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _DROPPED_HEADERS]
    body = b"".join(chunks)
    for fallback in (None, "utf-8"):
        read = httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=response.request,
            extensions=response.extensions,
        )
        if fallback is not None:
            read.encoding = fallback
        elif _UTF8_HTML.fullmatch(read.headers.get("content-type", "")):
            read.encoding = "utf-8"  # what httpx would find, without its MIME parser's cost
        try:
            read.text  # decoded once here, so no caller meets a charset that cannot decode  # noqa: B018
        except (UnicodeError, LookupError, ValueError):
            continue  # e.g. "charset=utf-16" on a body without a byte-order mark
        return read
    raise AssertionError("unreachable: UTF-8 with replacement always decodes")  # pragma: no cover


def issued_session_cookie(response: httpx.Response) -> str | None:
    """The last well-formed ``PHPSESSID`` an answer sets, if any.

    Read from the ``Set-Cookie`` headers directly: httpx's cookie jar raises ``CookieConflict``
    when a hostile answer sets the name twice for different paths, and would accept values that
    cannot be sent back in a header.
    """
    issued: str | None = None
    for value in response.headers.get_list("set-cookie"):
        name, sep, rest = value.partition("=")
        if sep and name.strip() == SESSION_COOKIE:
            token = rest.split(";", 1)[0].strip()
            if _COOKIE_VALUE.fullmatch(token):
                issued = token
    return issued
