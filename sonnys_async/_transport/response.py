"""What the transport hands back: :class:`Response`, and :class:`SessionHandle` to pin a session.

Redirects are never followed (protocol §2.3, §2.4): a 302 comes back with its ``Location`` made
relative, like the server's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

__all__ = ["Response", "SessionHandle", "relative", "wrap"]


@dataclass(frozen=True, slots=True)
class SessionHandle:
    """Names one pooled session (cookie jar); pass it back to pin a follow-up request.

    Flash messages live in the server-side session (protocol §2.4, §16.1), so the GET that reads
    the messages of a rejected POST must use the session that made the POST.
    """

    index: int


@dataclass(frozen=True, slots=True)
class Response:
    """What the transport returns: status, where it went, and the page text.

    Attributes:
        status: HTTP status code (redirects are not followed, so 302 is common).
        method: ``"GET"`` or ``"POST"``.
        url: Path plus query of the final request (relative, like the server's ``Location``).
        text: The decoded body.
        location: The ``Location`` header as a relative path (``None`` when absent).
        session: The pooled session that served the request.
        followed: The body of the page ``location`` points to, fetched on the same session
            before any other request could use it, when the caller asked for it (see
            ``Transport.post_form``); ``None`` otherwise.
    """

    status: int
    method: str
    url: str
    text: str = field(repr=False)
    location: str | None
    session: SessionHandle
    followed: str | None = field(default=None, repr=False)

    @property
    def is_redirect(self) -> bool:
        """True for a 3xx answer with a ``Location``."""
        return 300 <= self.status < 400 and self.location is not None


def relative(url: httpx.URL) -> str:
    """The path and query of a URL, as sent (``/employee?filter%5Bname%5D=Ann``)."""
    return url.raw_path.decode("ascii")


def wrap(resp: httpx.Response, *, method: str, session: SessionHandle, base_url: str) -> Response:
    """The :class:`Response` of an httpx answer; a ``Location`` on ``base_url`` becomes relative.

    Args:
        resp: The answer, body read.
        method: The request method.
        session: The pooled session that sent the request.
        base_url: The tenant's base URL, without a trailing slash.
    """
    location = resp.headers.get("location")
    if location is not None and location.startswith(base_url):
        location = location[len(base_url) :] or "/"
    return Response(
        status=resp.status_code,
        method=method,
        url=relative(resp.request.url),
        text=resp.text,
        location=location,
        session=session,
    )
