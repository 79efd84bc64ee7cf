"""A raw HTTP/1.1 test server on 127.0.0.1 whose every connection runs a script of the test's.

The server parses requests itself (no h11, so it does not share the transport's framing code)
and records what it saw: each accepted connection, each request (with the index of the
connection it came on), whether and when the client closed a connection. Answers are raw bytes
written by the script, so a test can send anything, malformed or truncated included.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["RawServer", "RecordedRequest", "ServerConnection", "answer", "keep_alive"]

#: Exceptions a script may meet when the client goes away; anything else is a test failure.
_CLIENT_GONE = (ConnectionError, asyncio.IncompleteReadError)


@dataclass
class RecordedRequest:
    """One request as the server read it off the wire."""

    connection: int  # index of the connection it came on (0 for the first accepted)
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    chunked: bool = False

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), if sent."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def answer(
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    *,
    reason: str = "OK",
    content_length: bool = True,
) -> bytes:
    """A response's bytes; ``Content-Length`` is added unless told not to."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass(eq=False)
class ServerConnection:
    """The server's side of one accepted connection."""

    server: RawServer
    index: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    #: Set once the client closed its side (a read found the end of the stream).
    saw_eof: asyncio.Event = field(default_factory=asyncio.Event)
    #: Set once the server closed this connection (``close()`` done).
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def read_request(self) -> RecordedRequest | None:
        """The next request on this connection, ``None`` once the client has closed it."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            self.saw_eof.set()
            return None
        except ConnectionError:
            self.saw_eof.set()
            return None
        request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ")
        headers = [
            (name, value.strip())
            for name, _, value in (line.partition(":") for line in header_lines)
        ]
        request = RecordedRequest(self.index, method, target, version, headers, b"")
        if (request.header("transfer-encoding") or "").lower() == "chunked":
            request.chunked = True
            request.body = await self._read_chunked()
        else:
            request.body = await self.reader.readexactly(int(request.header("content-length") or 0))
        self.server.requests.append(request)
        return request

    async def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                return bytes(body)
            body += await self.reader.readexactly(size)
            await self.reader.readexactly(2)

    async def wait_eof(self) -> None:
        """Read (and drop) whatever comes until the client closes the connection."""
        with contextlib.suppress(ConnectionError):
            while await self.reader.read(65536):
                pass
        self.saw_eof.set()

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
        self.closed.set()


Script = Callable[[ServerConnection], Awaitable[None]]


def keep_alive(body: bytes = b"ok", headers: Iterable[tuple[str, str]] = ()) -> Script:
    """A script answering every request on the connection with ``200`` and ``body``."""
    extra = list(headers)

    async def script(conn: ServerConnection) -> None:
        while await conn.read_request() is not None:
            await conn.send(answer(200, body, extra))

    return script


class RawServer:
    """``asyncio.start_server`` on 127.0.0.1, port 0, one script run per accepted connection."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self._script = script
        self._tls = tls  # serve HTTPS with this context
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.connections: list[ServerConnection] = []
        self.requests: list[RecordedRequest] = []
        #: Unexpected exceptions raised by scripts (a test's teardown asserts there are none).
        self.errors: list[BaseException] = []
        self._accepted = asyncio.Condition()

    @property
    def accepted(self) -> int:
        """Connections accepted so far."""
        return len(self.connections)

    def url(self, path: str = "/") -> str:
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def connection(self, index: int) -> ServerConnection:
        """Connection number ``index``, once accepted."""
        async with self._accepted:
            await self._accepted.wait_for(lambda: len(self.connections) > index)
        return self.connections[index]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = ServerConnection(self, len(self.connections), reader, writer)
        async with self._accepted:
            self.connections.append(conn)
            self._accepted.notify_all()
        try:
            await self._script(conn)
        except _CLIENT_GONE:
            pass
        except asyncio.CancelledError:
            pass  # the test is over (see stop); a cancelled handler would only be logged
        except BaseException as exc:  # reported by the fixture's teardown
            self.errors.append(exc)
        finally:
            writer.close()
            self._tasks.discard(task)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for conn in self.connections:
            conn.writer.close()
        for conn in self.connections:
            with contextlib.suppress(ConnectionError):
                await conn.writer.wait_closed()
        if self._server is not None:
            await self._server.wait_closed()
