"""Helpers shared by the sandbox tests (plain httpx against the in-process transport)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from conftest import EMPLOYEE_485
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.domain import ALL
from sonnys_async.sandbox import Sandbox, SandboxOptions

FORM_CT = {"content-type": "application/x-www-form-urlencoded"}
#: A failed form POST's redirect target ends with the flash token (§2.4).
XFER_RE = re.compile(r"[?&]actionXfer=[A-Za-z0-9]{8}$")


def make_sandbox(**kw: Any) -> Sandbox:
    """A small, fast sandbox with a fixed 'today' (the captures' date)."""
    kw.setdefault("employees", 30)
    kw.setdefault("bo_users", 8)
    kw.setdefault("today", date(2026, 4, 13))
    return Sandbox(SandboxOptions(**kw))


async def login(sb: Sandbox) -> httpx.AsyncClient:
    """An AsyncClient logged in as the bot (the caller closes it)."""
    client = sb.client()
    await client.get("/login")
    r = await client.post(
        "/login_check",
        content=urlencode({"_username": sb.username, "_password": sb.password}),
        headers=FORM_CT,
    )
    assert r.status_code == 302
    assert r.headers["location"] == "/"
    return client


async def post(
    client: httpx.AsyncClient, path: str, pairs: list[tuple[str, str]]
) -> httpx.Response:
    """POST an ordered pair list, urlencoded, without following redirects."""
    return await client.post(path, content=urlencode(pairs), headers=FORM_CT)


@asynccontextmanager
async def logged_in(sb: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """``async with logged_in(sb) as client``: a bot session, closed afterwards."""
    client = await login(sb)
    try:
        yield client
    finally:
        await client.aclose()


def payload_pairs(record: Any) -> list[tuple[str, str]]:
    """The ordered pairs of a captured request record (``fields`` or ``post_data``)."""
    if isinstance(record, list):
        record = record[0]
    if "fields" in record:
        return [(f["name"], f["value"]) for f in record["fields"]]
    return parse_qsl(record["post_data"], keep_blank_values=True)


def alerts(html: str) -> tuple[str, list[str]]:
    """(kind, messages) of the server alert block; kind is '' when empty."""
    tree = LexborHTMLParser(html)
    box = tree.css_first("div.alerts.alerts-server")
    assert box is not None
    alert = box.css_first("div.alert")
    if alert is None:
        return "", []
    kind = "danger" if "alert-danger" in (alert.attributes.get("class") or "") else "success"
    items = alert.css("li") or alert.css("p")
    return kind, [i.text(deep=True) for i in items]


def controls(html: str, form_selector: str) -> list[dict[str, Any]]:
    """Named controls of a form in document order: name, tag/type, value, checked, disabled."""
    tree = LexborHTMLParser(html)
    form = tree.css_first(form_selector)
    assert form is not None, form_selector
    out = []
    for el in form.css("input, select, textarea"):
        name = el.attributes.get("name")
        if not name:
            continue
        typ = el.attributes.get("type") or el.tag if el.tag == "input" else el.tag
        out.append(
            {
                "name": name,
                "type": typ,
                "value": el.attributes.get("value"),
                "checked": "checked" in el.attributes,
                "disabled": "disabled" in el.attributes,
            }
        )
    return out


def option_values(html: str, selector: str) -> list[tuple[str | None, str]]:
    """(value, text) of a select's options."""
    tree = LexborHTMLParser(html)
    sel = tree.css_first(selector)
    assert sel is not None, selector
    return [(o.attributes.get("value"), o.text(strip=True)) for o in sel.css("option")]


def classes(html: str, selector: str) -> list[str]:
    """The class attribute of every node matching ``selector``."""
    return [n.attributes.get("class") or "" for n in LexborHTMLParser(html).css(selector)]


def seed_capture_records(sb: Sandbox) -> None:
    """Store records carrying the ids and (fake) names of the captures."""
    sb.state.add_employee(**EMPLOYEE_485)
    sb.state.add_employee(
        id=54, first_name="morris", last_name="stockton", sites={1}, start_date=date(2024, 9, 2)
    )
    sb.state.add_employee(id=487, first_name="WrapperExplore", last_name="DeleteMe-F8A1")
    sb.state.add_user(
        id=3312102,
        employee_id=None,
        first_name="WrapperExplore",
        last_name="DeleteMe-J2K7",
        username="wrapperJ2K7bo",
    )
    sb.state.add_user(id=2944451, username="allregions", sites=ALL)
    sb.state.add_user(
        id=3312060,
        employee_id=487,
        first_name="WrapperExplore",
        last_name="DeleteMe-F8A1",
        email="wrapper-explore-F8A1@example.invalid",
        username="wrapperF8A1bo",
        is_deleted=True,
    )


def insert_body(pos_id: str, first: str = "New") -> list[tuple[str, str]]:
    """A valid ``/employee/insert`` body (site 17, Greeter, 12.00/h) with that POS User ID."""
    return [
        ("employee[firstName]", first),
        ("employee[lastName]", "Person"),
        ("employee[startDate]", "04/13/2026"),
        ("posCredential[POSLoginID]", pos_id),
        ("posCredential[POSLoginPassword]", "1234"),
        ("wage[regularRate]", "12.00"),
        ("employee[departments][]", "3"),
        ("employee[sites][17][siteId]", "17"),
    ]
