"""The lean request path: form bodies, the sidebar's guard memo, parses from #main-column.

Each shortcut must give the very result of the slow path it replaces; nothing here times.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonnys_async._transport.body import read_capped
from sonnys_async._transport.formbody import FormEncoder
from sonnys_async._transport.markup import MarkupGuard
from sonnys_async._transport.send import _redirect_target, build_request
from sonnys_async.core import pages
from sonnys_async.core.forms import encode_pairs
from sonnys_async.core.guard import MAX_DEPTH, check_markup
from sonnys_async.errors import PageStructureError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
SIDEBAR = "<div class='container-sidebar'><nav id='main-menu'><ul>" + (
    "<li><a class='sonny-nav' href='/x'>Item</a></li>\n" * 3000
)
SIDEBAR_END = "</ul></nav></div>\n"

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(TEXT, TEXT), max_size=6))
def test_form_bodies_are_the_core_serializers_bytes(pairs: list[tuple[str, str]]) -> None:
    encoder = FormEncoder()
    assert encoder.encode(pairs) == encode_pairs(pairs)
    assert encoder.encode(pairs) == encode_pairs(pairs)  # names now remembered


def test_a_captured_browser_body_is_encoded_as_sent() -> None:
    pairs = [("employee[firstName]", "José ~*-._"), ("note", "a\nb\r\nc"), ("x", "a+b&c=d%")]
    assert FormEncoder().encode(pairs) == encode_pairs(pairs)


def _padded(page: str) -> str:
    """A captured page with a realistic sidebar before its main column, as served."""
    cut = page.index(pages.MAIN_COLUMN)
    return page[:cut] + SIDEBAR + SIDEBAR_END + page[cut:]


def test_the_guard_remembers_the_sidebar_and_still_refuses_deep_markup() -> None:
    page = _padded((FIXTURES / "employee_search_by_name.html").read_text(encoding="utf-8"))
    guard = MarkupGuard()
    guard.check(page, page="/employee")
    guard.check(page, page="/employee")  # the remembered prefix: only the rest is scanned
    cut = page.index(pages.MAIN_COLUMN)
    deep = page[:cut] + pages.MAIN_COLUMN + ">" + "<div>" * (MAX_DEPTH + 1) + page[cut:]
    with pytest.raises(PageStructureError, match="nested at most"):
        guard.check(deep, page="/employee")
    with pytest.raises(PageStructureError):
        check_markup(deep, page="/employee")


def test_the_guard_gives_the_whole_page_verdict_near_the_bound() -> None:
    # The sidebar leaves elements open; the rest alone is held to the bound minus its depth,
    # and a page the whole-page check accepts is accepted.
    prefix = "<html><body>" + "<section>" * 10 + "x" * 20_000
    ok = prefix + pages.MAIN_COLUMN + ">" + "<div>" * (MAX_DEPTH - 14) + "</html>"
    guard = MarkupGuard()
    guard.check(prefix + pages.MAIN_COLUMN + "></div></html>", page="p")
    check_markup(ok, page="p")
    guard.check(ok, page="p")


@pytest.mark.parametrize(
    "name",
    ["employee_search_by_name.html", "employee_edit_54.html", "user_create.html"],
)
def test_pages_parse_the_same_from_the_main_column(name: str) -> None:
    page = (FIXTURES / name).read_text(encoding="utf-8")
    parse = {
        "employee_search_by_name.html": pages.parse_employee_list,
        "employee_edit_54.html": pages.parse_employee_edit,
        "user_create.html": pages.parse_user_create,
    }[name]
    assert repr(parse(page)) == repr(parse(_padded(page)))


# -- requests built once, as httpx's client would build them

_PATHS = st.sampled_from(
    [
        "/employee",
        "/employee/7",
        "/employee/create?x=1",
        "/a b/%zz",
        "relative",
        "//evil/x",
        "/employee#top",
    ]
)
_QUERY = st.none() | st.lists(
    st.tuples(TEXT, st.one_of(TEXT, st.none(), st.integers(), st.booleans())), max_size=4
)


@given(
    st.sampled_from(
        ["http://127.0.0.1:8000", "https://washu.sonnyscontrols.com/", "http://h/sub/"]
    ),
    st.sampled_from(["GET", "POST"]),
    _PATHS,
    _QUERY,
    st.none() | st.binary(max_size=20),
)
def test_requests_are_built_as_httpx_builds_them(
    base: str,
    method: str,
    path: str,
    query: list[tuple[str, str | int | float | bool | None]] | None,
    content: bytes | None,
) -> None:
    client = httpx.AsyncClient(
        base_url=base, headers={"User-Agent": "ua"}, timeout=httpx.Timeout(3, read=9)
    )
    ours = build_request(client, method, path, query, content)
    form = {"Content-Type": "application/x-www-form-urlencoded"} if content is not None else None
    theirs = client.build_request(method, path, params=query, content=content, headers=form)
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert list(ours.headers.raw) == list(theirs.headers.raw)
    assert ours.extensions == theirs.extensions
    assert ours.content == theirs.content


@pytest.mark.parametrize(
    ("location", "refused"),
    [
        ("/employee/edit/12?tab=pos&x=%20", False),
        ("/login", False),
        ("https://washu.sonnyscontrols.com/employee", False),
        ("http://[::1", True),  # httpx cannot parse it: the answer is unusable
        ("/a\x00b", True),
        ("/" + "a" * 70_000, True),  # plain, but over httpx's length limit
        ("/" + "a" * 3_000, False),  # long: left to httpx, which takes it
    ],
)
def test_a_redirect_is_refused_exactly_when_httpx_cannot_follow_it(
    location: str, refused: bool
) -> None:
    request = httpx.Request("POST", "https://washu.sonnyscontrols.com/employee/create")
    response = httpx.Response(302, headers={"Location": location}, request=request)
    if refused:
        with pytest.raises(httpx.InvalidURL):
            _redirect_target(response)
    else:
        _redirect_target(response)


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/html; charset=UTF-8", "Café".encode(), "Café"),
        ("text/html;charset=utf8", "Café".encode(), "Café"),
        ("text/html; charset=ISO-8859-1", "Café".encode("latin-1"), "Café"),
        ("text/html", "Café".encode(), "Café"),
    ],
)
async def test_answers_decode_by_their_charset(content_type: str, body: bytes, text: str) -> None:
    request = httpx.Request("GET", "https://washu.sonnyscontrols.com/employee")
    streamed = httpx.Response(
        200, headers={"Content-Type": content_type}, stream=httpx.ByteStream(body), request=request
    )
    read = await read_capped(streamed, limit=1000, method="GET", url="/employee")
    assert read.text == text
