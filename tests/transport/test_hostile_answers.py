"""Hostile and malformed answers (issue 14, defects 12 and 15): only library errors come out.

* ``Retry-After``, ``Location`` and ``Set-Cookie`` values that are not what they claim (``"²"``,
  ``10**400``, dates out of range, hosts that do not parse) never raise bare ``ValueError`` /
  ``OverflowError`` / ``CookieConflict``;
* a body over the size cap is refused while it streams in, never read whole;
* markup built to make parsers crawl is refused before any parser sees it;
* whatever a server answers (hypothesis draws statuses, headers and bodies), ``get``,
  ``post_form`` and ``login`` raise nothing but :class:`~sonnys_async.errors.BackofficeError`.
"""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transport_fakes import BASE, LOGIN_HTML, PASSWORD, USERNAME, FakeBackoffice, make_transport

from sonnys_async._transport import (
    AmbiguousWriteError,
    ResponseTooLargeError,
    RetryPolicy,
    Transport,
)
from sonnys_async._transport.retry import retry_after
from sonnys_async.errors import BackofficeError, PageStructureError, TransportError

# --------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("²", None),  # str.isdigit() is True, int() refuses it
        ("٣", None),  # Arabic-Indic three: int() would read 3
        ("1" + "0" * 400, float("inf")),  # 10**400: capped by the policy, never OverflowError
        ("9" * 5000, float("inf")),  # beyond int()'s digit limit
        ("-5", None),
        ("nan", None),
        ("inf", None),
        ("1e3", None),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),  # year out of range
        ("Mon, 01 Jan 1990 00:00:00 GMT", 0.0),  # in the past
        ("Wed, 01 Jan 2031 00:00:00 +9999", None),
        ("x" * 10_000, None),
        ("", None),
    ],
)
def test_retry_after_reads_only_what_it_can(value: str, seconds: float | None) -> None:
    # Headers arrive as bytes; non-ASCII ones as UTF-8 (httpx decodes them back).
    assert retry_after(httpx.Headers([(b"Retry-After", value.encode())])) == seconds


def test_retry_after_far_future_dates_are_finite() -> None:
    wait = retry_after(httpx.Headers({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}))
    assert wait is not None
    assert wait > 0
    assert RetryPolicy(retry_after_max=60.0).wait(1, wait) <= 60.0 + RetryPolicy().wait_jitter


async def test_an_absurd_retry_after_is_capped_not_raised(fake: FakeBackoffice) -> None:
    answers = iter(
        [httpx.Response(503, headers={"Retry-After": "9" * 500}), httpx.Response(200, text="ok")]
    )
    fake.on("/employee", lambda r, s: next(answers))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with make_transport(
        fake, retry=RetryPolicy(retry_after_max=30.0, wait_jitter=0.0), sleep=sleep
    ) as t:
        assert (await t.get("/employee")).text == "ok"
    assert waits == [30.0]


# --------------------------------------------------------------------------- Location, cookies


async def test_a_bounce_location_on_another_host_is_never_followed(fake: FakeBackoffice) -> None:
    fake.on(
        "/employee/insert",
        lambda r, s: httpx.Response(302, headers={"Location": "http://evil.test/x?actionXfer=1"}),
    )
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/insert", [("a", "1")])
    assert resp.location == "http://evil.test/x?actionXfer=1"
    assert resp.followed is None
    assert {r.url.host for r in fake.requests} == {"washu.test"}


@pytest.mark.parametrize(
    "location", ["/employee/permissions/²", "/employee/permissions/٣", "//evil.test/x"]
)
async def test_odd_locations_come_back_as_they_are(fake: FakeBackoffice, location: str) -> None:
    fake.on(
        "/employee/insert",
        lambda r, s: httpx.Response(
            302, headers=[(b"Location", f"{location}?actionXfer=ab12CD34".encode())]
        ),
    )
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/insert", [("a", "1")])
    assert resp.status == 302
    assert resp.location == f"{location}?actionXfer=ab12CD34"
    assert {r.url.host for r in fake.requests} == {"washu.test"}


@pytest.mark.parametrize("location", ["http://[::1", "\x00", "http://host:port/"])
async def test_a_location_httpx_cannot_parse_is_a_library_error(
    fake: FakeBackoffice, location: str
) -> None:
    # httpx itself refuses the answer (it builds the redirect request even when not following).
    fake.on(
        "/employee/insert",
        lambda r, s: httpx.Response(302, headers=[(b"Location", location.encode())]),
    )
    fake.on(
        "/employee", lambda r, s: httpx.Response(302, headers=[(b"Location", location.encode())])
    )
    async with make_transport(fake) as t:
        # A write answered unreadably may have been applied: the caller settles it by reading.
        with pytest.raises(AmbiguousWriteError):
            await t.post_form("/employee/insert", [("a", "1")])
        with pytest.raises(TransportError):
            await t.get("/employee")


async def test_a_session_cookie_set_twice_is_no_crash(fake: FakeBackoffice) -> None:
    answer = httpx.Response(
        200,
        headers=[
            (b"Set-Cookie", b"PHPSESSID=one; path=/"),
            (b"Set-Cookie", b"PHPSESSID=two; path=/other"),
            (b"Set-Cookie", "PHPSESSID=bad\u00e9value; path=/".encode()),
        ],
        text="<html>ok</html>",
    )
    fake.on("/employee", lambda r, s: answer)
    async with make_transport(fake) as t:
        assert (await t.get("/employee")).status == 200


# --------------------------------------------------------------------------- size cap


def streamed(chunk: bytes, count: int, sent: list[int]) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(count):
            sent.append(len(chunk))
            yield chunk

    return httpx.Response(200, content=body(), headers={"Content-Type": "text/html"})


async def test_a_body_over_the_cap_is_refused_while_it_streams(fake: FakeBackoffice) -> None:
    sent: list[int] = []
    fake.on("/employee", lambda r, s: streamed(b"<p>" + b"x" * 1021, 100_000, sent))
    async with make_transport(fake, max_response_bytes=64 * 1024) as t:
        with pytest.raises(ResponseTooLargeError, match="larger than 65536 bytes") as info:
            await t.get("/employee")
    assert isinstance(info.value, TransportError)
    assert info.value.limit == 64 * 1024
    assert sum(sent) <= 64 * 1024 + 1024  # stopped at the cap, not after 100 MB


async def test_a_declared_length_over_the_cap_is_refused_unread(fake: FakeBackoffice) -> None:
    sent: list[int] = []

    def answer(request: httpx.Request, sid: str) -> httpx.Response:
        resp = streamed(b"x" * 1024, 10, sent)
        resp.headers["Content-Length"] = str(10**30)
        return resp

    fake.on("/employee", answer)
    async with make_transport(fake, max_response_bytes=4096) as t:
        with pytest.raises(ResponseTooLargeError, match="Content-Length"):
            await t.get("/employee")
    assert sent == []


async def test_a_compression_bomb_is_refused_after_the_cap(fake: FakeBackoffice) -> None:
    bomb = gzip.compress(b"<p>" * (4 * 1024 * 1024))  # 12 MB of markup in ~12 KB
    fake.on(
        "/employee",
        lambda r, s: httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"}),
    )
    async with make_transport(fake, max_response_bytes=1024 * 1024) as t:
        with pytest.raises(ResponseTooLargeError):
            await t.get("/employee")


async def test_a_write_whose_answer_is_too_large_is_ambiguous(fake: FakeBackoffice) -> None:
    sent: list[int] = []
    fake.on("/employee/insert", lambda r, s: streamed(b"y" * 4096, 1000, sent))
    async with make_transport(fake, max_response_bytes=8192) as t:
        with pytest.raises(AmbiguousWriteError, match="may have been applied") as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert isinstance(info.value.__cause__, ResponseTooLargeError)
    assert fake.calls("POST", "/employee/insert") == 1  # never retried


def test_the_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        Transport(base_url=BASE, username="u", password="p", max_response_bytes=0)


# --------------------------------------------------------------------------- markup guard

HOSTILE = {
    "deep nesting": "<html><body>" + "<div>" * 50_000 + "</body></html>",
    "deep nesting hidden by stray end tags": "<html><body>" + "<div></i>" * 20_000,
    "many unclosed tags": "<b>" * 600,
    "huge attribute": '<html><body><div data-x="' + "a" * (2 * 1024 * 1024) + '"></div>',
    "too many tags": "<br>" * 500_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_a_hostile_page_fails_fast_before_any_parser(fake: FakeBackoffice, name: str) -> None:
    fake.on("/employee", lambda r, s: httpx.Response(200, text=HOSTILE[name]))
    async with make_transport(fake) as t:
        started = time.perf_counter()
        with pytest.raises(PageStructureError, match="markup") as info:
            await t.get("/employee")
        elapsed = time.perf_counter() - started
    assert info.value.page == "/employee"
    assert elapsed < 2.0  # Lexbor takes ~4-6 s on the first of these
    assert fake.calls("GET", "/employee") == 1  # refused, not retried


async def test_a_hostile_login_page_is_refused_before_the_login_test(fake: FakeBackoffice) -> None:
    fake.router.get("/login").mock(
        return_value=httpx.Response(200, text=LOGIN_HTML.format(alert="") + "<div>" * 5000)
    )
    async with make_transport(fake) as t:
        with pytest.raises(PageStructureError):
            await t.login()


async def test_a_write_answered_with_hostile_markup_is_ambiguous(fake: FakeBackoffice) -> None:
    fake.on("/employee/insert", lambda r, s: httpx.Response(200, text="<div>" * 5000))
    async with make_transport(fake) as t:
        with pytest.raises(AmbiguousWriteError) as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert isinstance(info.value.__cause__, PageStructureError)


async def test_a_thousand_row_roster_passes_the_guard() -> None:
    from sonnys_async.sandbox import Sandbox, SandboxOptions

    sb = Sandbox(SandboxOptions(employees=1000, bo_users=1, sidebar_kb=130))
    async with Transport(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=sb.transport(),
        retry=RetryPolicy.no_wait(),
    ) as t:
        page = await t.get("/employee", [("limit", 1000)])
    assert page.status == 200
    assert page.text.count("link-edit-employee-") > 500
    assert len(page.text) > 1_000_000


# --------------------------------------------------------------------------- fuzz

Answer = tuple[int, list[tuple[str, str]], bytes]
_LOGIN_OK: list[Answer] = [
    (200, [("Set-Cookie", "PHPSESSID=abc123; path=/")], b"<html>login"),
    (302, [("Location", "/")], b""),
]
_HEADER_VALUES = st.one_of(
    st.sampled_from(
        [
            "²",
            "٣",
            "1" + "0" * 400,
            "-1",
            "nan",
            "/login",
            f"{BASE}/login",
            "/",
            "http://[::1",
            "//evil.test/?actionXfer=x",
            "/employee/edit/²?actionXfer=ab12CD34",
            "/employee/permissions/١٢",
            "PHPSESSID=abc; path=/",
            "PHPSESSID=; path=/",
            "PHPSESSID=a b",
            "PHPSESSID=x; expires=Fri, 31 Dec 99999 23:59:59 GMT",
            "gzip",
            "br",
            "deflate",
            "identity, gzip",
            "text/html; charset=bogus-charset",
            "text/html; charset=utf-16",
            "Fri, 31 Dec 99999 23:59:59 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "999999999999999999999999",
            "5",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
)
_HEADER_NAMES = st.sampled_from(
    [
        "Location",
        "Retry-After",
        "Set-Cookie",
        "Content-Type",
        "Content-Encoding",
        "Content-Length",
        "Refresh",
    ]
)
_BODIES = st.one_of(
    st.sampled_from(
        [
            b"",
            LOGIN_HTML.format(alert="").encode(),
            LOGIN_HTML.format(alert="<p>Invalid credentials.</p>").encode(),
            b"<html><body><div class='alerts alerts-server'></div></body></html>",
            b"<div>" * 700,
            b"<html>" + "²٣".encode() * 50,
            b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",
            b"\x1f\x8b\x08\x00garbage",
        ]
    ),
    st.binary(max_size=200),
)
_ANSWERS = st.builds(
    lambda status, headers, body: (status, headers, body),
    st.sampled_from([200, 201, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 429, 500, 503]),
    st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=4),
    _BODIES,
)


def _response(answer: Answer, request: httpx.Request) -> httpx.Response:
    """The answer as a server would send it: headers as bytes, the body raw (not decoded)."""
    status, headers, body = answer
    raw = [(k.encode(), v.encode()) for k, v in headers]
    return httpx.Response(status, headers=raw, stream=httpx.ByteStream(body), request=request)


class _Unexpected(logging.Handler):
    """Records the transport's "unexpected exception" boundary log lines."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "unexpected" in record.getMessage():
            self.lines.append(record.getMessage())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.lists(_ANSWERS, min_size=1, max_size=6),
    login_first=st.booleans(),
    call=st.sampled_from(["get", "post", "login"]),
    sessions=st.sampled_from([1, 2]),
)
def test_whatever_the_server_answers_only_library_errors_come_out(
    answers: list[Answer],
    login_first: bool,
    call: str,
    sessions: int,
) -> None:
    queue = [*(_LOGIN_OK if login_first else []), *answers]

    def handler(request: httpx.Request) -> httpx.Response:
        return _response(queue.pop(0) if len(queue) > 1 else queue[0], request)

    async def scenario() -> None:
        t = Transport(
            base_url=BASE,
            username=USERNAME,
            password=PASSWORD,
            transport=httpx.MockTransport(handler),
            sessions=sessions,
            retry=RetryPolicy.no_wait(attempts=2),
        )
        async with t:
            try:
                if call == "get":
                    await t.get("/employee/edit/485")
                elif call == "post":
                    await t.post_form("/employee/insert", [("employee[firstName]", "Ann")])
                else:
                    await t.login()
            except BackofficeError:
                pass

    watcher = _Unexpected()
    logging.getLogger("sonnys_async").addHandler(watcher)
    try:
        anyio.run(scenario)  # anything but a BackofficeError fails the test
    finally:
        logging.getLogger("sonnys_async").removeHandler(watcher)
    assert watcher.lines == []  # and none was a bug caught only by the last-resort boundary
