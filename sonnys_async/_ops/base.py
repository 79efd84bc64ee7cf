"""Shared plumbing of the client operations: GET a page, POST a form, read a bounce's alerts.

The client is composed of layers, each a class adding one family of operations on top of the
one below it (so every layer may call what the lower ones offer, and mypy checks each call):

``ClientBase`` (this module: attributes, locks, ``_page``, ``_submit``) -> ``Discovery``
(sites, departments, templates) -> ``Reads`` (roster, lookups, snapshots) -> ``Users``
(Backoffice logins) -> ``Employees`` (create) -> ``Changes`` (disable, modify) -> ``BulkOps``
(bulk streams) -> :class:`~sonnys_async.AsyncBackofficeClient` (construction and lifecycle).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from pydantic import BaseModel

from .. import _constants as C
from .._transport import (
    AmbiguousWriteError,
    Response,
    SessionHandle,
    Transport,
)
from ..core import pages, sites
from ..core import payloads as P
from ..core.text import is_digits, norm
from ..domain import (
    BoTemplate,
    PosPermission,
    PosTemplate,
    SiteSelection,
    SiteTree,
)
from ..errors import (
    BackofficeError,
    FieldIssue,
    FormRejectedError,
    InputValidationError,
    NotFoundError,
    PageStructureError,
    TransportError,
)
from ..models import (
    CreateEmployeeRequest,
    DisableEmployeeRequest,
)

logger = logging.getLogger(C.LOGGER_NAME)

#: Page size for roster reads. The server honours ``limit`` (§10.2); lookups by POS User ID
#: return one row, so a small page keeps the response small.
LOOKUP_LIMIT = 25
ROSTER_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Target:
    """An employee resolved from a lookup key."""

    employee_id: int
    pos_user_id: int | None
    first_name: str
    last_name: str
    row: pages.EmployeeRow | None = None
    email: str | None = None


class NoEmployeeYet(NotFoundError):
    """The tenant has no employee whose permissions page could describe the templates."""


@dataclass(frozen=True, slots=True)
class PosCatalogue:
    templates: tuple[PosTemplate, ...]
    permissions: tuple[PosPermission, ...]


@dataclass(frozen=True, slots=True)
class BoCatalogue:
    templates: tuple[BoTemplate, ...]
    tokens: tuple[str, ...]


R = TypeVar("R", CreateEmployeeRequest, DisableEmployeeRequest)


def as_request(model: type[R], item: Any) -> R:
    if isinstance(item, model):
        return item
    if isinstance(item, Mapping):
        return model.model_validate(dict(item))
    raise InputValidationError([FieldIssue("item", f"expected {model.__name__} or a mapping")])


M = TypeVar("M", bound=BaseModel)


def request_from(model: type[M], arguments: Mapping[str, Any]) -> M:
    """``model`` built from a public method's arguments (its ``locals()`` before any other
    name is bound): each keyword parameter carries the name of the field it fills."""
    return model(**{name: arguments[name] for name in model.model_fields})


def item_key(item: Any, name: str, *, required: bool = True) -> str:
    value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
    if value is None and required:
        return ""
    return "" if value is None else str(value)


def trailing_id(location: str, prefix: str) -> int:
    """The numeric id after ``prefix`` in a redirect target (``/employee/permissions/486``)."""
    rest = location.split("?", 1)[0][len(prefix) :].strip("/")
    if not is_digits(rest):
        raise PageStructureError(
            page="redirect", landmark=f"numeric id after {prefix}", detail=location
        )
    return int(rest)


def same_name(row: pages.EmployeeRow, first_name: str, last_name: str) -> bool:
    """Whether a roster row carries these names (trimmed, case-insensitive)."""
    return (norm(row.first_name), norm(row.last_name)) == (norm(first_name), norm(last_name))


def same_sites(tree: SiteTree, got: SiteSelection, want: SiteSelection) -> bool:
    """Equal selections, treating ``"all"`` and an explicit list of every site as equal."""
    return sites.selection_ids(tree, got) == sites.selection_ids(tree, want)


class ClientBase:
    """State shared by every layer (set by ``AsyncBackofficeClient.__init__``) and plumbing."""

    base_url: str
    _t: Transport
    _locks: dict[str, anyio.Lock]
    #: One ``/employee/create`` page: site tree, departments, tenant shape (discovery cache).
    _create_page: pages.EmployeeCreatePage | None
    _pos: PosCatalogue | None
    _bo: BoCatalogue | None

    def _lock(self, name: str) -> anyio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = anyio.Lock()
        return lock

    async def _page(
        self,
        path: str,
        params: Sequence[tuple[str, str | int]] | None = None,
        *,
        session: SessionHandle | None = None,
        what: str = "page",
    ) -> Response:
        """GET a page that must answer 200; a 404 or a redirect away means "not found"."""
        resp = await self._t.get(path, params, session=session)
        if resp.status == 200:
            return resp
        if resp.status == 404:
            raise NotFoundError(f"{what} not found ({path})")
        if resp.is_redirect and resp.location:
            messages = await self._alerts(resp.location, resp.session)
            detail = f": {' | '.join(messages)}" if messages else ""
            raise NotFoundError(f"{what} not available ({path} -> {resp.location}){detail}")
        raise TransportError(f"unexpected HTTP {resp.status} for {path}", url=path, method="GET")

    async def _alerts(self, location: str, session: SessionHandle) -> tuple[str, ...]:
        """The error alerts of the page a POST bounced to (same session: flash, §2.4)."""
        try:
            resp = await self._t.get(location, session=session)
        except BackofficeError:
            return ()
        if resp.status != 200:
            return ()
        return tuple(m.strip() for m in pages.parse_alerts(resp.text).errors)

    async def _submit(
        self,
        path: str,
        pairs: Sequence[tuple[str, str]],
        *,
        what: str,
        ok: Callable[[str], bool],
        values: dict[str, str | int] | None = None,
    ) -> Response:
        """POST a form; return the response when its redirect means success.

        Raises:
            DuplicateError / FormRejectedError: The server bounced the form with messages.
            AmbiguousWriteError: The answer was lost (the caller settles it by reading).
        """
        resp = await self._t.post_form(path, pairs)
        loc = resp.location
        if resp.is_redirect and loc is not None:
            if "actionXfer=" in loc:
                # The transport read the bounce page on the POST's own session, before any
                # other request could consume its flash messages.
                page = resp.followed or ""
                messages = tuple(m.strip() for m in pages.parse_alerts(page).errors)
                raise P.rejection_error(what, loc, messages, values)
            if ok(loc):
                return resp
            messages = await self._alerts(loc, resp.session)
            raise FormRejectedError(
                f"{what}: unexpected redirect to {loc}", url=loc, messages=messages
            )
        errors = pages.parse_alerts(resp.text).errors if resp.status == 200 else ()
        raise FormRejectedError(
            f"{what}: unexpected HTTP {resp.status} from {path}", url=path, messages=errors
        )

    async def _replace_form(
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
            await self._submit(path, pairs, what=what, ok=ok)
        except AmbiguousWriteError as exc:
            if not await stored(exc.session):
                await self._submit(path, pairs, what=what, ok=ok)
