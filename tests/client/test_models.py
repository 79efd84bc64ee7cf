"""Input validation and secret hiding of the client's models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sonnys_async._secrets import generate_backoffice_password, generate_pos_pin
from sonnys_async.errors import InputValidationError
from sonnys_async.models import (
    BackofficeUserCreated,
    CreateBackofficeUserRequest,
    CreateEmployeeRequest,
    DisableEmployeeRequest,
    EmployeeCreated,
    EmployeeProfile,
    ModifyEmployeeRequest,
)


def _create(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "first_name": "Jane",
        "last_name": "Doe",
        "phone": "6155551234",
        "email": "jane@example.com",
        "pos_user_id": 50001,
        "wage_rate": Decimal("15.50"),
        "start_date": datetime(2026, 5, 1),
        "available_sites": ["Wash 37135"],
        "permission": "General User",
    }
    base.update(over)
    return base


def _fields(exc: pytest.ExceptionInfo[InputValidationError]) -> set[str]:
    return {i.field for i in exc.value.issues}


def test_create_request_normalises() -> None:
    r = CreateEmployeeRequest(**_create(first_name="  Jane ", phone="+1 (615) 555-1234"))
    assert r.first_name == "Jane"
    assert r.phone == "6155551234"
    assert r.start_date == date(2026, 5, 1)
    assert r.available_sites == ("Wash 37135",)
    assert r.effective_overtime_rate == Decimal("23.25")


@pytest.mark.parametrize(
    ("rate", "overtime"),
    [(14.75, Decimal("22.13")), (Decimal("15.1"), Decimal("22.65")), (10, Decimal("15.00"))],
)
def test_default_overtime_is_one_and_a_half_rounded_half_up(rate: Any, overtime: Decimal) -> None:
    assert CreateEmployeeRequest(**_create(wage_rate=rate)).effective_overtime_rate == overtime


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "615555123"),  # 9 digits: rejected (documented deviation)
        ("phone", "26155551234"),
        ("email", "not-an-email"),
        ("email", "a b@c.de"),
        ("pos_user_id", 0),
        ("pos_user_id", True),
        ("pos_pin", 9999),
        ("pos_pin", 100000),
        ("pos_pin", True),
        ("pos_pin", "12345"),
        ("first_name", "   "),
        ("last_name", "x" * 65),
        ("wage_rate", -1),
        ("wage_rate", "abc"),
        ("available_sites", []),
        ("permission", ""),
        ("unknown_field", 1),
    ],
)
def test_create_request_rejects_with_field_name(field: str, value: Any) -> None:
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest.model_validate(_create(**{field: value}))
    assert field in _fields(exc)


def test_errors_never_echo_secret_values() -> None:
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest(
            **_create(
                requires_backoffice=True, backoffice_username="janedoe", backoffice_password="S3cr!"
            )
        )
    assert _fields(exc) == {"backoffice_password"}
    text = str(exc.value) + repr(exc.value.issues)
    cause = exc.value.__cause__
    text += str(cause)
    assert "S3cr!" not in text


def test_backoffice_options_need_requires_backoffice() -> None:
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest(**_create(backoffice_username="janedoe"))
    assert _fields(exc) == {"requires_backoffice"}
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest(**_create(requires_backoffice=True))
    assert _fields(exc) == {"backoffice_username"}


def test_username_pattern() -> None:
    for bad in ("1abc", "ab", "jane doe", "jané"):
        with pytest.raises(InputValidationError):
            CreateBackofficeUserRequest(
                username=bad, email="a@b.co", permission="Manager", first_name="Ab", last_name="Cd"
            )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"pos_user_id": 1, "email": "a@b.co"},
        {"first_name": "Jane"},
        {"pos_user_id": 1, "phone": "6155551234"},
    ],
)
def test_disable_needs_exactly_one_lookup(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InputValidationError):
        DisableEmployeeRequest(**kwargs)


def test_disable_by_name_with_phone() -> None:
    r = DisableEmployeeRequest(first_name="Jane", last_name="Doe", phone="615-555-1234")
    assert r.phone == "6155551234"


def test_modify_needs_a_change_and_overtime_alone_counts() -> None:
    with pytest.raises(InputValidationError):
        ModifyEmployeeRequest(pos_user_id=5)
    with pytest.raises(InputValidationError) as exc:
        ModifyEmployeeRequest(pos_user_id=5, wage_effective_date=date(2026, 1, 1))
    assert "wage_effective_date" in _fields(exc)
    r = ModifyEmployeeRequest(pos_user_id=5, overtime_wage_rate=20)
    assert r.changes_compensation
    assert not r.changes_properties


def test_backoffice_user_modes() -> None:
    linked = CreateBackofficeUserRequest(
        username="janedoe", email="j@x.co", permission="Manager", link_to_employee_pos_user_id="42"
    )
    assert linked.linked
    assert linked.link_to_employee_pos_user_id == 42
    with pytest.raises(InputValidationError):
        CreateBackofficeUserRequest(username="janedoe", email="j@x.co", permission="Manager")
    with pytest.raises(InputValidationError) as exc:
        CreateBackofficeUserRequest(
            username="janedoe", permission="Manager", first_name="Jane", last_name="Doe"
        )
    assert _fields(exc) == {"email"}


def test_result_reprs_hide_secrets() -> None:
    created = EmployeeCreated(
        employee_id=1,
        pos_user_id=50001,
        pos_pin=48213,
        first_name="Jane",
        last_name="Doe",
        email="j@x.co",
        permission_applied="General User",
        sites_granted=("Wash 37135",),
        site_ids=frozenset({17}),
        departments=("Greeter",),
        wage_site="Wash 37135",
        wage_rate=Decimal("15.50"),
        overtime_wage_rate=Decimal("23.25"),
        backoffice_password="Zq9xYt3Lm0Pa",
    )
    for text in (repr(created), str(created), f"{created}"):
        assert "48213" not in text
        assert "Zq9xYt3Lm0Pa" not in text
        assert "pos_pin='***'" in text.replace(": ", "=")
    assert created.pos_pin == 48213
    user = BackofficeUserCreated(
        user_id=7,
        username="janedoe",
        password="Zq9xYt3Lm0Pa",
        email="j@x.co",
        permission_applied="Manager",
        sites_granted=(),
        site_ids="all",
    )
    assert "Zq9xYt3Lm0Pa" not in repr(user) + str(user)
    profile = EmployeeProfile(
        employee_id=1,
        pos_user_id=2,
        pos_pin=55555,
        first_name="a",
        last_name="b",
        email=None,
        phone=None,
        departments=(),
        available_sites="all",
        start_date=None,
        is_active=True,
    )
    assert "55555" not in repr(profile) + str(profile)


def test_results_are_frozen() -> None:
    user = BackofficeUserCreated(
        user_id=7,
        username="janedoe",
        password="Zq9xYt3Lm0Pa",
        email="j@x.co",
        permission_applied="Manager",
        sites_granted=(),
        site_ids="all",
    )
    with pytest.raises(Exception, match="frozen"):
        user.user_id = 8  # type: ignore[misc]


def test_generated_secrets() -> None:
    pins = {generate_pos_pin() for _ in range(500)}
    assert all(10000 <= p <= 99999 for p in pins)
    assert len(pins) > 400
    for _ in range(200):
        pw = generate_backoffice_password()
        assert len(pw) >= 12
        assert pw.isascii()
        assert pw.isalnum()
        assert any(c.isalpha() for c in pw)
        assert any(c.isdigit() for c in pw)
    with pytest.raises(ValueError, match="at least"):
        generate_backoffice_password(8)
