"""Input validation and secret hiding of the client's models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sonnys_async import models
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
    RosterEntry,
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


@pytest.mark.parametrize(
    "address",
    ["ann<script>@x.co", "s3cr3t-local@x_y.co", "an\u00a0n@x.co", "a@" + "q" * 70 + ".co"],
)
def test_email_messages_never_echo_the_address(address: str) -> None:
    # email-validator quotes the characters it refuses ("invalid characters: '<'"): ours never.
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest(**_create(email=address))
    [issue] = exc.value.issues
    assert issue.field == "email"
    assert issue.message.startswith(_EMAIL)
    for part in {address, *address.replace("@", " ").split()}:
        if len(part) > 2:
            assert part not in str(exc.value) + repr(exc.value.issues)
    assert "'" not in issue.message


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


# --------------------------------------------------------------------------------------------
# Each field rule, with its exact message, in every model that uses it.

_MODELS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "create": (CreateEmployeeRequest, _create()),
    "disable": (DisableEmployeeRequest, {"first_name": "Jane", "last_name": "Doe"}),
    "modify": (ModifyEmployeeRequest, {"pos_user_id": 5, "permission": "X", "wage_rate": 10}),
    "user": (
        CreateBackofficeUserRequest,
        {"username": "janedoe", "permission": "Manager", "link_to_employee_pos_user_id": 42},
    ),
}


def _build(model: str, **over: Any) -> Any:
    cls, base = _MODELS[model]
    return cls.model_validate({**base, **over})


def _issue_of(model: str, **over: Any) -> tuple[str, str]:
    with pytest.raises(InputValidationError) as exc:
        _build(model, **over)
    assert len(exc.value.issues) == 1, exc.value.issues
    issue = exc.value.issues[0]
    return issue.field, issue.message


_NAME_1_64 = "must be 1 to 64 characters after trimming"
_NOT_A_POS_ID = "must be an integer >= 1"
_BAD_USERNAME = "must start with a letter and have 3-64 letters, digits or _"
_EMAIL = "must be an e-mail address such as name@example.com"


@pytest.mark.parametrize(
    ("model", "field", "value", "message"),
    [
        ("create", "first_name", " ", _NAME_1_64),
        ("disable", "last_name", "x" * 65, _NAME_1_64),
        ("modify", "new_first_name", "", _NAME_1_64),
        ("user", "username", "ab", _BAD_USERNAME),
        ("create", "backoffice_username", "1abc", _BAD_USERNAME),
        ("create", "email", "a b@c.de", f"{_EMAIL} (characters not allowed before the @)"),
        ("disable", "email", "@b.co", f"{_EMAIL} (nothing before the @)"),
        ("modify", "new_email", "a@b", f"{_EMAIL} (the part after the @ needs a period)"),
        ("user", "link_to_employee_email", "nope", f"{_EMAIL} (it has no @)"),
        ("create", "email", "jane@", f"{_EMAIL} (nothing after the @)"),
        ("create", "email", "jane..doe@x.co", f"{_EMAIL} (a period out of place)"),
        ("create", "email", "jane@x_y.co", f"{_EMAIL} (characters not allowed after the @)"),
        (
            "create",
            "email",
            "jane@x.123",
            f"{_EMAIL} (the part after the @ does not end in a domain such as .com)",
        ),
        ("create", "email", "j" * 250 + "@x.co", f"{_EMAIL} (too long)"),
        ("create", "email", "Jane Doe <jane@x.co>", f"{_EMAIL} (no name or angle brackets)"),
        ("create", "email", 42, "must be text"),
        ("create", "pos_user_id", "4x", _NOT_A_POS_ID),
        ("disable", "pos_user_id", 0, _NOT_A_POS_ID),
        ("modify", "pos_user_id", 1.5, _NOT_A_POS_ID),
        ("user", "link_to_employee_pos_user_id", False, _NOT_A_POS_ID),
        ("create", "phone", "", "is required"),
        ("create", "phone", 6155551234, "must be a string"),
        ("create", "phone", "615555123", "must have 10 digits (got 9 digits)"),
        ("create", "emergency_contact_phone", "   ", "must have 10 digits (got 0 digits)"),
        ("disable", "phone", "26155551234", "must have 10 digits (got 11 digits)"),
        ("modify", "emergency_contact_phone", "123", "must have 10 digits (got 3 digits)"),
        ("modify", "new_phone", "", "cannot be empty"),
        ("create", "pos_pin", 12345.0, "must be a five-digit integer (10000-99999)"),
        ("create", "wage_rate", True, "must be a number, not a bool"),
        ("create", "wage_rate", "1000000000", "must be between 0 and 999999999.99"),
        ("create", "wage_rate", Decimal("1e12"), "must be between 0 and 999999999.99"),
        ("create", "overtime_wage_rate", Decimal("NaN"), "must be a finite number"),
        ("create", "wage_rate", "1e3", "must be a plain amount such as 15.50 (digits and a point)"),
        (
            "create",
            "wage_rate",
            "1,000",
            "must be a plain amount such as 15.50 (digits and a point)",
        ),
        (
            "create",
            "overtime_wage_rate",
            "NaN",
            "must be a plain amount such as 15.50 (digits and a point)",
        ),
        (
            "create",
            "pos_user_id",
            2_147_483_648,
            "must be at most 2147483647 (the server's largest)",
        ),
        (
            "create",
            "pos_user_id",
            "2147483648",
            "must be at most 2147483647 (the server's largest)",
        ),
        ("create", "start_date", date(1899, 12, 31), "must be between 01/01/1900 and 12/31/2099"),
        (
            "modify",
            "wage_effective_date",
            date(2100, 1, 1),
            "must be between 01/01/1900 and 12/31/2099",
        ),
        (
            "create",
            "first_name",
            "Ann\x00",
            "must not contain control or invisible characters (found U+0000)",
        ),
        (
            "create",
            "last_name",
            "Smith\nJones",
            "must not contain control or invisible characters (found U+000A)",
        ),
        (
            "create",
            "first_name",
            "\x1b[31mAnn",
            "must not contain control or invisible characters (found U+001B)",
        ),
        (
            "create",
            "last_name",
            "Ann\u202egnp.exe",
            "must not contain control or invisible characters (found U+202E)",
        ),
        (
            "modify",
            "new_first_name",
            "A\u200bnn",
            "must not contain control or invisible characters (found U+200B)",
        ),
        (
            "user",
            "first_name",
            "Bo\u2028b",
            "must not contain control or invisible characters (found U+2028)",
        ),
        (
            "create",
            "emergency_contact_name",
            "Ma\x07",
            "must not contain control or invisible characters (found U+0007)",
        ),
        (
            "create",
            "email",
            "ann\x00@example.com",
            "must not contain control or invisible characters (found U+0000)",
        ),
        ("modify", "wage_rate", [1], "must be a number"),
        ("create", "available_sites", None, 'is required ("all" or a list of sites)'),
        ("create", "available_sites", [" "], 'must name at least one site (or be "all")'),
        (
            "modify",
            "available_sites",
            1.5,
            'must be "all" or a list of site ids, names or short codes',
        ),
        ("user", "available_sites", [True], "site entries must be ids, names or short codes"),
        ("create", "departments", [], "must name at least one department"),
        ("modify", "departments", [None], "department entries must be names or ids"),
        ("create", "departments", 2.5, "must be a list of department names or ids"),
        ("create", "adp_employee_id", "x" * 33, "must be at most 32 characters"),
        ("modify", "adp_employee_id", "x" * 33, "must be at most 32 characters"),
        ("create", "emergency_contact_name", "x" * 101, "must be at most 100 characters"),
        ("create", "permission", " ", "must name a POS permission template"),
        ("user", "permission", "", "must name a Backoffice permission template"),
        ("user", "password", "abcd123!!!!!", "must contain at least 8 letters or digits"),
        ("user", "password", "abcd1234" + "!" * 121, "must be at most 128 characters"),
        ("create", "wage_site", True, "must be a site id, name or short code"),
    ],
)
def test_field_rule_messages(model: str, field: str, value: Any, message: str) -> None:
    assert _issue_of(model, **{field: value}) == (field, message)


def test_standalone_user_names_need_two_characters() -> None:
    base = {"link_to_employee_pos_user_id": None, "email": "j@x.co", "last_name": "Doe"}
    assert _issue_of("user", **base, first_name=" J ") == (
        "first_name",
        "must be 2 to 64 characters after trimming",
    )
    assert _build("user", **base, first_name=" Jo ").first_name == "Jo"


@pytest.mark.parametrize(
    ("model", "field", "value", "stored"),
    [
        ("create", "available_sites", " ALL ", "all"),
        ("create", "available_sites", 17, (17,)),
        ("create", "available_sites", [" a ", "a", 3, 3, ""], ("a", 3)),
        ("user", "available_sites", "Wash 37135", ("Wash 37135",)),
        ("create", "departments", "Greeter", ("Greeter",)),
        ("modify", "departments", [4, " Greeter ", 4], (4, "Greeter")),
        ("create", "wage_rate", 15.1, Decimal("15.10")),
        ("create", "wage_rate", "14.755", Decimal("14.76")),
        ("modify", "overtime_wage_rate", Decimal("-0.004"), Decimal("0.00")),
        ("create", "pos_user_id", " 42 ", 42),
        ("modify", "wage_effective_date", datetime(2026, 2, 3, 9), date(2026, 2, 3)),
        ("create", "emergency_contact_phone", "", None),
        ("disable", "phone", "", None),
        ("modify", "emergency_contact_phone", "  ", ""),  # blank clears the stored number
        ("create", "adp_employee_id", "  ", None),
        ("modify", "adp_employee_id", "  ", ""),
        ("create", "emergency_contact_name", " ", None),
        ("modify", "emergency_contact_name", "", ""),
        ("create", "wage_site", "  ", None),
        ("create", "wage_site", " Wash 37135 ", "Wash 37135"),
        ("create", "email", " jane@example.com ", "jane@example.com"),
        ("create", "email", "Jane.Doe@Example.COM", "Jane.Doe@Example.COM"),  # as given
        # Reserved names (RFC 6761): the sandbox's and pseudonymised data's addresses.
        ("create", "email", "ann.lee@example.invalid", "ann.lee@example.invalid"),
        ("modify", "new_email", "qa@wash.test", "qa@wash.test"),
        ("create", "email", "zoë@bücher.example", "zoë@bücher.example"),
    ],
)
def test_field_rule_normalises(model: str, field: str, value: Any, stored: Any) -> None:
    assert getattr(_build(model, **{field: value}), field) == stored


def test_secret_inputs_stay_out_of_reprs() -> None:
    hire = _build(
        "create",
        pos_pin=48213,
        requires_backoffice=True,
        backoffice_username="janedoe",
        backoffice_password="Zq9xYt3Lm0Pa",
    )
    user = _build("user", password="Zq9xYt3Lm0Pa")
    text = repr(hire) + str(hire) + repr(user) + str(user)
    assert "48213" not in text
    assert "Zq9xYt3Lm0Pa" not in text
    assert hire.pos_pin == 48213
    assert user.password == "Zq9xYt3Lm0Pa"


@pytest.mark.parametrize(
    ("model", "field", "value", "message"),
    [
        # The same rule for the same field in create and modify.
        ("modify", "emergency_contact_name", "x" * 101, "must be at most 100 characters"),
        ("modify", "permission", "", "must name a POS permission template"),
        ("modify", "permission", "  ", "must name a POS permission template"),
        ("modify", "wage_site", True, "must be a site id, name or short code"),
        ("create", "pos_user_id", "²", _NOT_A_POS_ID),
        ("modify", "pos_user_id", " ٣ ", _NOT_A_POS_ID),
        ("user", "link_to_employee_pos_user_id", "¹", _NOT_A_POS_ID),
    ],
)
def test_create_and_modify_share_field_rules(
    model: str, field: str, value: Any, message: str
) -> None:
    assert _issue_of(model, **{field: value}) == (field, message)


def test_modify_trims_wage_site_and_keeps_blank_clears() -> None:
    assert _build("modify", wage_site=" Wash 37135 ").wage_site == "Wash 37135"
    assert _build("modify", wage_site="  ").wage_site is None
    assert _build("modify", emergency_contact_name="  ").emergency_contact_name == ""
    assert _build("modify", adp_employee_id="").adp_employee_id == ""


def test_the_models_package_exports_every_name_from_one_place() -> None:
    assert models.__all__ == sorted(models.__all__)
    assert [n for n in models.__all__ if not hasattr(models, n)] == []
    for name in ("CreateEmployeeRequest", "EmployeeCreated", "PersonName", "default_overtime"):
        assert hasattr(models, name)


@pytest.mark.parametrize(
    ("model", "field", "value", "message"),
    [
        # pydantic's "Input should be a valid date or datetime, input is too short".
        ("create", "start_date", "5/1", "must be a date (YYYY-MM-DD)"),
        ("create", "start_date", "2026-13-45", "must be a date (YYYY-MM-DD)"),
        ("modify", "wage_effective_date", 20260101.5, "must be a date without a time of day"),
        ("create", "first_name", 5, "must be text"),
        ("create", "verify", "maybe", "must be true or false"),
        ("create", "requires_backoffice", [], "must be true or false"),
        ("create", "wage_rate", [1], "must be a number"),
        ("create", "unknown_field", 1, "is not a field this takes"),
    ],
)
def test_pydantic_messages_are_worded_as_ours(
    model: str, field: str, value: Any, message: str
) -> None:
    assert _issue_of(model, **{field: value}) == (field, message)


def test_a_choice_names_the_choices() -> None:
    with pytest.raises(InputValidationError) as exc:
        RosterEntry(first_name="Ann", last_name="Lee", phone="6155550100", status="gone")
    assert [(i.field, i.message) for i in exc.value.issues] == [
        ("status", "must be 'active' or 'terminated'")
    ]


def test_a_missing_field_is_required_in_our_words() -> None:
    data = _create()
    del data["first_name"]
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest.model_validate(data)
    assert [(i.field, i.message) for i in exc.value.issues] == [("first_name", "is required")]


def test_no_pydantic_wording_reaches_users() -> None:
    bad = {
        "first_name": 5,
        "phone": None,
        "start_date": "tomorrow",
        "pos_pin": "x",
        "verify": 3.5,
        "available_sites": 2.5,
        "departments": {},
        "stray": 1,
    }
    with pytest.raises(InputValidationError) as exc:
        CreateEmployeeRequest.model_validate(_create(**bad))
    for issue in exc.value.issues:
        assert not issue.message.startswith(("Input should", "Field required", "Extra inputs"))
        assert issue.message[0].islower(), issue
