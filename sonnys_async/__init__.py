"""sonnys_async: drive Sonny's Carwash Controls Backoffice user management over HTTP.

``AsyncBackofficeClient`` is the product; ``BackofficeClient`` runs the same coroutines from plain
Python; ``run_each`` is the bounded bulk executor; ``sonnys_async.sandbox`` is a simulated tenant
for demos and tests. Submodules whose names start with ``_`` are private.
"""

from ._client import AsyncBackofficeClient as AsyncBackofficeClient
from ._transport import Limits as Limits
from ._transport import RetryPolicy as RetryPolicy
from ._version import __version__ as __version__
from .bulk import Bulk as Bulk
from .bulk import BulkSummary as BulkSummary
from .bulk import Outcome as Outcome
from .bulk import run_each as run_each
from .domain import ALL as ALL
from .domain import BoTemplate as BoTemplate
from .domain import Department as Department
from .domain import District as District
from .domain import PosPermission as PosPermission
from .domain import PosTemplate as PosTemplate
from .domain import Region as Region
from .domain import Site as Site
from .domain import SiteTree as SiteTree
from .errors import AmbiguousMatchError as AmbiguousMatchError
from .errors import AuthenticationError as AuthenticationError
from .errors import BackofficeError as BackofficeError
from .errors import BackofficeTimeoutError as BackofficeTimeoutError
from .errors import ClientClosedError as ClientClosedError
from .errors import ControlNotFoundError as ControlNotFoundError
from .errors import DuplicateError as DuplicateError
from .errors import FieldIssue as FieldIssue
from .errors import FormError as FormError
from .errors import FormRejectedError as FormRejectedError
from .errors import InputValidationError as InputValidationError
from .errors import ItemNotFoundError as ItemNotFoundError
from .errors import NotFoundError as NotFoundError
from .errors import OutcomeUnknownError as OutcomeUnknownError
from .errors import PageStructureError as PageStructureError
from .errors import ServerError as ServerError
from .errors import TransportError as TransportError
from .errors import WriteNotVerifiedError as WriteNotVerifiedError
from .journal import Journal as Journal
from .models import BackofficePasswordReset as BackofficePasswordReset
from .models import BackofficeUser as BackofficeUser
from .models import BackofficeUserCreated as BackofficeUserCreated
from .models import BackofficeUserDisabled as BackofficeUserDisabled
from .models import BackofficeUserModified as BackofficeUserModified
from .models import BackofficeUserReactivated as BackofficeUserReactivated
from .models import BackofficeUserSummary as BackofficeUserSummary
from .models import CreateBackofficeUserRequest as CreateBackofficeUserRequest
from .models import CreateEmployeeRequest as CreateEmployeeRequest
from .models import DisableEmployeeRequest as DisableEmployeeRequest
from .models import Employee as Employee
from .models import EmployeeCompensation as EmployeeCompensation
from .models import EmployeeCreated as EmployeeCreated
from .models import EmployeeDisabled as EmployeeDisabled
from .models import EmployeeModified as EmployeeModified
from .models import EmployeePermission as EmployeePermission
from .models import EmployeeProfile as EmployeeProfile
from .models import EmployeeRehired as EmployeeRehired
from .models import EmployeeSummary as EmployeeSummary
from .models import ModifyBackofficeUserRequest as ModifyBackofficeUserRequest
from .models import ModifyEmployeeRequest as ModifyEmployeeRequest
from .models import RehireEmployeeRequest as RehireEmployeeRequest
from .models import WageRecord as WageRecord
from .sync import BackofficeClient as BackofficeClient
from .sync import BlockingBulk as BlockingBulk

__all__ = [
    "ALL",
    "AmbiguousMatchError",
    "AsyncBackofficeClient",
    "AuthenticationError",
    "BackofficeClient",
    "BackofficeError",
    "BackofficePasswordReset",
    "BackofficeTimeoutError",
    "BackofficeUser",
    "BackofficeUserCreated",
    "BackofficeUserDisabled",
    "BackofficeUserModified",
    "BackofficeUserReactivated",
    "BackofficeUserSummary",
    "BlockingBulk",
    "BoTemplate",
    "Bulk",
    "BulkSummary",
    "ClientClosedError",
    "ControlNotFoundError",
    "CreateBackofficeUserRequest",
    "CreateEmployeeRequest",
    "Department",
    "DisableEmployeeRequest",
    "District",
    "DuplicateError",
    "Employee",
    "EmployeeCompensation",
    "EmployeeCreated",
    "EmployeeDisabled",
    "EmployeeModified",
    "EmployeePermission",
    "EmployeeProfile",
    "EmployeeRehired",
    "EmployeeSummary",
    "FieldIssue",
    "FormError",
    "FormRejectedError",
    "InputValidationError",
    "ItemNotFoundError",
    "Journal",
    "Limits",
    "ModifyBackofficeUserRequest",
    "ModifyEmployeeRequest",
    "NotFoundError",
    "Outcome",
    "OutcomeUnknownError",
    "PageStructureError",
    "PosPermission",
    "PosTemplate",
    "Region",
    "RehireEmployeeRequest",
    "RetryPolicy",
    "ServerError",
    "Site",
    "SiteTree",
    "TransportError",
    "WageRecord",
    "WriteNotVerifiedError",
    "__version__",
    "run_each",
]

# Objects defined in private modules report the public namespace, so reprs, docs and
# tracebacks show ``sonnys_async.AsyncBackofficeClient`` rather than ``sonnys_async._client``.
for _name in ("AsyncBackofficeClient", "Limits", "RetryPolicy"):
    globals()[_name].__module__ = __name__
del _name
