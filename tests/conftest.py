"""Shared fixtures. HTML captures live in tests/fixtures (trimmed copies of ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_html(name: str) -> str:
    """A captured page (trimmed to <head> + #main-column) as text."""
    return (FIXTURES / "html" / name).read_text(encoding="utf-8")


def fixture_payload(name: str) -> Any:
    """A captured request/response record (JSON)."""
    return json.loads((FIXTURES / "payloads" / name).read_text(encoding="utf-8"))


@pytest.fixture
def html() -> Any:
    return fixture_html
