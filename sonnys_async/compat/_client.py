"""``SonnysBackofficeClient``: the reference's sync client on ours, and its ``Permission``."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Concatenate, Literal, ParamSpec, Self, TypeVar

from .. import _constants as C
from ..core.tenant import tenant_base_url
from ..domain import BoTemplate, PosTemplate
from ..errors import BackofficeError, FieldIssue, InputValidationError
from ..models import EmployeeModified
from ..sync import BackofficeClient
from ._errors import reference_error

__all__ = ["Permission", "SonnysBackofficeClient"]

logger = logging.getLogger(C.LOGGER_NAME)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def _same(
    method: Callable[Concatenate[BackofficeClient, P], R],
) -> Callable[Concatenate[SonnysBackofficeClient, P], R]:
    """The compat client's twin of a sync-client method: same signature, doc and result."""

    @functools.wraps(method)
    def call(self: SonnysBackofficeClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self.client, *args, **kwargs)
        except BackofficeError as exc:
            reference_error(exc)
            raise

    return call


def _returning(
    method: Callable[Concatenate[BackofficeClient, P], R], convert: Callable[[R], T]
) -> Callable[Concatenate[SonnysBackofficeClient, P], T]:
    """:func:`_same`, its result turned into the reference's model by ``convert``."""
    same = _same(method)

    @functools.wraps(method)
    def call(self: SonnysBackofficeClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return convert(same(self, *args, **kwargs))

    return call


# ---- the models that differ


@dataclass(frozen=True, slots=True)
class Permission:
    """A permission template as the reference's ``list_permissions`` returned it.

    ``grants`` / ``overrides`` are the POS permission ids a POS template ticks (empty for a
    Backoffice template, as in the reference); ``tokens`` are a Backoffice template's access
    tokens (not in the reference: it never read them).
    """

    id: int
    name: str
    scope: Literal["pos", "backoffice"]
    grants: frozenset[int] = frozenset()
    overrides: frozenset[int] = frozenset()
    tokens: tuple[str, ...] = ()

    @classmethod
    def from_template(cls, template: PosTemplate | BoTemplate) -> Permission:
        """The reference's view of one of our templates.

        Args:
            template: A :class:`~sonnys_async.PosTemplate` or :class:`~sonnys_async.BoTemplate`.

        Returns:
            The same template as a :class:`Permission`.
        """
        if isinstance(template, PosTemplate):
            return cls(template.id, template.name, "pos", template.grants, template.overrides)
        return cls(template.id, template.name, "backoffice", tokens=template.tokens)


# ---- the client


class SonnysBackofficeClient:
    """The reference's synchronous client, running on :class:`~sonnys_async.BackofficeClient`.

    Login is lazy (first request); use it as a context manager or call :meth:`close`. Every
    method of ``BackofficeClient`` is available with the same name and parameters; two keep the
    reference's meaning: :meth:`modify_employee` and :meth:`list_permissions`.

    Args:
        subdomain: The tenant (``washu`` for ``https://washu.sonnyscontrols.com``). Ignored when
            ``base_url`` or the ``SONNYS_BASE_URL`` environment variable is set.
        username: Bot account username.
        password: Bot account password (never logged).
        timeout: Seconds for connect/read/write (the reference's default, 30).
        user_agent: Overrides the library's User-Agent.
        base_url: An explicit tenant or sandbox origin; wins over ``SONNYS_BASE_URL``.
        **options: Any other :class:`~sonnys_async.BackofficeClient` argument (``transport``,
            ``sessions``, ``retry``, ``max_per_second``, ...).

    Raises:
        ValidationError: ``subdomain`` is not one DNS label, or ``SONNYS_BASE_URL`` /
            ``base_url`` is not an ``https`` origin (plain ``http`` only to this machine).
    """

    def __init__(
        self,
        *,
        subdomain: str,
        username: str,
        password: str,
        timeout: float = C.DEFAULT_TIMEOUT,
        user_agent: str | None = None,
        base_url: str | None = None,
        **options: Any,
    ) -> None:
        env_url = os.environ.get("SONNYS_BASE_URL", "").strip()
        if base_url is None and env_url:
            try:
                base_url = tenant_base_url(
                    env_url, None, allow_http=options.get("allow_http", False)
                )
            except InputValidationError as exc:
                raise InputValidationError(
                    FieldIssue("SONNYS_BASE_URL", i.message) for i in exc.issues
                ) from None
            logger.info("SONNYS_BASE_URL overrides subdomain %r: using %s", subdomain, base_url)
        #: The ``sonnys_async`` client doing the work (raises our errors unchanged).
        self.client = BackofficeClient(
            base_url,
            subdomain=subdomain,
            username=username,
            password=password,
            timeout=timeout,
            user_agent=user_agent,
            **options,
        )
        #: The tenant origin this client talks to.
        self.base_url = tenant_base_url(
            base_url, subdomain, allow_http=options.get("allow_http", False)
        )
        self._username = username

    def __repr__(self) -> str:
        return f"SonnysBackofficeClient(base_url={self.base_url!r}, username={self._username!r})"

    def __enter__(self) -> Self:
        self.client.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP sessions (calls in flight finish first). Idempotent."""
        self.client.close()

    # ---- the reference's methods whose meaning differs from ours

    def list_permissions(
        self, *, scope: Literal["pos", "backoffice"], refresh: bool = False
    ) -> list[Permission]:
        """The tenant's permission templates of one scope, as the reference listed them.

        Args:
            scope: ``"pos"`` (POS templates, with their grant and override ids) or
                ``"backoffice"`` (Backoffice templates, with their access tokens).
            refresh: Re-read instead of using the client's cache.

        Returns:
            One :class:`Permission` per template.

        Raises:
            ValidationError: ``scope`` is neither.
        """
        templates: Iterable[PosTemplate | BoTemplate]
        try:
            if scope == "pos":
                templates = self.client.list_pos_templates(refresh=refresh)
            elif scope == "backoffice":
                templates = self.client.list_backoffice_templates(refresh=refresh)
            else:
                raise InputValidationError([FieldIssue("scope", 'must be "pos" or "backoffice"')])
        except BackofficeError as exc:
            reference_error(exc)
            raise
        return [Permission.from_template(t) for t in templates]

    def modify_employee(
        self,
        *,
        pos_user_id: int | None = None,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        new_email: str | None = None,
        departments: Iterable[int | str] | None = None,
        available_sites: Iterable[int | str] | Literal["all"] | str | None = None,
        adp_employee_id: str | None = None,
        emergency_contact_name: str | None = None,
        emergency_contact_phone: str | None = None,
        wage_rate: Decimal | float | int | str | None = None,
        overtime_wage_rate: Decimal | float | int | str | None = None,
        wage_effective_date: date | datetime | None = None,
        permission: str | None = None,
        activate: bool | None = None,
        **more: Any,
    ) -> EmployeeModified:
        """Change the employee with this POS User ID or e-mail (the reference's parameters).

        As in the reference, ``first_name``, ``last_name`` and ``phone`` are the **new** values
        (``new_first_name``, ``new_last_name`` and ``new_phone`` of
        :meth:`sonnys_async.BackofficeClient.modify_employee`, where those three names identify
        the employee). Only the forms a change touches are submitted, and each change is read
        back.

        Args:
            pos_user_id: Lookup key.
            email: Lookup key (the current e-mail).
            first_name: New first name.
            last_name: New last name.
            phone: New phone.
            new_email: New e-mail.
            departments: Replace the departments (used as given: no ``Greeter`` is added).
            available_sites: Replace the available sites (names, short codes, ids or ``"all"``).
            adp_employee_id: New ADP id.
            emergency_contact_name: New emergency contact.
            emergency_contact_phone: New emergency contact phone.
            wage_rate: New hourly rate (a new wage record).
            overtime_wage_rate: New overtime rate (alone, it adds a record at the current rate).
            wage_effective_date: When the new wage starts (clamped up, with a warning).
            permission: POS template name.
            activate: ``True`` reactivates, ``False`` deactivates.
            **more: Any other argument of ours (``pos_pin``, ``start_date``, ``wage_site``,
                ``verify``, ``employee_id``).

        Returns:
            Which parts changed (``changes_applied``), and warnings.

        Raises:
            ValidationError: Bad input, no lookup key, or both a reference name and its
                ``new_`` spelling.
            NotFoundError: Unknown employee, template, site or department (before any write).
            BackofficeServerError: The server refused a form, or a change did not read back.
        """
        renamed = {"new_first_name": first_name, "new_last_name": last_name, "new_phone": phone}
        clash = [k for k, v in renamed.items() if v is not None and more.get(k) is not None]
        if clash:
            raise InputValidationError(
                FieldIssue(k, f"give {k.removeprefix('new_')} or {k}, not both") for k in clash
            )
        for key, value in renamed.items():
            if value is not None:
                more[key] = value
        return self._modify(
            pos_user_id=pos_user_id,
            email=email,
            new_email=new_email,
            departments=departments,
            available_sites=available_sites,
            adp_employee_id=adp_employee_id,
            emergency_contact_name=emergency_contact_name,
            emergency_contact_phone=emergency_contact_phone,
            wage_rate=wage_rate,
            overtime_wage_rate=overtime_wage_rate,
            wage_effective_date=wage_effective_date,
            permission=permission,
            activate=activate,
            **more,
        )

    _modify = _same(BackofficeClient.modify_employee)

    # ---- the reference's other methods: ours, unchanged
    list_sites = _same(BackofficeClient.list_sites)
    list_departments = _same(BackofficeClient.list_departments)
    is_pos_user_id_available = _same(BackofficeClient.is_pos_user_id_available)
    pos_user_id_exists = _same(BackofficeClient.pos_user_id_exists)
    is_email_available = _same(BackofficeClient.is_email_available)
    is_phone_available = _same(BackofficeClient.is_phone_available)
    create_employee = _same(BackofficeClient.create_employee)
    disable_employee = _same(BackofficeClient.disable_employee)
    create_backoffice_user = _same(BackofficeClient.create_backoffice_user)
    list_employees = _same(BackofficeClient.list_employees)
    search_employees = _same(BackofficeClient.search_employees)
    find_employees = _same(BackofficeClient.find_employees)
    find_employee = _same(BackofficeClient.find_employee)
    get_employee = _same(BackofficeClient.get_employee)
    get_employee_profile = _same(BackofficeClient.get_employee_profile)
    get_employee_compensation = _same(BackofficeClient.get_employee_compensation)
    get_employee_permission = _same(BackofficeClient.get_employee_permission)

    # ---- ours, not in the reference (same errors as above)
    login = _same(BackofficeClient.login)
    get_site_tree = _same(BackofficeClient.get_site_tree)
    list_pos_templates = _same(BackofficeClient.list_pos_templates)
    list_pos_permissions = _same(BackofficeClient.list_pos_permissions)
    list_backoffice_templates = _same(BackofficeClient.list_backoffice_templates)
    is_backoffice_username_available = _same(BackofficeClient.is_backoffice_username_available)
    create_employee_from = _same(BackofficeClient.create_employee_from)
    disable_employee_from = _same(BackofficeClient.disable_employee_from)
    modify_employee_from = _same(BackofficeClient.modify_employee_from)
    create_backoffice_user_from = _same(BackofficeClient.create_backoffice_user_from)
    disable_backoffice_user = _same(BackofficeClient.disable_backoffice_user)
    list_backoffice_users = _same(BackofficeClient.list_backoffice_users)
    get_backoffice_user = _same(BackofficeClient.get_backoffice_user)
    modify_backoffice_user = _same(BackofficeClient.modify_backoffice_user)
    modify_backoffice_user_from = _same(BackofficeClient.modify_backoffice_user_from)
    reset_backoffice_password = _same(BackofficeClient.reset_backoffice_password)
    reactivate_backoffice_user = _same(BackofficeClient.reactivate_backoffice_user)
    rehire_employee = _same(BackofficeClient.rehire_employee)
    rehire_employee_from = _same(BackofficeClient.rehire_employee_from)
    preflight_employees = _same(BackofficeClient.preflight_employees)
    plan_roster_sync = _same(BackofficeClient.plan_roster_sync)
    # Bulk streams: an error raised while starting one is re-typed; the errors of single items
    # are reported in each Outcome, as ours.
    apply_plan = _same(BackofficeClient.apply_plan)
    create_employees = _same(BackofficeClient.create_employees)
    disable_employees = _same(BackofficeClient.disable_employees)
    modify_employees = _same(BackofficeClient.modify_employees)
    rehire_employees = _same(BackofficeClient.rehire_employees)
    create_backoffice_users = _same(BackofficeClient.create_backoffice_users)
    modify_backoffice_users = _same(BackofficeClient.modify_backoffice_users)
