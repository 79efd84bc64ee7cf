"""Symfony-style answers at the byte level: redirect shells, the §2.3 header set, ASGI sending.

Nothing here is templated: the 302 body is the stock Symfony redirect page, byte-identical to the
captures (246 + 4 x len(escaped target) bytes), and every answer goes out without
``Content-Length`` (chunked when served, as on the real server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

__all__ = [
    "HTML",
    "ConnectionDropped",
    "Message",
    "Receive",
    "Response",
    "Scope",
    "Send",
    "abort",
    "error_body",
    "html_page",
    "method_not_allowed",
    "read_cookie",
    "redirect",
    "redirect_body",
    "send_response",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The content type of every page and redirect.
HTML = "text/html; charset=UTF-8"


class ConnectionDropped(Exception):
    """Raised by the app to simulate a dropped connection (converted by the transport)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"sandbox dropped the connection ({kind})")
        self.kind = kind


@dataclass(slots=True)
class Response:
    """What a handler answers: status, body bytes, optional ``Location``, content type."""

    status: int
    body: bytes
    location: str | None = None
    content_type: str = HTML


def redirect_body(target: str) -> bytes:
    """The stock Symfony redirect page (§2.3): 246 + 4 x len(escaped target) bytes."""
    t = target.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#039;")
    t = t.replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="UTF-8" />\n'
        f'        <meta http-equiv="refresh" content="0;url=\'{t}\'" />\n\n'
        f"        <title>Redirecting to {t}</title>\n    </head>\n    <body>\n"
        f'        Redirecting to <a href="{t}">{t}</a>.\n    </body>\n</html>'
    ).encode()


def redirect(target: str) -> Response:
    """A 302 to ``target`` with the stock redirect body."""
    return Response(302, redirect_body(target), location=target)


def html_page(text: str, status: int = 200) -> Response:
    """A rendered page, UTF-8 encoded."""
    return Response(status, text.encode("utf-8"))


def method_not_allowed() -> Response:
    """The plain-text 405 answer to a method other than GET, HEAD or POST."""
    return Response(405, b"Method Not Allowed", content_type="text/plain")


def error_body(status: int) -> bytes:
    """The short gateway error page of an injected 5xx."""
    return (
        f"<!DOCTYPE html><html><head><title>{status} Service Unavailable</title></head>"
        f"<body><h1>{status}</h1><p>The server is temporarily unable to service your request."
        "</p></body></html>"
    ).encode()


def read_cookie(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name`` in the request headers, or ``None`` (empty counts as none)."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return str(v)
    return None


def _std_headers(content_type: str) -> list[tuple[bytes, bytes]]:
    now = formatdate(usegmt=True).encode()
    return [
        (b"date", now),
        (b"content-type", content_type.encode()),
        (b"server", b"Sonnys Controls"),
        (b"cache-control", b"max-age=0, must-revalidate, no-cache, no-store, private"),
        (b"pragma", b"no-cache"),
        (b"expires", now),
        (b"strict-transport-security", b"max-age=15768000"),
        (b"x-content-type-options", b"nosniff"),
        (b"vary", b"User-Agent"),
    ]


async def send_response(
    send: Send,
    status: int,
    body: bytes,
    extra: list[tuple[bytes, bytes]],
    content_type: str = HTML,
) -> None:
    """Send one complete answer with the §2.3 header set plus ``extra`` headers."""
    # No Content-Length: served over uvicorn the body goes out chunked, as on the real server.
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _std_headers(content_type) + extra,
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def abort(send: Send, kind: str) -> None:
    """Start an answer, then fail: a dropped connection for the client.

    Served, uvicorn closes the connection mid-response; in-process, the transport turns the
    exception into an httpx error.
    """
    await send({"type": "http.response.start", "status": 302, "headers": []})
    raise ConnectionDropped(kind)
