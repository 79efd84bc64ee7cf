"""Shared fixtures. HTML captures live in tests/fixtures (trimmed copies of ../shared)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


# Employee 485 as captured (employee_edit_485_before_write3.html): the record behind the §8.3
# browser disable, and the 17 keys the browser sent for it (no isActive, no isAvailable).
EMPLOYEE_485: dict[str, Any] = {
    "id": 485,
    "first_name": "WrapperExplore",
    "last_name": "DeleteMe-B2D8",
    "phone": "5555550002",
    "email": "wrapper-explore-B2D8@example.invalid",
    "department_ids": [3],
    "start_date": date(2026, 4, 13),
    "sites": {17, 18, 19},
    "pos_credential_id": 428,
    "pos_user_id": 99002,
    "pos_pin": 99998,
}
BROWSER_DISABLE_485: list[tuple[str, str]] = [
    ("employee[id]", "485"),
    ("posCredential[id]", "428"),
    ("employee[firstName]", "WrapperExplore"),
    ("employee[lastName]", "DeleteMe-B2D8"),
    ("employee[phone]", "5555550002"),
    ("employee[email]", "wrapper-explore-B2D8@example.invalid"),
    ("employee[departments][]", "3"),
    ("employee[startDate]", "04/13/2026"),
    ("employee[sites][17][siteId]", "17"),
    ("employee[sites][18][siteId]", "18"),
    ("employee[sites][19][siteId]", "19"),
    ("employee[disabledRegions][]", "2"),
    ("posCredential[POSLoginID]", "99002"),
    ("posCredential[POSLoginPassword]", "99998"),
    ("employee[emergencyContactName]", ""),
    ("employee[emergencyContactPhone]", ""),
    ("employee[adpEmployeeId]", ""),
]


def fixture_html(name: str) -> str:
    """A captured page (trimmed to <head> + #main-column) as text."""
    return (FIXTURES / "html" / name).read_text(encoding="utf-8")


def fixture_payload(name: str) -> Any:
    """A captured request/response record (JSON)."""
    return json.loads((FIXTURES / "payloads" / name).read_text(encoding="utf-8"))


@pytest.fixture
def html() -> Any:
    return fixture_html
