"""The client's wire transport over TLS, as every real tenant is served (``https://``).

A local HTTPS server with a certificate for 127.0.0.1 from an in-memory CA (trustme): the
transport verifies it against that CA, refuses it against the system's CAs before sending a
byte (``ConnectError``: nothing was sent, so even a POST may be tried again), and keeps the TLS
connection alive between requests as it does a plain one.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import httpx
import pytest
import trustme
from wire_server import RawServer, keep_alive

from sonnys_async._transport.wire import WireTransport


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def https_server(ca: trustme.CA) -> AsyncIterator[RawServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = await RawServer(keep_alive(b"over tls"), tls=context).start()
    yield server
    await server.stop()
    assert server.errors == []


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def test_a_verified_https_exchange_keeps_its_connection(
    https_server: RawServer, ca: trustme.CA
) -> None:
    async with httpx.AsyncClient(transport=WireTransport(verify=_trusting(ca))) as client:
        first = await client.get(https_server.url("/employee"))
        second = await client.post(https_server.url("/employee/create"), data={"a": "b c"})

    assert (first.status_code, first.text, second.text) == (200, "over tls", "over tls")
    assert https_server.accepted == 1
    assert [r.method for r in https_server.requests] == ["GET", "POST"]
    assert https_server.requests[1].body == b"a=b+c"


async def test_a_certificate_the_system_does_not_trust_is_refused_before_sending(
    https_server: RawServer,
) -> None:
    async with httpx.AsyncClient(transport=WireTransport()) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.post(https_server.url("/employee/create"), data={"a": "b"})

    assert https_server.requests == []


async def test_verification_can_be_turned_off(https_server: RawServer) -> None:
    async with httpx.AsyncClient(transport=WireTransport(verify=False)) as client:
        response = await client.get(https_server.url())

    assert response.text == "over tls"
