"""``sonnys_async.compat``: the reference's names, parameters and errors, on our client.

The reference's surface is copied from ``../shared/docs/reference-library-api.md`` (§1.1-§1.5).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest

import sonnys_async
from sonnys_async import compat
from sonnys_async.compat import (
    BackofficeServerError,
    Permission,
    PermissionDeniedError,
    SonnysBackofficeClient,
    SonnysBackofficeError,
    ValidationError,
)
from sonnys_async.compat._errors import reference_error
from sonnys_async.errors import (
    BackofficeError,
    BackofficeTimeoutError,
    ControlNotFoundError,
    DuplicateError,
    FieldIssue,
    FormRejectedError,
    InputValidationError,
    NotFoundError,
    OutcomeUnknownError,
    PageStructureError,
    ServerError,
    WriteNotVerifiedError,
)
from sonnys_async.sandbox import Sandbox, SandboxOptions

#: §1.1, the reference's package exports.
REFERENCE_EXPORTS = {
    "SonnysBackofficeClient",
    *("SonnysBackofficeError", "AuthenticationError", "NotFoundError", "AmbiguousMatchError"),
    *("ValidationError", "PermissionDeniedError", "DuplicateError", "BackofficeServerError"),
    *("CreateEmployeeRequest", "CreateBackofficeUserRequest", "DisableEmployeeRequest"),
    *("ModifyEmployeeRequest", "EmployeeCreated", "BackofficeUserCreated", "EmployeeDisabled"),
    *("EmployeeModified", "EmployeeSummary", "EmployeeProfile", "EmployeeCompensation"),
    *("EmployeePermission", "Employee", "WageRecord", "Site", "Region", "Department"),
    *("Permission", "__version__"),
}

#: §1.3, every public method and its parameters.
REFERENCE_METHODS: dict[str, set[str]] = {
    "list_sites": {"refresh"},
    "list_departments": {"refresh"},
    "list_permissions": {"scope", "refresh"},
    "is_pos_user_id_available": {"pos_user_id", "refresh"},
    "pos_user_id_exists": {"pos_user_id"},
    "is_email_available": {"email", "refresh"},
    "is_phone_available": {"phone", "refresh"},
    "create_employee": {
        *("first_name", "last_name", "phone", "email", "pos_user_id", "wage_rate"),
        *("start_date", "available_sites", "permission", "pos_pin", "overtime_wage_rate"),
        *("departments", "adp_employee_id", "emergency_contact_name"),
        *("emergency_contact_phone", "requires_backoffice", "backoffice_username"),
        "backoffice_password",
    },
    "disable_employee": {"pos_user_id", "email"},
    "create_backoffice_user": {
        *("username", "email", "permission", "password", "link_to_employee_pos_user_id"),
        *("link_to_employee_email", "first_name", "last_name", "available_sites"),
    },
    "modify_employee": {
        *("pos_user_id", "email", "first_name", "last_name", "phone", "new_email"),
        *("departments", "available_sites", "adp_employee_id", "emergency_contact_name"),
        *("emergency_contact_phone", "wage_rate", "overtime_wage_rate"),
        *("wage_effective_date", "permission", "activate"),
    },
    "list_employees": {"active", "first_name", "last_name"},
    "get_employee": {"pos_user_id", "email"},
    "get_employee_profile": {"pos_user_id", "email"},
    "get_employee_compensation": {"pos_user_id", "email"},
    "get_employee_permission": {"pos_user_id", "email"},
    "find_employees": {"first_name", "last_name", "active"},
    "find_employee": {"first_name", "last_name", "phone", "active"},
    "search_employees": {"first_name", "last_name", "pos_user_id", "active"},
    "close": set(),
}


@pytest.fixture(autouse=True)
def _no_sonnys_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SONNYS_BASE_URL", "SONNYS_SUBDOMAIN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxOptions(employees=20, bo_users=3, seed=21))


def make(sandbox: Sandbox, **kwargs: Any) -> SonnysBackofficeClient:
    return SonnysBackofficeClient(
        subdomain="washu",
        username=sandbox.username,
        password=sandbox.password,
        transport=sandbox.transport(),
        retry=sonnys_async.RetryPolicy.no_wait(),
        **kwargs,
    )


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[SonnysBackofficeClient]:
    with make(sandbox) as c:
        yield c


def hire(client: SonnysBackofficeClient, pos_user_id: int = 12345) -> compat.EmployeeCreated:
    return client.create_employee(
        first_name="Jane",
        last_name="Doe",
        phone="6155551234",
        email="jane.doe@example.com",
        pos_user_id=pos_user_id,
        wage_rate=Decimal("15.50"),
        start_date=datetime(2026, 5, 1),
        available_sites=["Wash 37135"],
        permission="General User",
    )


# ---- the surface


def test_the_reference_exports_and_nothing_else() -> None:
    assert set(compat.__all__) == REFERENCE_EXPORTS
    assert compat.__all__ == sorted(compat.__all__)
    assert all(hasattr(compat, name) for name in compat.__all__)
    assert compat.__version__ == sonnys_async.__version__


def test_the_constructor_is_the_reference_s() -> None:
    params = inspect.signature(SonnysBackofficeClient).parameters
    reference = ["subdomain", "username", "password", "timeout", "user_agent"]
    assert list(params)[:5] == reference
    assert all(params[n].kind is inspect.Parameter.KEYWORD_ONLY for n in reference)
    assert params["timeout"].default == 30.0
    assert params["user_agent"].default is None
    assert all(params[n].default is inspect.Parameter.empty for n in reference[:3])


@pytest.mark.parametrize("name", sorted(REFERENCE_METHODS))
def test_every_reference_method_takes_the_reference_s_parameters(name: str) -> None:
    params = set(inspect.signature(getattr(SonnysBackofficeClient, name)).parameters) - {"self"}
    assert REFERENCE_METHODS[name] <= params


def test_every_method_of_ours_is_there_too() -> None:
    ours = {
        n
        for n, m in vars(sonnys_async.BackofficeClient).items()
        if not n.startswith("_") and callable(m)
    }
    missing = sorted(n for n in ours if not callable(getattr(SonnysBackofficeClient, n, None)))
    assert missing == []
    for name in ours:
        assert inspect.getdoc(getattr(SonnysBackofficeClient, name)), name


def test_the_availability_checks_take_their_value_positionally(
    client: SonnysBackofficeClient,
) -> None:
    assert client.is_pos_user_id_available(12345)
    assert client.is_email_available("jane.doe@example.com")
    assert client.is_phone_available("6155551234")
    assert not client.pos_user_id_exists(12345)


# ---- SONNYS_BASE_URL


def test_the_subdomain_makes_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    client = SonnysBackofficeClient(subdomain="washu", username="bot", password="pw")
    assert client.base_url == "https://washu.sonnyscontrols.com"
    assert repr(client) == (
        "SonnysBackofficeClient(base_url='https://washu.sonnyscontrols.com', username='bot')"
    )
    client.close()


def test_sonnys_base_url_overrides_the_subdomain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONNYS_BASE_URL", "http://127.0.0.1:8080/")
    client = SonnysBackofficeClient(subdomain="washu", username="bot", password="pw")
    assert client.base_url == "http://127.0.0.1:8080"
    client.close()
    explicit = SonnysBackofficeClient(
        subdomain="washu", username="bot", password="pw", base_url="https://other.test"
    )
    assert explicit.base_url == "https://other.test"  # an argument wins over the environment
    explicit.close()


def test_a_sonnys_base_url_that_would_leak_the_password_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SONNYS_BASE_URL", "http://backoffice.example.com")
    with pytest.raises(ValidationError) as caught:
        SonnysBackofficeClient(subdomain="washu", username="bot", password="pw")
    assert caught.value.field == "SONNYS_BASE_URL"
    assert "pw" not in str(caught.value)


def test_an_unchanged_script_reaches_the_sandbox_through_sonnys_base_url(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SONNYS_BASE_URL", sandbox.base_url)
    with make(sandbox) as client:
        assert client.base_url == sandbox.base_url
        created = hire(client)
    assert sandbox.state.employees[created.employee_id].pos_user_id == 12345


# ---- errors: one tree, catchable by either name


def test_the_shared_names_are_ours() -> None:
    assert SonnysBackofficeError is BackofficeError
    assert ValidationError is InputValidationError
    for name in ("AuthenticationError", "NotFoundError", "AmbiguousMatchError", "DuplicateError"):
        assert getattr(compat, name) is getattr(sonnys_async, name)
    for cls in (BackofficeServerError, PermissionDeniedError):
        assert issubclass(cls, SonnysBackofficeError)
    assert BackofficeServerError.__module__ == "sonnys_async.compat"


def test_bad_input_is_a_validation_error_by_either_name_never_pydantic_s(
    client: SonnysBackofficeClient,
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="12345",
            email="not-an-email",
            pos_user_id=12345,
            wage_rate=Decimal("15.50"),
            start_date=datetime(2026, 5, 1),
            available_sites=["Wash 37135"],
            permission="General User",
        )
    assert isinstance(caught.value, InputValidationError)
    assert not isinstance(caught.value, pydantic.ValidationError | BackofficeServerError)
    assert {i.field for i in caught.value.issues} == {"phone", "email"}


def test_the_reference_s_value_and_lookup_errors_are_still_caught(
    client: SonnysBackofficeClient,
) -> None:
    with pytest.raises(ValueError, match="pos_user_id"):  # the reference raised ValueError
        client.get_employee()
    with pytest.raises(LookupError):  # the reference raised LookupError for an unknown site
        client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="6155551234",
            email="jane.doe@example.com",
            pos_user_id=12345,
            wage_rate=Decimal("15.50"),
            start_date=datetime(2026, 5, 1),
            available_sites=["Nowhere"],
            permission="General User",
        )


def test_a_server_error_is_a_backoffice_server_error_and_ours(
    sandbox: Sandbox, client: SonnysBackofficeClient
) -> None:
    sandbox.faults.fail_next("GET", "/employee/create", status=503, count=10)
    with pytest.raises(BackofficeServerError) as caught:
        client.list_sites()
    assert isinstance(caught.value, ServerError)
    assert caught.value.status == 503
    assert type(caught.value).__name__ == "ServerError"


def test_our_own_client_raises_our_errors_unchanged(sandbox: Sandbox) -> None:
    sandbox.faults.fail_next("GET", "/employee/create", status=503, count=10)
    with make(sandbox) as client, pytest.raises(ServerError) as caught:
        client.client.list_sites()
    assert not isinstance(caught.value, BackofficeServerError)


def test_linking_to_an_inactive_employee_is_the_page_s_backoffice_server_error(
    client: SonnysBackofficeClient, sandbox: Sandbox
) -> None:
    created = hire(client)
    client.disable_employee(pos_user_id=12345)
    before = len(sandbox.state.users)
    with pytest.raises(BackofficeServerError, match="inactive") as caught:
        client.create_backoffice_user(
            username="janedoe",
            email="jane.doe@example.com",
            permission="Manager",
            link_to_employee_pos_user_id="12345",
        )
    assert isinstance(caught.value, ValidationError)  # refused before anything was sent
    assert len(sandbox.state.users) == before
    assert not sandbox.state.employees[created.employee_id].active


def _raise_as_the_compat_client_does(error: BackofficeError) -> None:
    try:
        raise error
    except BackofficeError as exc:
        reference_error(exc)
        raise


@pytest.mark.parametrize(
    "error",
    [
        ServerError("503", status=503),
        BackofficeTimeoutError("slow"),
        FormRejectedError("bounced", url="/employee/insert", messages=["nope"]),
        WriteNotVerifiedError("not stored", what="sites"),
        OutcomeUnknownError("lost", url="/employee/insert"),
        PageStructureError(page="employee edit", landmark="form"),
        ControlNotFoundError("employee[firstName]"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_what_the_reference_called_a_server_error_is_caught_both_ways(
    error: BackofficeError,
) -> None:
    original = type(error)
    message = str(error)
    with pytest.raises(BackofficeServerError) as caught:
        _raise_as_the_compat_client_does(error)
    assert isinstance(caught.value, original)
    assert str(caught.value) == message
    assert type(caught.value).__bases__ == (original, BackofficeServerError)
    assert type(caught.value).__name__ == original.__name__  # tracebacks read the same


@pytest.mark.parametrize(
    "error",
    [
        InputValidationError([FieldIssue("phone", "must have 10 digits")]),
        DuplicateError("taken", field="email"),
        NotFoundError("no such employee"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_the_other_errors_keep_their_class(error: BackofficeError) -> None:
    assert type(reference_error(error)) in (InputValidationError, DuplicateError, NotFoundError)
    assert not isinstance(error, BackofficeServerError)


def test_permission_denied_is_reserved() -> None:
    assert "never raised" in (PermissionDeniedError.__doc__ or "")


# ---- methods whose meaning is the reference's


def test_modify_employee_names_and_phone_are_the_new_values(
    client: SonnysBackofficeClient, sandbox: Sandbox
) -> None:
    created = hire(client)
    result = client.modify_employee(
        pos_user_id=12345, first_name="Janet", last_name="Doe-Smith", phone="6155550000"
    )
    assert result.changes_applied == ("properties",)
    stored = sandbox.state.employees[created.employee_id]
    assert (stored.first_name, stored.last_name, stored.phone) == (
        "Janet",
        "Doe-Smith",
        "6155550000",
    )


def test_modify_employee_refuses_both_spellings_of_one_change(
    client: SonnysBackofficeClient,
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.modify_employee(pos_user_id=12345, first_name="A", new_first_name="B")
    assert caught.value.field == "new_first_name"


def test_modify_employee_keeps_our_other_arguments(
    client: SonnysBackofficeClient, sandbox: Sandbox
) -> None:
    created = hire(client)
    result = client.modify_employee(email="jane.doe@example.com", activate=False, verify=True)
    assert result.changes_applied == ("deactivated",)
    assert not sandbox.state.employees[created.employee_id].active


def test_list_permissions_returns_the_reference_s_permission(
    client: SonnysBackofficeClient,
) -> None:
    pos = client.list_permissions(scope="pos")
    backoffice = client.list_permissions(scope="backoffice")
    assert all(isinstance(p, Permission) for p in pos + backoffice)
    assert {p.scope for p in pos} == {"pos"}
    assert {p.scope for p in backoffice} == {"backoffice"}
    general = next(p for p in pos if p.name == "General User")
    assert general.grants
    assert general.tokens == ()
    manager = next(p for p in backoffice if p.name == "Manager")
    assert manager.tokens
    assert manager.grants == frozenset()
    with pytest.raises(ValidationError):
        client.list_permissions(scope="both")  # type: ignore[arg-type]


def test_disable_by_email_reports_the_real_pos_user_id(client: SonnysBackofficeClient) -> None:
    hire(client)
    disabled = client.disable_employee(email="jane.doe@example.com")
    assert disabled.pos_user_id == 12345  # the reference reported 0


def test_create_with_a_linked_user_applies_the_template(client: SonnysBackofficeClient) -> None:
    result = client.create_employee(
        first_name="Jane",
        last_name="Doe",
        phone="6155551234",
        email="jane.doe@example.com",
        pos_user_id=12345,
        wage_rate=15.5,
        start_date=datetime(2026, 5, 1),
        available_sites=["Wash 37135"],
        permission="General User",
        requires_backoffice=True,
        backoffice_username="janedoe",
    )
    assert result.warnings == ()
    user = client.get_backoffice_user(username="janedoe")
    assert user.permission == "General User"
    assert "pos_pin" not in repr(result).replace("pos_pin='***'", "")


def test_a_backoffice_user_result_has_the_reference_s_warnings(
    client: SonnysBackofficeClient, sandbox: Sandbox
) -> None:
    hire(client)
    result = client.create_backoffice_user(
        username="janedoe",
        email="jane.doe@example.com",
        permission="Manager",
        link_to_employee_pos_user_id="12345",
    )
    assert isinstance(result, compat.BackofficeUserCreated)
    assert isinstance(result, sonnys_async.BackofficeUserCreated)
    assert result.warnings == ()  # no "assign the template by hand" note: it is applied
    assert result.permission_applied == "Manager"
    assert "password='***'" in repr(result)
    assert result.password == sandbox.state.users[result.user_id].password


def test_the_migration_guide_names_every_compat_name() -> None:
    guide = (Path(__file__).parent.parent.parent / "docs" / "migration.md").read_text("utf-8")
    missing = [n for n in compat.__all__ if f"`{n}`" not in guide]
    assert missing == []
    block = guide.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "docs/migration.md", "exec"), {})
