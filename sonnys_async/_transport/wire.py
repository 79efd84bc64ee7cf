"""HTTP/1.1 on the wire: a lean ``httpx.AsyncBaseTransport`` on asyncio and h11 (issue 11).

httpx stays the client's model (requests, URLs, headers, timeouts, responses and their decoding);
this replaces only what sits under ``AsyncHTTPTransport``: httpcore's pool and its anyio
streams, whose CPU per request is most of the client's (``bench_cpu`` runs the same creates
through both, in one run; ``docs/benchmarks.md``). The protocol is h11's
(the parser httpcore uses): request framing, ``Content-Length`` and chunked bodies,
read-until-close bodies, ``1xx`` answers and the keep-alive rules are its decisions, not ours.
What is ours is the socket: one asyncio protocol per connection, a list of idle connections per
origin, and httpx's timeouts and exception classes, so the transport's callers (the retry rules,
the "was it sent?" rules of :mod:`.errors`) see exactly what httpcore would raise:

* ``ConnectError`` / ``ConnectTimeout`` only before any byte of the request was written (a new
  connection that failed to open, TLS included): nothing was sent;
* ``WriteError`` / ``WriteTimeout``, ``ReadError`` / ``ReadTimeout`` and
  ``RemoteProtocolError`` (the server closed without answering, or answered malformed) after:
  the request may have been served.

An idle connection is reused only while the server has neither closed it nor sent anything on
it (its socket is asked, as httpcore asks it), and for at most :data:`KEEPALIVE_EXPIRY` seconds
(httpx's default), so a stale keep-alive connection is not where a form POST goes. Bytes past
an answer's end make its connection unusable too. Bodies are streamed to the caller (the size
cap of :func:`~sonnys_async._transport.body.read_capped` still stops a huge answer early);
reading pauses the socket past :data:`_HIGH_WATER` bytes unread.

When a mocking library has patched httpx's transport or httpcore's pool (pytest-httpx, respx),
or the loop is not asyncio's, requests go through httpx's own transport instead, so those mocks
still see them.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import select
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any, Final

import h11
import httpcore
import httpx

__all__ = ["KEEPALIVE_EXPIRY", "WireTransport"]

#: Seconds an idle keep-alive connection may wait for reuse: under Apache's default
#: ``KeepAliveTimeout`` (5 s, httpx's own expiry), so a request is not sent just as the server
#: closes the connection it waited on.
KEEPALIVE_EXPIRY: Final = 4.0
#: Idle connections kept per origin (httpx's ``max_keepalive_connections``).
MAX_IDLE: Final = 20
#: Largest answer head accepted (status line and headers; httpcore's bound, not h11's 16 KiB).
_MAX_HEAD: Final = 100 * 1024
_HIGH_WATER: Final = 256 * 1024
_LOW_WATER: Final = 64 * 1024
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: Where httpx's and httpcore's request methods are defined; anything else in their place
#: means a mocking library patched them (respx patches httpcore's pool, pytest-httpx httpx's
#: transport). Compared by definition site, not by identity, so an import under a mock holds.
_STOCK: Final = (
    (httpx.AsyncHTTPTransport, "httpx._transports.default"),
    (httpcore.AsyncConnectionPool, "httpcore._async.connection_pool"),
)
_METHOD: Final = "handle_async_request"

Origin = tuple[str, str, int]


def _defer_to_httpx() -> bool:
    """Whether httpx's own transport must send the request: a mock patched it (or httpcore's
    pool), or the running loop is not asyncio's (trio, under anyio)."""
    for cls, module in _STOCK:
        method = getattr(cls, _METHOD, None)
        if getattr(method, "__module__", None) != module or (
            getattr(method, "__qualname__", None) != f"{cls.__name__}.{_METHOD}"
        ):
            return True
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def _timeout(timeouts: dict[str, Any], key: str) -> float | None:
    value = timeouts.get(key)
    return None if value is None else float(value)


def _framed(conn: _Connection, event: Any) -> bytes:
    """``conn.h11.send(event)``, h11's refusal as httpx's (before anything of it is written)."""
    try:
        return conn.h11.send(event) or b""
    except h11.LocalProtocolError as exc:
        raise httpx.LocalProtocolError(str(exc)) from exc


def _readable(sock: Any) -> bool:
    """Whether an idle connection's socket has anything to read (a close, or bytes): then it
    is not reused. Where it cannot be asked, it is not reused either."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover - Windows
    except (OSError, ValueError, AttributeError):
        return True


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(httpx.ReadTimeout("timed out reading the answer"))


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection: received bytes queued, flow control, and h11's state."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.transport: asyncio.Transport | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._unread = 0
        self._paused = False
        self._eof = False
        self._lost: Exception | None = None  # why the connection broke, if it did
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self.idle_since = 0.0

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._unread += len(data)
        if self._unread > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake_reader()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._lost = exc
        self._wake_reader()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)  # the write's next check sees the closed transport

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _wake_reader(self) -> None:
        if self._readable is not None and not self._readable.done():
            self._readable.set_result(None)

    # -- used by the transport
    def reusable(self, now: float) -> bool:
        """Idle, open, silent (the server sent nothing unasked) and not expired.

        The socket itself is asked too: a close (or bytes) the server sent may have arrived
        while the loop was busy elsewhere, before :meth:`data_received` or
        :meth:`eof_received` could note it. httpcore asks the same before each reuse.
        """
        transport = self.transport
        return (
            transport is not None
            and not transport.is_closing()
            and not self._eof
            and not self._chunks
            and now - self.idle_since <= KEEPALIVE_EXPIRY
            and not _readable(transport.get_extra_info("socket"))
        )

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def write(self, data: bytes, seconds: float | None) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            raise httpx.WriteError("the connection is closed")
        transport.write(data)
        if self._writable is not None and not self._writable.done():
            try:
                async with asyncio.timeout(seconds):
                    await self._writable
            except TimeoutError as exc:
                raise httpx.WriteTimeout("timed out writing the request") from exc
            if transport.is_closing():
                raise httpx.WriteError("the connection closed while writing")

    async def read(self, seconds: float | None) -> bytes:
        """The next received bytes, ``b""`` once the server has closed."""
        if not self._chunks and not self._eof:
            loop = asyncio.get_running_loop()
            readable = self._readable = loop.create_future()
            # A timer handle rather than ``asyncio.timeout``: this wait happens several times per
            # answer, and the timer is all it needs (the future is ours alone).
            timer = None if seconds is None else loop.call_later(seconds, _expire, readable)
            try:
                await readable
            finally:
                self._readable = None
                if timer is not None:
                    timer.cancel()
        if not self._chunks:
            if self._lost is not None:
                raise httpx.ReadError(str(self._lost) or type(self._lost).__name__)
            return b""
        data = self._chunks.popleft()
        self._unread -= len(data)
        if self._paused and self._unread < _LOW_WATER and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def next_event(self, seconds: float | None) -> Any:
        """h11's next event, reading as it needs (protocol errors as httpx's)."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            data = await self.read(seconds)
            if not data and self.h11.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            self.h11.receive_data(data)


class _Body(httpx.AsyncByteStream):
    """A response body read from its connection as the caller iterates; the connection goes back
    to the idle list once the answer is complete (or is closed if the caller stops early)."""

    def __init__(
        self, owner: WireTransport, origin: Origin, conn: _Connection, timeout: float | None
    ) -> None:
        self._owner = owner
        self._origin = origin
        self._conn: _Connection | None = conn
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (conn := self._conn) is not None:
            try:
                event = await conn.next_event(self._timeout)
            except BaseException:
                await self.aclose()
                raise
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                self._conn = None
                self._owner.release(self._origin, conn)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()  # the body was not read to its end: the connection is unusable


class WireTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 keep-alive connections on asyncio, framed by h11 (see the module docstring).

    Args:
        verify: TLS verification, as httpx takes it (``True``, ``False``, a CA bundle path or an
            ``ssl.SSLContext``).
    """

    def __init__(self, *, verify: ssl.SSLContext | str | bool = True) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: dict[Origin, list[_Connection]] = {}
        self._fallback: httpx.AsyncHTTPTransport | None = None
        self._closed = False

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
            with contextlib.suppress(NotImplementedError):
                self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the transport is closed")  # nothing was sent
        if _defer_to_httpx():
            if self._fallback is None:
                self._fallback = httpx.AsyncHTTPTransport(verify=self._verify)
            return await self._fallback.handle_async_request(request)
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        # The host as sent (IDNA 2008 A-labels, as httpx writes the Host header), for the
        # address lookup and the TLS server name alike.
        host = url.raw_host.decode("ascii")
        origin = (scheme, host, url.port or _DEFAULT_PORTS[scheme])
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        read_timeout = _timeout(timeouts, "read")
        conn = self._checkout(origin) or await self._connect(origin, _timeout(timeouts, "connect"))
        try:
            event = await self._exchange(conn, request, timeouts)
        except BaseException:
            conn.close()
            raise
        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=_Body(self, origin, conn, read_timeout),
            extensions={
                "http_version": b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
            },
        )

    async def _exchange(
        self, conn: _Connection, request: httpx.Request, timeouts: dict[str, Any]
    ) -> h11.Response:
        write_timeout = _timeout(timeouts, "write")
        pending = _framed(
            conn,
            h11.Request(
                method=request.method, target=request.url.raw_path, headers=request.headers.raw
            ),
        )
        async for chunk in request.stream:  # type: ignore[union-attr]
            if chunk:
                pending += _framed(conn, h11.Data(data=chunk))
                if len(pending) >= _LOW_WATER:
                    await self._write(conn, pending, write_timeout)
                    pending = b""
        pending += _framed(conn, h11.EndOfMessage())
        await self._write(conn, pending, write_timeout)
        read_timeout = _timeout(timeouts, "read")
        while True:
            event = await conn.next_event(read_timeout)
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):  # pragma: no cover - h11 order
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}")

    @staticmethod
    async def _write(conn: _Connection, data: bytes, seconds: float | None) -> None:
        try:
            await conn.write(data, seconds)
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc

    async def _connect(self, origin: Origin, seconds: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        tls = self._ssl_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(seconds):
                # Happy eyeballs (RFC 8305), as httpcore's backend does: a host whose first
                # address does not answer (IPv6 broken on the store's network) still connects.
                _, conn = await loop.create_connection(
                    _Connection,
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                    happy_eyeballs_delay=0.25,
                    interleave=1,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except (OSError, ValueError) as exc:
            # Refused, unreachable, DNS, TLS (ssl.SSLError is an OSError), or a host name the
            # resolver cannot encode (UnicodeError): nothing was sent.
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return conn

    def _checkout(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.reusable(now):
                return conn
            conn.close()
        return None

    def release(self, origin: Origin, conn: _Connection) -> None:
        """Keep a connection whose exchange is complete for reuse, if h11 allows it."""
        leftover, closed = conn.h11.trailing_data
        if (
            self._closed
            or conn.h11.our_state is not h11.DONE
            or conn.h11.their_state is not h11.DONE
            or leftover
            or closed  # bytes past the answer's end, or the close, are not the next answer
        ):
            conn.close()
            return
        conn.h11.start_next_cycle()
        conn.idle_since = time.monotonic()
        idle = self._idle.setdefault(origin, [])
        idle.append(conn)
        if len(idle) > MAX_IDLE:
            idle.pop(0).close()

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
        if self._fallback is not None:
            await self._fallback.aclose()
