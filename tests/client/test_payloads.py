"""The client's request bodies equal the captured ones the live server accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sonnys_async.core import pages
from sonnys_async.core import payloads as P
from sonnys_async.domain import BoTemplate, PosPermission, PosTemplate
from sonnys_async.errors import DuplicateError, FormRejectedError, NotFoundError
from tests.conftest import fixture_html, fixture_payload


def _pairs(record: dict) -> list[tuple[str, str]]:
    return [(f["name"], f["value"]) for f in record["fields"]]


def test_insert_body_equals_the_verified_capture() -> None:
    page = pages.parse_employee_create(fixture_html("employee_create.html"))
    deps = P.resolve_departments(page.departments, ["greeter"])
    body = P.employee_insert_pairs(
        tree=page.tree,
        first_name="WrapperExplore",
        last_name="DeleteMe-B2D8",
        phone="5555550002",
        email="wrapper-explore-B2D8@example.invalid",
        start_date=date(2026, 4, 13),
        pos_user_id=99002,
        pos_pin=99998,
        wage_rate=Decimal("1"),
        overtime_rate=Decimal("1.5"),
        wage_site_id=17,
        departments=deps,
        selection=frozenset({17, 18, 19}),
        adp_employee_id=None,
        emergency_contact_name=None,
        emergency_contact_phone=None,
    )
    captured = _pairs(fixture_payload("allowed_employee_insert_v2_request.json"))
    assert sorted(body) == sorted(captured)
    assert body[:12] == captured[:12]


def test_pos_matrix_is_full_and_presence_only() -> None:
    catalogue = [PosPermission(i, f"L{i}", f"D{i}") for i in (3, 1, 2)]
    template = PosTemplate(6, "Shift Leader", frozenset({2, 3}), frozenset({3}))
    body = P.pos_matrix_pairs(485, template, catalogue)
    assert body[:3] == [
        ("employeeId", "485"),
        ("templateId", "6"),
        ("hasActionApprovalAuthority", "0"),
    ]
    keys = [k for k, _ in body]
    assert keys.count("permissions[1][id]") == 1
    assert "permissions[1][hasGrantAccess]" not in keys
    assert ("permissions[2][hasGrantAccess]", "1") in body
    assert ("permissions[3][requiresOverride]", "1") in body
    assert "permissions[2][requiresOverride]" not in keys
    # ascending ids
    ids = [v for k, v in body if k.endswith("[id]")]
    assert ids == ["1", "2", "3"]
    manager = PosTemplate(1, "Manager", frozenset({1, 2, 3}))
    assert ("hasActionApprovalAuthority", "1") in P.pos_matrix_pairs(1, manager, catalogue)


def test_template_resolution_is_case_insensitive_and_lists_names() -> None:
    templates = [
        PosTemplate(3, "General User", frozenset({22})),
        PosTemplate(8, "CSA", frozenset()),
    ]
    assert P.resolve_pos_template(templates, "  general   USER ").id == 3
    with pytest.raises(NotFoundError, match="CSA, General User"):
        P.resolve_pos_template(templates, "Administrator")
    bo = [BoTemplate(1, "Administrator", ("user.all",))]
    assert P.resolve_bo_template(bo, "administrator").id == 1
    with pytest.raises(NotFoundError, match="Administrator"):
        P.resolve_bo_template(bo, "Boss")


def test_standalone_user_body_omits_the_onsite_flag() -> None:
    body = P.user_insert_pairs(
        username="dm1",
        password="pw",
        email="a@b.co",
        employee_id=None,
        first_name="A",
        last_name="B",
    )
    assert "employee[isOnSiteEmployee]" not in [k for k, _ in body]
    linked = P.user_insert_pairs(username="dm1", password="pw", email="a@b.co", employee_id=488)
    assert linked[:2] == [("employee[isOnSiteEmployee]", "1"), ("user[employeeId]", "488")]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("That POS user ID is already in use!", "pos_user_id"),
        ("That email address is already in use.", "email"),
        ("That phone number is already in use.", "phone"),
        ("That username is already in use.", "username"),
    ],
)
def test_duplicate_messages_map_to_duplicate_error(message: str, field: str) -> None:
    err = P.rejection_error("insert", "/employee/create?actionXfer=x", [message])
    assert isinstance(err, DuplicateError)
    assert err.field == field


def test_other_messages_are_form_rejections() -> None:
    err = P.rejection_error("update", "/x", ["Start Date must be a valid date."])
    assert isinstance(err, FormRejectedError)
    assert err.messages == ("Start Date must be a valid date.",)
