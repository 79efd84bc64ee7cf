"""What the client sees of sandbox choices that model "failures that look like success" (§16.5).

The client's own suites live in ``tests/client``; these tests pin the sandbox side of the
contract: with the default options a wage record that does not start after the latest one is
answered like a success and only the client's read-back can notice (``WriteNotVerifiedError``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.errors import FormRejectedError, WriteNotVerifiedError
from sonnys_async.sandbox import Sandbox, SandboxOptions


class _BackdateWage(httpx.AsyncBaseTransport):
    """Rewrites ``wage[effectiveDate]`` of compensation POSTs to a date before the latest record.

    The client clamps the date to the page's minimum, so the only way to make it send a
    not-after date is to change the body on the wire (as a stale page or a concurrent save
    would).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, date_text: str) -> None:
        self.inner = inner
        self.date_text = date_text

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/employee/compensation/update":
            pairs = parse_qsl((await request.aread()).decode(), keep_blank_values=True)
            pairs = [(k, self.date_text if k == "wage[effectiveDate]" else v) for k, v in pairs]
            content = urlencode(pairs).encode()
            headers = dict(request.headers)
            headers["content-length"] = str(len(content))
            request = httpx.Request(request.method, request.url, headers=headers, content=content)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _client(sb: Sandbox) -> AsyncBackofficeClient:
    return AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=_BackdateWage(sb.transport(), "01/01/2025"),
        retry=RetryPolicy.no_wait(),
    )


def _sandbox(**kw: Any) -> tuple[Sandbox, int, int]:
    sb = Sandbox(SandboxOptions(employees=10, bo_users=2, today=date(2026, 4, 13), **kw))
    emp = sb.state.add_employee(sites={1, 2}, start_date=date(2025, 1, 1), pos_user_id=88001)
    return sb, emp.id, emp.pos_user_id


async def test_silently_dropped_wage_is_caught_by_the_read_back() -> None:
    sb, eid, pos = _sandbox()
    before = list(sb.state.employees[eid].wages)
    async with _client(sb) as client:
        with pytest.raises(WriteNotVerifiedError):
            await client.modify_employee(pos_user_id=pos, wage_rate=Decimal("21.00"))
    assert sb.state.employees[eid].wages == before


async def test_bounce_switch_surfaces_as_form_rejected() -> None:
    sb, eid, pos = _sandbox(reject_wage_not_after_latest=True)
    async with _client(sb) as client:
        with pytest.raises(FormRejectedError):
            await client.modify_employee(pos_user_id=pos, wage_rate=Decimal("21.00"))
    assert len(sb.state.employees[eid].wages) == 1
