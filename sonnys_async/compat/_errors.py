"""The reference library's exception names on our one error tree (:mod:`sonnys_async.compat`)."""

from __future__ import annotations

from ..errors import (
    BackofficeError,
    FormError,
    FormRejectedError,
    InputValidationError,
    OutcomeUnknownError,
    PageStructureError,
    TransportError,
    WriteNotVerifiedError,
)

__all__ = [
    "BackofficeServerError",
    "PermissionDeniedError",
    "SonnysBackofficeError",
    "ValidationError",
    "reference_error",
]

#: The reference's root error *is* ours: ``except SonnysBackofficeError`` catches every error.
SonnysBackofficeError = BackofficeError

#: The reference's input error *is* ours: every bad argument, before any request is sent (the
#: reference let pydantic's own ``ValidationError`` escape instead).
ValidationError = InputValidationError


class BackofficeServerError(BackofficeError):
    """The reference's catch-all for "the server did not do it".

    Errors of ours raised by :class:`SonnysBackofficeClient` for the situations the reference
    reported this way also derive from this class: :class:`~sonnys_async.errors.ServerError` and
    every other :class:`~sonnys_async.errors.TransportError` (HTTP 5xx, timeouts, dropped
    connections: the reference let ``requests``' own errors escape),
    :class:`~sonnys_async.errors.FormRejectedError` (the server bounced a form),
    :class:`~sonnys_async.errors.WriteNotVerifiedError` (the read-back does not show the write),
    :class:`~sonnys_async.errors.OutcomeUnknownError`,
    :class:`~sonnys_async.errors.PageStructureError` and :class:`~sonnys_async.errors.FormError`
    (an expected form or landmark is missing), and the refusal to link a Backoffice user to an
    inactive employee (an :class:`~sonnys_async.errors.InputValidationError` here, raised
    before anything is sent).
    """


class PermissionDeniedError(BackofficeError):
    """Reserved, as in the reference: defined and exported, never raised."""


#: Our errors that the reference reported as ``BackofficeServerError``.
_SERVER_SIDE: tuple[type[BackofficeError], ...] = (
    TransportError,
    FormRejectedError,
    WriteNotVerifiedError,
    OutcomeUnknownError,
    PageStructureError,
    FormError,
)


_FLAVOURS: dict[type[BackofficeError], type[BackofficeError]] = {}


def _server_flavour(cls: type[BackofficeError]) -> type[BackofficeError]:
    """``cls`` that is also a :class:`BackofficeServerError` (same name, module and doc)."""
    flavour = _FLAVOURS.get(cls)
    if flavour is None:
        made = type(
            cls.__name__,
            (cls, BackofficeServerError),
            {
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
                "__doc__": cls.__doc__,
            },
        )
        flavour = _FLAVOURS.setdefault(cls, made)
    return flavour


def _is_inactive_link(exc: BackofficeError) -> bool:
    return isinstance(exc, InputValidationError) and any(
        i.field.startswith("link_to_employee") and "inactive" in i.message for i in exc.issues
    )


def reference_error(exc: BackofficeError) -> BackofficeError:
    """Give ``exc`` the reference's type as well, in place (message, attributes, traceback kept).

    An error the reference raised as ``BackofficeServerError`` becomes an instance of a subclass
    of both its own class and :class:`BackofficeServerError`; any other error is left as it is.

    Args:
        exc: An error raised by ``sonnys_async``.

    Returns:
        ``exc`` itself.
    """
    if not isinstance(exc, BackofficeServerError) and (
        isinstance(exc, _SERVER_SIDE) or _is_inactive_link(exc)
    ):
        exc.__class__ = _server_flavour(type(exc))
    return exc
