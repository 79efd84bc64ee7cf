"""The ``sonnys_backoffice`` 0.7.2 names, on ``sonnys_async``: change the import, keep the script.

A script written for the reference library runs with one edit::

    from sonnys_backoffice import SonnysBackofficeClient, DuplicateError    # before
    from sonnys_async.compat import SonnysBackofficeClient, DuplicateError  # after

* :class:`SonnysBackofficeClient` has the reference's constructor (``subdomain``, ``username``,
  ``password``, ``timeout``, ``user_agent``, keyword-only) and methods. Underneath it is a
  :class:`~sonnys_async.BackofficeClient` (``.client``), so every write is resolved first and
  verified after, and every method of ours is there too.
* ``SONNYS_BASE_URL``, when set, overrides the URL derived from ``subdomain``: the way to aim an
  unchanged script at a sandbox (``sonnys-backoffice sandbox`` prints the three variables to set).
* The exceptions are ours, under the reference's names, in one tree: ``SonnysBackofficeError``
  *is* :class:`~sonnys_async.errors.BackofficeError` and ``ValidationError`` *is*
  :class:`~sonnys_async.errors.InputValidationError`, so ``except`` works with either name.
  ``BackofficeServerError`` is a class of its own (the reference used it for five different
  situations that are five errors here); the client re-types each error it raises for one of
  those situations to derive from both, so ``except BackofficeServerError`` and ``except
  FormRejectedError`` both catch a bounced form.
* The models are ours (frozen, tuples instead of lists, secrets masked in reprs), except
  :class:`Permission`, the reference's one model for both template kinds.

Two methods keep the reference's meaning where ours differs: :meth:`SonnysBackofficeClient.
modify_employee` (``first_name`` / ``last_name`` / ``phone`` are the *new* values) and
:meth:`SonnysBackofficeClient.list_permissions` (returns :class:`Permission`). Every difference is
in ``docs/migration.md``.
"""

from .._version import __version__
from ..domain import Department, Region, Site
from ..errors import AmbiguousMatchError, AuthenticationError, DuplicateError, NotFoundError
from ..models import (
    BackofficeUserCreated,
    CreateBackofficeUserRequest,
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    Employee,
    EmployeeCompensation,
    EmployeeCreated,
    EmployeeDisabled,
    EmployeeModified,
    EmployeePermission,
    EmployeeProfile,
    EmployeeSummary,
    ModifyEmployeeRequest,
    WageRecord,
)
from ._client import Permission, SonnysBackofficeClient
from ._errors import (
    BackofficeServerError,
    PermissionDeniedError,
    SonnysBackofficeError,
    ValidationError,
)

__all__ = [
    "AmbiguousMatchError",
    "AuthenticationError",
    "BackofficeServerError",
    "BackofficeUserCreated",
    "CreateBackofficeUserRequest",
    "CreateEmployeeRequest",
    "Department",
    "DisableEmployeeRequest",
    "DuplicateError",
    "Employee",
    "EmployeeCompensation",
    "EmployeeCreated",
    "EmployeeDisabled",
    "EmployeeModified",
    "EmployeePermission",
    "EmployeeProfile",
    "EmployeeSummary",
    "ModifyEmployeeRequest",
    "NotFoundError",
    "Permission",
    "PermissionDeniedError",
    "Region",
    "Site",
    "SonnysBackofficeClient",
    "SonnysBackofficeError",
    "ValidationError",
    "WageRecord",
    "__version__",
]

# Defined in private modules, shown as this package's (reprs, docs, tracebacks).
for _cls in (
    BackofficeServerError,
    Permission,
    PermissionDeniedError,
    SonnysBackofficeClient,
):
    _cls.__module__ = __name__
del _cls
