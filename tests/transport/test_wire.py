"""``WireTransport`` (issue 11) against a raw HTTP/1.1 server on 127.0.0.1.

What goes on the wire and what comes back, keep-alive reuse and every reason a connection must
not be reused, and the httpx exception each failure maps to (the retry rules and the "was it
sent?" rules of ``errors`` depend on those classes). The server is ``wire_server.RawServer``:
each test scripts its connections byte by byte and reads back what the server saw.
"""

from __future__ import annotations

import asyncio
import gzip
import select
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpcore
import httpx
import pytest
import respx
from wire_server import RawServer, Script, ServerConnection, answer, keep_alive

from sonnys_async._transport import wire
from sonnys_async._transport.pool import new_client
from sonnys_async._transport.wire import WireTransport

Serve = Callable[[Script], Awaitable[RawServer]]

#: Every request carries timeouts, so that a hang fails the test instead of stalling the run.
TIMEOUTS = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}
#: Upper bound on waits for an event the server must see (never reached when things work).
WAIT = 5.0


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[RawServer] = []

    async def start(script: Script) -> RawServer:
        server = await RawServer(script).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()
    for server in servers:
        assert server.errors == []


@pytest.fixture
async def transport() -> AsyncIterator[WireTransport]:
    transport = WireTransport()
    yield transport
    await transport.aclose()
    for _ in range(3):  # let the closed connections' callbacks run before the loop ends
        await asyncio.sleep(0)


def request(
    method: str,
    url: str,
    *,
    timeouts: dict[str, float] | None = None,
    data: dict[str, str] | None = None,
    content: bytes | AsyncIterator[bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    return httpx.Request(
        method,
        url,
        data=data,
        content=content,
        headers=headers,
        extensions={"timeout": timeouts or TIMEOUTS},
    )


async def fetch(transport: httpx.AsyncBaseTransport, req: httpx.Request) -> httpx.Response:
    """Send ``req`` and read the whole answer (which closes the response)."""
    response = await transport.handle_async_request(req)
    await response.aread()
    return response


async def wait(event: asyncio.Event) -> None:
    async with asyncio.timeout(WAIT):
        await event.wait()


async def loop_turns(n: int = 10) -> None:
    """Let the event loop run ``n`` times (callbacks already due, e.g. an EOF seen by select)."""
    for _ in range(n):
        await asyncio.sleep(0)


def by_connection(*scripts: Script) -> Script:
    """Connection ``i`` runs ``scripts[i]`` (the last one for every later connection)."""

    async def script(conn: ServerConnection) -> None:
        await scripts[min(conn.index, len(scripts) - 1)](conn)

    return script


async def answer_once_then(conn: ServerConnection, data: bytes) -> None:
    assert await conn.read_request() is not None
    await conn.send(data)


# --------------------------------------------------------------------------- requests and answers


async def test_a_get_goes_out_with_its_request_line_and_host_and_its_answer_comes_back_whole(
    serve: Serve, transport: WireTransport
) -> None:
    async def script(conn: ServerConnection) -> None:
        await answer_once_then(
            conn,
            answer(
                201,
                b"hello",
                [
                    ("X-Custom-Header", "Value"),
                    ("content-type", "text/plain; charset=utf-8"),
                    ("Set-Cookie", "a=1"),
                    ("Set-Cookie", "b=2"),
                ],
                reason="Created Thing",
            ),
        )
        await conn.wait_eof()

    server = await serve(script)
    response = await fetch(
        transport, request("GET", server.url("/a/b?q=1&r=x%20y"), headers={"X-Token": "abc"})
    )

    (seen,) = server.requests
    assert (seen.method, seen.target, seen.version) == ("GET", "/a/b?q=1&r=x%20y", "HTTP/1.1")
    assert seen.header_values("host") == [f"127.0.0.1:{server.port}"]
    assert ("X-Token", "abc") in seen.headers
    assert seen.header("content-length") is None
    assert seen.header("transfer-encoding") is None
    assert seen.body == b""

    assert response.status_code == 201
    assert response.reason_phrase == "Created Thing"
    assert response.http_version == "HTTP/1.1"
    assert response.headers["x-custom-header"] == "Value"
    assert response.headers["X-CUSTOM-HEADER"] == "Value"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert (b"X-Custom-Header", b"Value") in response.headers.raw  # the server's spelling kept
    assert response.content == b"hello"
    assert response.text == "hello"


async def test_a_form_post_sends_its_encoded_body_with_its_content_length(
    serve: Serve, transport: WireTransport
) -> None:
    async def script(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"saved", [("Content-Type", "text/html")]))
        await conn.wait_eof()

    server = await serve(script)
    response = await fetch(
        transport,
        request("POST", server.url("/employee/update"), data={"a": "1", "b": "x y&z=é"}),
    )

    (seen,) = server.requests
    body = b"a=1&b=x+y%26z%3D%C3%A9"
    assert (seen.method, seen.target) == ("POST", "/employee/update")
    assert seen.header("Host") == f"127.0.0.1:{server.port}"
    assert seen.header("content-type") == "application/x-www-form-urlencoded"
    assert seen.header("content-length") == str(len(body))
    assert not seen.chunked
    assert seen.body == body
    assert response.status_code == 200
    assert response.reason_phrase == "OK"
    assert response.text == "saved"


async def test_an_httpx_client_sends_through_it(serve: Serve) -> None:
    server = await serve(keep_alive(b"pong", [("Content-Type", "text/plain")]))
    async with httpx.AsyncClient(transport=WireTransport(), timeout=5.0) as client:
        got = await client.get(server.url("/ping"), params={"n": "1"})
        posted = await client.post(server.url("/form"), data={"k": "v w"})

    assert (got.status_code, got.text) == (200, "pong")
    assert (posted.status_code, posted.text) == (200, "pong")
    assert [(r.method, r.target, r.body) for r in server.requests] == [
        ("GET", "/ping?n=1", b""),
        ("POST", "/form", b"k=v+w"),
    ]
    assert server.requests[1].header("content-length") == "5"
    assert server.accepted == 1
    await wait(server.connections[0].saw_eof)  # closing the client closed its connection


async def test_a_streamed_request_body_goes_out_chunked(
    serve: Serve, transport: WireTransport
) -> None:
    parts = [b"first,", b"", b"second,", b"x" * 100_000]

    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    server = await serve(keep_alive())
    response = await fetch(transport, request("POST", server.url("/upload"), content=body()))

    (seen,) = server.requests
    assert response.status_code == 200
    assert seen.chunked
    assert seen.header("content-length") is None
    assert seen.body == b"".join(parts)


async def test_a_large_request_body_is_sent_whole(serve: Serve, transport: WireTransport) -> None:
    payload = bytes(range(256)) * (2 * 1024 * 1024 // 256)
    server = await serve(keep_alive())
    response = await fetch(transport, request("POST", server.url("/big"), content=payload))

    (seen,) = server.requests
    assert response.status_code == 200
    assert seen.header("content-length") == str(len(payload))
    assert seen.body == payload


# --------------------------------------------------------------------------- keep-alive reuse


async def test_sequential_requests_share_one_keep_alive_connection(
    serve: Serve, transport: WireTransport
) -> None:
    server = await serve(keep_alive())
    for method in ("GET", "POST", "GET"):
        response = await fetch(
            transport, request(method, server.url(), data={"a": "b"} if method == "POST" else None)
        )
        assert response.status_code == 200

    assert server.accepted == 1
    assert [r.connection for r in server.requests] == [0, 0, 0]


async def test_answers_without_a_body_leave_the_connection_reusable(
    serve: Serve, transport: WireTransport
) -> None:
    async def script(conn: ServerConnection) -> None:
        # A HEAD answer announces a length it does not send; 204 and 304 carry no body.
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n")
        await keep_alive(b"last")(conn)

    server = await serve(script)
    head = await fetch(transport, request("HEAD", server.url()))
    no_content = await fetch(transport, request("GET", server.url()))
    not_modified = await fetch(transport, request("GET", server.url()))
    last = await fetch(transport, request("GET", server.url()))

    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", "1234")
    assert (no_content.status_code, no_content.content) == (204, b"")
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert last.content == b"last"
    assert server.accepted == 1


async def test_concurrent_requests_get_their_own_connections_then_reuse_them(
    serve: Serve, transport: WireTransport
) -> None:
    both_arrived = asyncio.Event()

    async def script(conn: ServerConnection) -> None:
        seen = await conn.read_request()
        assert seen is not None
        if len(conn.server.requests) == 2:
            both_arrived.set()
        await both_arrived.wait()  # neither is answered before both are on the wire
        await conn.send(answer(200, seen.target.encode()))
        await keep_alive()(conn)

    server = await serve(script)
    first, second = await asyncio.gather(
        fetch(transport, request("GET", server.url("/1"))),
        fetch(transport, request("GET", server.url("/2"))),
    )
    third = await fetch(transport, request("GET", server.url("/3")))

    assert (first.content, second.content, third.content) == (b"/1", b"/2", b"ok")
    assert server.accepted == 2
    assert server.requests[2].connection in (0, 1)


async def test_an_idle_connection_past_its_keep_alive_expiry_is_closed_not_reused(
    serve: Serve, transport: WireTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = await serve(keep_alive())
    await fetch(transport, request("GET", server.url()))
    monkeypatch.setattr(wire, "KEEPALIVE_EXPIRY", -1.0)  # every idle connection has expired
    await fetch(transport, request("GET", server.url()))

    assert server.accepted == 2
    await wait(server.connections[0].saw_eof)


async def test_idle_connections_beyond_the_limit_are_closed(
    serve: Serve, transport: WireTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "MAX_IDLE", 1)
    both_arrived = asyncio.Event()

    async def script(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        if len(conn.server.requests) == 2:
            both_arrived.set()
        await both_arrived.wait()
        await conn.send(answer(200, b"ok"))
        await keep_alive()(conn)

    server = await serve(script)
    await asyncio.gather(
        fetch(transport, request("GET", server.url())),
        fetch(transport, request("GET", server.url())),
    )
    # One of the two is closed: only one may stay idle.
    waiters = [asyncio.create_task(c.saw_eof.wait()) for c in server.connections]
    try:
        done, _ = await asyncio.wait(waiters, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    assert len(done) == 1
    (kept,) = [c for c in server.connections if not c.saw_eof.is_set()]
    await fetch(transport, request("GET", server.url()))

    assert server.accepted == 2
    assert server.requests[2].connection == kept.index


# --------------------------------------------------------------------------- body framing


async def test_a_chunked_answer_is_decoded_and_its_connection_reused(
    serve: Serve, transport: WireTransport
) -> None:
    async def script(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await conn.send(b"6;ext=1\r\n world\r\n")
        await conn.send(b"0\r\nX-Trailer: t\r\n\r\n")
        await keep_alive(b"next")(conn)

    server = await serve(script)
    response = await fetch(transport, request("GET", server.url()))
    following = await fetch(transport, request("GET", server.url()))

    assert response.content == b"hello world"
    assert following.content == b"next"
    assert server.accepted == 1


async def test_a_gzip_answer_is_decoded_by_httpx(serve: Serve, transport: WireTransport) -> None:
    text = "Résumé, encoded. " * 200
    compressed = gzip.compress(text.encode())
    server = await serve(
        keep_alive(
            compressed,
            [("Content-Encoding", "gzip"), ("Content-Type", "text/plain; charset=utf-8")],
        )
    )
    response = await fetch(transport, request("GET", server.url()))

    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-length"] == str(len(compressed))
    assert response.text == text


async def test_an_answer_read_until_close_is_read_whole_and_its_connection_not_reused(
    serve: Serve, transport: WireTransport
) -> None:
    async def until_close(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst part, ")
        await conn.send(b"second part")
        await conn.close()

    server = await serve(by_connection(until_close, keep_alive(b"fresh")))
    response = await fetch(transport, request("GET", server.url()))
    following = await fetch(transport, request("POST", server.url(), data={"a": "b"}))

    assert response.content == b"first part, second part"
    assert "content-length" not in response.headers
    assert following.content == b"fresh"
    assert server.accepted == 2
    assert [r.connection for r in server.requests] == [0, 1]


async def test_an_http10_answer_does_not_keep_its_connection(
    serve: Serve, transport: WireTransport
) -> None:
    async def http10(conn: ServerConnection) -> None:
        await answer_once_then(conn, b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold")
        await conn.wait_eof()

    server = await serve(by_connection(http10, keep_alive(b"new")))
    old = await fetch(transport, request("GET", server.url()))
    new = await fetch(transport, request("GET", server.url()))

    assert (old.http_version, old.content) == ("HTTP/1.0", b"old")
    assert new.content == b"new"
    assert server.accepted == 2
    await wait(server.connections[0].saw_eof)


async def test_a_large_answer_streams_whole_through_flow_control(
    serve: Serve, transport: WireTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small water marks make sure reading is paused and resumed many times over.
    monkeypatch.setattr(wire, "_HIGH_WATER", 16 * 1024)
    monkeypatch.setattr(wire, "_LOW_WATER", 4 * 1024)
    unread: list[int] = []
    paused: list[bool] = []
    received_by_protocol = wire._Connection.data_received

    def spy(self: wire._Connection, data: bytes) -> None:
        received_by_protocol(self, data)
        unread.append(self._unread)
        paused.append(self._paused)

    monkeypatch.setattr(wire._Connection, "data_received", spy)
    payload = bytes(range(251)) * (2 * 1024 * 1024 // 251)
    server = await serve(keep_alive(payload))

    response = await transport.handle_async_request(request("GET", server.url()))
    await loop_turns(50)  # let the answer pile up unread past the high-water mark
    received = bytearray()
    async for chunk in response.aiter_raw():
        received += chunk
        await asyncio.sleep(0)  # a slow reader
    following = await fetch(transport, request("GET", server.url()))

    assert len(received) == len(payload)
    assert received == payload
    assert following.content == payload
    assert server.accepted == 1
    assert any(paused)  # reading was paused past the high-water mark...
    assert max(unread) < 512 * 1024  # ...so unread bytes stayed bounded, not the whole 2 MB


async def test_informational_answers_before_the_final_one_are_skipped(
    serve: Serve, transport: WireTransport
) -> None:
    async def script(conn: ServerConnection) -> None:
        await answer_once_then(
            conn,
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
        )
        await conn.send(answer(200, b"final", [("X-Final", "yes")]))
        await keep_alive()(conn)

    server = await serve(script)
    response = await fetch(transport, request("POST", server.url(), data={"a": "b"}))
    following = await fetch(transport, request("GET", server.url()))

    assert response.status_code == 200
    assert response.content == b"final"
    assert response.headers["x-final"] == "yes"
    assert "link" not in response.headers
    assert following.content == b"ok"
    assert server.accepted == 1


# --------------------------------------------------------------------------- connections not reused


async def test_a_connection_close_answer_is_not_reused_even_if_the_server_keeps_it_open(
    serve: Serve, transport: WireTransport
) -> None:
    async def closing(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"bye", [("Connection", "close")]))
        await conn.wait_eof()  # the server leaves it to the client to close

    server = await serve(by_connection(closing, keep_alive(b"fresh")))
    response = await fetch(transport, request("GET", server.url()))
    following = await fetch(transport, request("GET", server.url()))

    assert response.content == b"bye"
    assert following.content == b"fresh"
    assert server.accepted == 2
    await wait(server.connections[0].saw_eof)


async def test_a_post_after_the_server_closed_the_idle_connection_goes_on_a_new_one(
    serve: Serve, transport: WireTransport
) -> None:
    async def serve_once_then_close(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"first"))
        await conn.close()

    server = await serve(by_connection(serve_once_then_close, keep_alive(b"posted")))
    first = await fetch(transport, request("GET", server.url()))
    await wait(server.connections[0].closed)
    await loop_turns()  # the client's loop sees the end of the stream

    posted = await fetch(transport, request("POST", server.url("/form"), data={"a": "b"}))

    assert first.content == b"first"
    assert posted.content == b"posted"
    assert server.accepted == 2
    assert [(r.method, r.connection) for r in server.requests] == [("GET", 0), ("POST", 1)]


async def test_a_connection_the_server_wrote_to_unasked_is_not_reused(
    serve: Serve, transport: WireTransport
) -> None:
    idle, sent = asyncio.Event(), asyncio.Event()

    async def chatty(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"first"))
        await idle.wait()
        await conn.send(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
        sent.set()
        await conn.wait_eof()

    server = await serve(by_connection(chatty, keep_alive(b"fresh")))
    first = await fetch(transport, request("GET", server.url()))
    idle.set()  # the answer was read whole: the connection is idle
    await wait(sent)
    await loop_turns()  # the unasked bytes reach the client while its connection is idle

    following = await fetch(transport, request("GET", server.url()))

    assert first.content == b"first"
    assert (following.status_code, following.content) == (200, b"fresh")
    assert server.accepted == 2
    await wait(server.connections[0].saw_eof)


async def test_an_answer_closed_unread_closes_its_connection(
    serve: Serve, transport: WireTransport
) -> None:
    async def never_finish(conn: ServerConnection) -> None:
        await answer_once_then(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        await conn.wait_eof()

    server = await serve(by_connection(never_finish, keep_alive(b"fresh")))
    response = await transport.handle_async_request(request("GET", server.url()))
    await response.aclose()
    await wait(server.connections[0].saw_eof)
    following = await fetch(transport, request("GET", server.url()))

    assert following.content == b"fresh"
    assert server.accepted == 2


async def test_an_answer_abandoned_part_way_closes_its_connection(
    serve: Serve, transport: WireTransport
) -> None:
    async def big(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"x" * 1_000_000))
        await conn.wait_eof()

    server = await serve(by_connection(big, keep_alive(b"fresh")))
    response = await transport.handle_async_request(request("GET", server.url()))
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        break
    await response.aclose()
    await wait(server.connections[0].saw_eof)
    following = await fetch(transport, request("GET", server.url()))

    assert 0 < received < 1_000_000
    assert following.content == b"fresh"
    assert server.accepted == 2


# --------------------------------------------------------------------------- failures


async def test_a_server_closing_without_answering_is_a_remote_protocol_error(
    serve: Serve, transport: WireTransport
) -> None:
    async def hang_up(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.close()

    server = await serve(hang_up)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await transport.handle_async_request(request("POST", server.url(), data={"a": "b"}))
    assert len(server.requests) == 1  # the request was sent: not a connect error


async def test_a_truncated_body_fails_while_reading_it(
    serve: Serve, transport: WireTransport
) -> None:
    async def truncated(conn: ServerConnection) -> None:
        await answer_once_then(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        await conn.close()

    server = await serve(truncated)
    response = await transport.handle_async_request(request("GET", server.url()))
    assert response.status_code == 200
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await response.aread()


async def test_a_truncated_chunked_body_fails_while_reading_it(
    serve: Serve, transport: WireTransport
) -> None:
    async def truncated(conn: ServerConnection) -> None:
        await answer_once_then(
            conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234"
        )
        await conn.close()

    server = await serve(truncated)
    response = await transport.handle_async_request(request("GET", server.url()))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await response.aread()


async def test_a_refused_connection_is_a_connect_error(transport: WireTransport) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(request("GET", f"http://127.0.0.1:{port}/"))


async def test_a_failed_tls_handshake_is_a_connect_error(
    serve: Serve, transport: WireTransport
) -> None:
    async def plain_http(conn: ServerConnection) -> None:
        await conn.reader.read(1024)  # the ClientHello
        await conn.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await conn.close()

    server = await serve(plain_http)
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(request("GET", f"https://127.0.0.1:{server.port}/"))
    assert server.requests == []


async def test_a_server_that_never_answers_times_out_and_its_connection_is_dropped(
    serve: Serve, transport: WireTransport
) -> None:
    async def silent(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.wait_eof()

    server = await serve(by_connection(silent, keep_alive(b"fresh")))
    with pytest.raises(httpx.ReadTimeout):
        await transport.handle_async_request(
            request("GET", server.url(), timeouts={**TIMEOUTS, "read": 0.05})
        )
    await wait(server.connections[0].saw_eof)
    following = await fetch(transport, request("GET", server.url()))

    assert following.content == b"fresh"
    assert server.accepted == 2


async def test_an_httpx_client_read_timeout_is_a_read_timeout(serve: Serve) -> None:
    async def silent(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.wait_eof()

    server = await serve(silent)
    async with httpx.AsyncClient(
        transport=WireTransport(), timeout=httpx.Timeout(5.0, read=0.05)
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url())
    await wait(server.connections[0].saw_eof)


async def test_a_body_that_stalls_times_out_and_its_connection_is_dropped(
    serve: Serve, transport: WireTransport
) -> None:
    async def stall(conn: ServerConnection) -> None:
        await answer_once_then(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
        await conn.wait_eof()

    server = await serve(stall)
    response = await transport.handle_async_request(
        request("GET", server.url(), timeouts={**TIMEOUTS, "read": 0.05})
    )
    with pytest.raises(httpx.ReadTimeout):
        await response.aread()
    await wait(server.connections[0].saw_eof)


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"NOT HTTP AT ALL\r\n\r\n", id="not-a-status-line"),
        pytest.param(b"HTTP/1.1 abc OK\r\n\r\n", id="non-numeric-status"),
        pytest.param(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", id="bad-header-line"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            id="conflicting-lengths",
        ),
    ],
)
async def test_a_malformed_answer_is_a_remote_protocol_error(
    serve: Serve, transport: WireTransport, garbage: bytes
) -> None:
    async def malformed(conn: ServerConnection) -> None:
        await answer_once_then(conn, garbage)
        await conn.wait_eof()

    server = await serve(by_connection(malformed, keep_alive(b"fresh")))
    with pytest.raises(httpx.RemoteProtocolError):
        await transport.handle_async_request(request("GET", server.url()))
    await wait(server.connections[0].saw_eof)  # the connection is dropped, not reused
    following = await fetch(transport, request("GET", server.url()))
    assert following.content == b"fresh"


async def test_an_unsupported_scheme_is_refused(transport: WireTransport) -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        await transport.handle_async_request(request("GET", "ftp://127.0.0.1/file"))


async def test_closing_the_transport_closes_its_idle_connections(serve: Serve) -> None:
    server = await serve(keep_alive())
    transport = WireTransport()
    await fetch(transport, request("GET", server.url()))
    assert not server.connections[0].saw_eof.is_set()

    await transport.aclose()

    await wait(server.connections[0].saw_eof)
    with pytest.raises(httpx.ConnectError, match="closed"):  # nothing sent: "not sent" rules
        await transport.handle_async_request(request("POST", server.url(), data={"a": "b"}))
    assert len(server.requests) == 1


# --------------------------------------------------------------------------- mocks and the pool


async def test_respx_mocks_answer_requests_sent_through_it(
    serve: Serve, transport: WireTransport
) -> None:
    server = await serve(keep_alive(b"real"))
    with respx.mock:
        respx.get(server.url("/x")).respond(200, text="mocked")
        mocked = await fetch(transport, request("GET", server.url("/x")))
    real = await fetch(transport, request("GET", server.url("/x")))

    assert mocked.text == "mocked"
    assert real.text == "real"
    assert server.accepted == 1  # only the request sent after the mock ended


async def test_a_patched_httpx_transport_answers_requests_sent_through_it(
    serve: Serve, transport: WireTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As pytest-httpx's fixture patches it.
    async def mocked(self: httpx.AsyncHTTPTransport, req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="mocked")

    server = await serve(keep_alive(b"real"))
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", mocked)
    answered = await fetch(transport, request("POST", server.url("/form"), data={"a": "b"}))

    assert answered.text == "mocked"
    assert server.accepted == 0


async def test_a_patched_httpcore_pool_is_seen_whenever_it_was_patched(
    serve: Serve, transport: WireTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check compares where the method was defined, not the function seen at import.
    async def mocked(self: httpcore.AsyncConnectionPool, req: httpcore.Request) -> object:
        return httpcore.Response(200, content=b"mocked")

    server = await serve(keep_alive(b"real"))
    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", mocked)
    answered = await fetch(transport, request("GET", server.url()))

    assert answered.content == b"mocked"
    assert server.accepted == 0


async def test_a_host_the_resolver_cannot_encode_is_a_connect_error(
    transport: WireTransport,
) -> None:
    # httpx builds the request; Python's resolver refuses the 64-character label (UnicodeError):
    # nothing was sent, so the error must say so (ConnectError), even for a POST.
    post = request("POST", "http://" + "a" * 64 + ".example/", data={"a": "b"})
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(post)


@pytest.mark.usefixtures("no_proxy")
def test_sessions_send_through_it_when_no_proxy_is_configured() -> None:
    client, direct = new_client("http://127.0.0.1:9", None, True, 5.0, "test-agent")

    assert isinstance(direct, WireTransport)
    assert client._transport is direct


@pytest.mark.usefixtures("no_proxy")
def test_sessions_leave_a_configured_proxy_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    _, direct = new_client("https://example.invalid", None, True, 5.0, "test-agent")

    assert direct is None


@pytest.mark.usefixtures("no_proxy")
def test_an_injected_transport_is_used_instead() -> None:
    injected = httpx.MockTransport(lambda r: httpx.Response(200))
    _, direct = new_client("http://127.0.0.1:9", injected, True, 5.0, "test-agent")

    assert direct is not None
    assert not isinstance(direct, WireTransport)


# --- stale connections and large heads


async def test_a_post_does_not_go_on_a_connection_whose_close_the_loop_has_not_yet_seen(
    serve: Serve, transport: WireTransport
) -> None:
    async def serve_once_then_close(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"first"))
        await conn.wait_eof()

    server = await serve(by_connection(serve_once_then_close, keep_alive(b"posted")))
    await fetch(transport, request("GET", server.url()))
    # The server closes its idle connection now, and the test goes on without yielding to the
    # loop (as a caller parsing the last answer before its next request does).
    server_side = server.connections[0].writer
    server_side.get_extra_info("socket").shutdown(socket.SHUT_WR)
    server_side.close()
    (idle,) = transport._idle[("http", "127.0.0.1", server.port)]
    assert idle.transport is not None
    client_socket = idle.transport.get_extra_info("socket")
    readable, _, _ = select.select([client_socket], [], [], WAIT)
    assert readable  # the end of the stream is in the client socket's queue

    posted = await fetch(transport, request("POST", server.url("/form"), data={"a": "b"}))

    assert posted.content == b"posted"
    assert server.accepted == 2


async def test_an_answer_head_over_16_kib_arriving_in_pieces_is_accepted(
    serve: Serve, transport: WireTransport
) -> None:
    async def big_head(conn: ServerConnection) -> None:
        assert await conn.read_request() is not None
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Security-Policy: " + b"a" * 20_000)
        await loop_turns()  # the client reads the first part alone, as over a real network
        await conn.send(b"\r\nContent-Length: 2\r\n\r\nok")
        await conn.wait_eof()

    server = await serve(big_head)
    response = await fetch(transport, request("GET", server.url()))

    assert response.content == b"ok"
    assert len(response.headers["content-security-policy"]) == 20_000


async def test_bytes_sent_past_the_end_of_an_answer_are_not_the_next_requests_answer(
    serve: Serve, transport: WireTransport
) -> None:
    async def doubled(conn: ServerConnection) -> None:
        await answer_once_then(conn, answer(200, b"first") + answer(200, b"stale"))
        await keep_alive(b"fresh")(conn)

    server = await serve(by_connection(doubled, keep_alive(b"fresh")))
    first = await fetch(transport, request("GET", server.url()))
    second = await fetch(transport, request("POST", server.url("/form"), data={"a": "b"}))

    assert first.content == b"first"
    assert second.content == b"fresh"
    assert server.accepted == 2  # the first connection, out of step, was not reused
