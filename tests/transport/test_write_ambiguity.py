"""Form POSTs are never retried blindly: a write of unknown fate raises AmbiguousWriteError."""

from __future__ import annotations

import httpx
import pytest
from transport_fakes import FakeBackoffice, make_transport, redirect

from sonnys_async._transport import AmbiguousWriteError
from sonnys_async.errors import ServerError, TransportError

# --------------------------------------------------------------------------- POST safety


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("drop"), httpx.ReadError("x")]
)
async def test_post_is_not_retried_after_sending(fake: FakeBackoffice, error: Exception) -> None:
    route = fake.router.post("/employee/insert").mock(side_effect=error)
    async with make_transport(fake) as t:
        with pytest.raises(AmbiguousWriteError) as info:
            await t.post_form("/employee/insert", [("employee[firstName]", "Ann")])
    assert route.call_count == 1
    assert isinstance(info.value, TransportError)
    assert info.value.method == "POST"
    assert info.value.url == "/employee/insert"
    assert info.value.__cause__ is error


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
)
async def test_post_error_before_sending_is_retried(fake: FakeBackoffice, error: Exception) -> None:
    route = fake.router.post("/employee/insert").mock(
        side_effect=[error, redirect("/employee/permissions/9")]
    )
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/insert", [("a", "1")])
    assert route.call_count == 2
    assert resp.status == 302
    assert resp.location == "/employee/permissions/9"


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_post_5xx_is_ambiguous_and_not_retried(fake: FakeBackoffice, status: int) -> None:
    # A proxy may answer 5xx after the application committed: the caller must settle it.
    route = fake.router.post("/employee/insert").mock(return_value=httpx.Response(status))
    async with make_transport(fake, sessions=2) as t:
        with pytest.raises(AmbiguousWriteError) as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert isinstance(info.value.__cause__, ServerError)
    assert info.value.__cause__.status == status
    assert info.value.session is not None
    assert route.call_count == 1


async def test_post_429_is_a_server_error_without_retry(fake: FakeBackoffice) -> None:
    route = fake.router.post("/employee/insert").mock(return_value=httpx.Response(429))
    async with make_transport(fake) as t:
        with pytest.raises(ServerError) as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert info.value.status == 429
    assert route.call_count == 1
