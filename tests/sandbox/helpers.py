"""Helpers shared by the sandbox tests (plain httpx against the in-process transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.sandbox import Sandbox, SandboxOptions

FORM_CT = {"content-type": "application/x-www-form-urlencoded"}


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
