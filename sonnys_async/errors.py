"""Every error ``sonnys_async`` raises, rooted at :class:`BackofficeError`.

Foreign errors (httpx, pydantic, selectolax) are translated at the boundary and chained with
``raise ... from exc``, so ``except BackofficeError`` is enough for callers::

    BackofficeError
    ├── InputValidationError       bad caller input, raised before any request is sent
    ├── AuthenticationError        the login was refused, or re-login after expiry failed
    ├── NotFoundError              no employee / user / template / site matched
    ├── AmbiguousMatchError        several employees matched a name lookup
    ├── DuplicateError             POS User ID, e-mail, phone or username already taken
    ├── FormRejectedError          the server bounced a form POST back (``actionXfer``)
    ├── WriteNotVerifiedError      the read-back after a write does not show the change
    ├── OutcomeUnknownError        a POST may or may not have been applied; could not settle it
    ├── StaleRecordError           a planned record changed on the server since it was planned
    ├── ClientClosedError          the sync client (or a stream) was closed under a waiting call
    ├── PageStructureError         a page lacks a landmark the parser needs (markup changed?)
    ├── FormError                  form replay misuse
    │   ├── ControlNotFoundError   no control with that name in the form
    │   └── ItemNotFoundError      a select/checkbox value the page does not offer
    └── TransportError             the HTTP exchange itself failed (after GET retries)
        ├── BackofficeTimeoutError
        └── ServerError            HTTP 5xx / 429 that outlived the retries

Secrets (passwords, PINs, cookies) never appear in these messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AmbiguousMatchError",
    "AuthenticationError",
    "BackofficeError",
    "BackofficeTimeoutError",
    "ClientClosedError",
    "ControlNotFoundError",
    "DuplicateError",
    "FieldIssue",
    "FormError",
    "FormRejectedError",
    "InputValidationError",
    "ItemNotFoundError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PageStructureError",
    "ServerError",
    "StaleRecordError",
    "TransportError",
    "WriteNotVerifiedError",
]


class BackofficeError(Exception):
    """Root of every error raised by ``sonnys_async``."""


class FieldIssue:
    """One problem with one input field (and, in bulk input, one row)."""

    __slots__ = ("field", "message", "row")

    def __init__(self, field: str, message: str, row: int | None = None) -> None:
        self.field = field
        self.message = message
        self.row = row

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"

    def __repr__(self) -> str:
        return f"FieldIssue(field={self.field!r}, message={self.message!r}, row={self.row!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldIssue):
            return NotImplemented
        return (self.field, self.message, self.row) == (other.field, other.message, other.row)

    def __hash__(self) -> int:
        return hash((self.field, self.message, self.row))


class InputValidationError(BackofficeError, ValueError):
    """Caller input is invalid; nothing was sent to the Backoffice.

    ``issues`` lists every problem found (field, message and, for bulk input, the row).
    """

    def __init__(self, issues: Iterable[FieldIssue]) -> None:
        self.issues: tuple[FieldIssue, ...] = tuple(issues)
        super().__init__("; ".join(str(i) for i in self.issues) or "invalid input")

    @property
    def field(self) -> str | None:
        """The first offending field (convenience for single-field errors)."""
        return self.issues[0].field if self.issues else None


class AuthenticationError(BackofficeError):
    """The Backoffice refused the bot credentials (or re-login after expiry failed)."""


class NotFoundError(BackofficeError, LookupError):
    """No record (employee, user, template, site, department) matched the lookup."""


class AmbiguousMatchError(BackofficeError, LookupError):
    """Several employees match; ``candidates`` describes each (POS User ID, name, phone)."""

    def __init__(self, message: str, candidates: Sequence[object]) -> None:
        super().__init__(message)
        self.candidates: tuple[object, ...] = tuple(candidates)


class DuplicateError(BackofficeError):
    """A unique value (POS User ID, e-mail, phone, username) is already taken."""

    def __init__(self, message: str, *, field: str, value: str | int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class FormRejectedError(BackofficeError):
    """The server bounced a form POST back to its form (``?actionXfer=``) with messages."""

    def __init__(self, message: str, *, url: str, messages: Sequence[str]) -> None:
        super().__init__(f"{message}: {' | '.join(messages)}" if messages else message)
        self.url = url
        self.messages: tuple[str, ...] = tuple(messages)


class WriteNotVerifiedError(BackofficeError):
    """A write was sent but the read-back does not show it (``expected`` vs ``actual``)."""

    def __init__(
        self,
        message: str,
        *,
        what: str,
        expected: object = None,
        actual: object = None,
        partial: object = None,
    ) -> None:
        super().__init__(message)
        self.what = what
        self.expected = expected
        self.actual = actual
        #: What was done before the failed verification (e.g. the created employee's ids).
        self.partial = partial


class OutcomeUnknownError(BackofficeError):
    """A POST was sent but its fate could not be established, even by reading server state."""

    def __init__(self, message: str, *, url: str, partial: object = None) -> None:
        super().__init__(message)
        self.url = url
        self.partial = partial


class StaleRecordError(BackofficeError):
    """A record changed on the server after a roster-sync plan was made: the plan's item for it
    is not applied (plan again to see the change)."""

    def __init__(self, message: str, *, employee_id: int | None = None) -> None:
        super().__init__(message)
        self.employee_id = employee_id


class ClientClosedError(BackofficeError, RuntimeError):
    """The sync client, or the stream being read, was closed before this call could finish.

    Raised instead of a bare ``concurrent.futures.CancelledError`` when closing has to stop
    something a caller was waiting on (a stream read from another thread), and by any call made
    after ``close()``.
    """


class PageStructureError(BackofficeError):
    """A page lacks a landmark the parser relies on: never guess, say which one."""

    def __init__(self, *, page: str, landmark: str, detail: str | None = None) -> None:
        text = f"{page} page: missing {landmark}"
        super().__init__(f"{text} ({detail})" if detail else text)
        self.page = page
        self.landmark = landmark


class FormError(BackofficeError):
    """Misuse of a form replay (unknown control or value)."""


class ControlNotFoundError(FormError, KeyError):
    """The form has no control with that name."""

    def __init__(self, name: str, form: str | None = None) -> None:
        where = f" in form {form!r}" if form else ""
        super().__init__(f"no control named {name!r}{where}")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


class ItemNotFoundError(FormError, ValueError):
    """A value is not among the choices the page offers for that control."""

    def __init__(self, name: str, value: str, choices: Iterable[str]) -> None:
        self.name = name
        self.value = value
        self.choices: tuple[str, ...] = tuple(choices)
        super().__init__(
            f"{name}: {value!r} is not offered; valid choices: {', '.join(self.choices)}"
        )


class TransportError(BackofficeError):
    """The HTTP exchange failed (connection, protocol, or status after retries)."""

    def __init__(self, message: str, *, url: str | None = None, method: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.method = method


class BackofficeTimeoutError(TransportError):
    """A request timed out (after the retries allowed for its method)."""


class ServerError(TransportError):
    """The server answered 5xx or 429 and kept doing so through the retries."""

    def __init__(
        self, message: str, *, status: int, url: str | None = None, method: str | None = None
    ) -> None:
        super().__init__(message, url=url, method=method)
        self.status = status
