"""The client's door to the transport: page GETs, form submits, and reading a bounce.

Every service reads pages and submits forms through one :class:`Gateway`, which turns the
server's answers into values or errors the same way everywhere: a page must answer 200 (a 404 or
a redirect away is "not found"); a form POST succeeds when its redirect says so, and a form
bounced back with ``?actionXfer=`` (protocol §2.4) becomes
:class:`~sonnys_async.errors.DuplicateError` or :class:`~sonnys_async.errors.FormRejectedError`
carrying the server's messages, read on the POST's own session before anything else could take
the flash (§16.1).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Sequence

from .._transport import AmbiguousWriteError, Response, SessionHandle, Transport
from ..core import pages
from ..core import payloads as P
from ..core.text import is_digits
from ..errors import (
    BackofficeError,
    FormRejectedError,
    NotFoundError,
    OutcomeUnknownError,
    PageStructureError,
    TransportError,
    WriteNotVerifiedError,
)

__all__ = ["Gateway", "reading_back", "settling", "trailing_id"]

Params = Sequence[tuple[str, str | int]]


def trailing_id(location: str, prefix: str) -> int:
    """The numeric id after ``prefix`` in a redirect target (``/employee/permissions/486``).

    Raises:
        PageStructureError: No ASCII-digit id follows ``prefix``.
    """
    rest = location.split("?", 1)[0][len(prefix) :].strip("/")
    if not is_digits(rest):
        raise PageStructureError(
            page="redirect", landmark=f"numeric id after {prefix}", detail=location
        )
    return int(rest)


@contextlib.contextmanager
def reading_back(subject: str, *, what: str, partial: object = None) -> Iterator[None]:
    """Run a read-back of a write the server accepted: if the read itself fails, the write is
    reported as applied but not verified (:class:`WriteNotVerifiedError` with ``partial``),
    never as a failure that would read as "nothing was done".

    Args:
        subject: What was written, for the message (``"employee 485 update"``).
        what: The ``what`` of the error.
        partial: What is known to be done.
    """
    try:
        yield
    except WriteNotVerifiedError:
        raise
    except BackofficeError as exc:
        raise WriteNotVerifiedError(
            f"{subject} was accepted by the server, but reading it back failed: {exc}",
            what=what,
            partial=partial,
        ) from exc


@contextlib.contextmanager
def settling(subject: str, *, url: str, partial: object = None) -> Iterator[None]:
    """Run the reads that settle a write whose answer was lost: if a read itself fails, the
    write may or may not be applied, so it is reported as
    :class:`~sonnys_async.errors.OutcomeUnknownError` (with ``partial``: what the caller must
    keep, e.g. a generated password), never as the read's own error, which would read as
    "failed, nothing was done". An :class:`OutcomeUnknownError` raised inside passes as is.

    Args:
        subject: What was written, for the message (``"employee 485 update"``).
        url: The POST's path (the error's ``url``).
        partial: What the caller must keep if the write was applied.
    """
    try:
        yield
    except OutcomeUnknownError:
        raise
    except BackofficeError as exc:
        raise OutcomeUnknownError(
            f"{subject}: the answer was lost and reading the state to settle it failed "
            f"(it may or may not be applied): {exc}",
            url=url,
            partial=partial,
        ) from exc


class Gateway:
    """Page GETs and form POSTs over one :class:`~sonnys_async._transport.Transport`.

    Args:
        transport: The HTTP seam (sessions, login, retries, limits).
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def page(
        self,
        path: str,
        params: Params | None = None,
        *,
        session: SessionHandle | None = None,
        what: str = "page",
    ) -> Response:
        """GET a page that must answer 200; a 404 or a redirect away means "not found".

        Args:
            path: The page's path.
            params: Query parameters, in order.
            session: Pin the GET to this session (settling a lost POST, reading a flash).
            what: Names the page in error messages.

        Raises:
            NotFoundError: 404, or a redirect to another page (its messages attached).
            TransportError: Any other status.
        """
        resp = await self.transport.get(path, params, session=session)
        if resp.status == 200:
            return resp
        if resp.status == 404:
            raise NotFoundError(f"{what} not found ({path})")
        if resp.is_redirect and resp.location:
            messages = await self.alerts(resp.location, resp.session)
            detail = f": {' | '.join(messages)}" if messages else ""
            raise NotFoundError(f"{what} not available ({path} -> {resp.location}){detail}")
        raise TransportError(f"unexpected HTTP {resp.status} for {path}", url=path, method="GET")

    async def alerts(self, location: str, session: SessionHandle) -> tuple[str, ...]:
        """The error alerts of the page a request was redirected to (same session: flash)."""
        try:
            resp = await self.transport.get(location, session=session)
        except BackofficeError:
            return ()
        if resp.status != 200:
            return ()
        return tuple(m.strip() for m in pages.parse_alerts(resp.text).errors)

    async def submit(
        self,
        path: str,
        pairs: Sequence[tuple[str, str]],
        *,
        what: str,
        ok: Callable[[str], bool],
        values: dict[str, str | int] | None = None,
    ) -> Response:
        """POST a form; return the response when its redirect means success.

        Args:
            path: The form's action.
            pairs: The body, in order.
            what: Names the form in error messages.
            ok: Whether a redirect target means success.
            values: The unique values sent, to name the one a duplicate message is about.

        Raises:
            DuplicateError / FormRejectedError: The server bounced the form with messages.
            AmbiguousWriteError: The answer was lost (the caller settles it by reading).
        """
        resp = await self.transport.post_form(path, pairs)
        loc = resp.location
        if resp.is_redirect and loc is not None:
            if pages.is_bounce(loc):
                # The transport read the bounce page on the POST's own session, before any
                # other request could consume its flash messages.
                page = resp.followed or ""
                messages = tuple(m.strip() for m in pages.parse_alerts(page).errors)
                raise P.rejection_error(what, loc, messages, values)
            if ok(loc):
                return resp
            messages = await self.alerts(loc, resp.session)
            raise FormRejectedError(
                f"{what}: unexpected redirect to {loc}", url=loc, messages=messages
            )
        errors = pages.parse_alerts(resp.text).errors if resp.status == 200 else ()
        raise FormRejectedError(
            f"{what}: unexpected HTTP {resp.status} from {path}", url=path, messages=errors
        )

    async def replace_form(
        self,
        path: str,
        pairs: Sequence[tuple[str, str]],
        *,
        what: str,
        ok: Callable[[str], bool],
        stored: Callable[[SessionHandle | None], Awaitable[bool]],
    ) -> None:
        """POST a form that replaces a whole record (POS matrix §7.5, BO access §13.4).

        A lost answer is settled by reading (``stored``, given the POST's session so PHP's
        per-session lock orders the read after the POST); because the form is a full
        replacement, resending it once after reading that it is *not* stored cannot double
        anything.
        """
        try:
            await self.submit(path, pairs, what=what, ok=ok)
        except AmbiguousWriteError as exc:
            with settling(what, url=path):
                applied = await stored(exc.session)
            if not applied:
                await self.submit(path, pairs, what=what, ok=ok)
