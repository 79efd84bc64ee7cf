"""The route table: which method and path reach which page, 404/405 answers, unknown record ids."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.sandbox.context import Request, Server
from sonnys_async.sandbox.responses import Response, html_page
from sonnys_async.sandbox.routes import PUBLIC_PATHS, ROUTES
from sonnys_async.sandbox.routing import Route, Router, page_and_limit, record_id
from sonnys_async.sandbox.rules import messages as rules

from .helpers import alerts, logged_in, make_sandbox, post, seed_capture_records


def _h1(html: str) -> str:
    node = LexborHTMLParser(html).css_first("h1#page-title")
    return node.text() if node is not None else ""


@pytest.mark.parametrize(
    ("path", "same_as"),
    [
        ("/employee/", "/employee"),
        ("/employee//create", "/employee/create"),
        ("/user/", "/user"),
        ("/employee/edit//485", "/employee/edit/485"),
    ],
)
async def test_list_and_record_routes_ignore_empty_segments(path, same_as):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        loose, strict = await c.get(path), await c.get(same_as)
    assert loose.status_code == strict.status_code == 200
    assert _h1(loose.text) == _h1(strict.text) != ""


@pytest.mark.parametrize(
    "path",
    ["/login/", "/pos-permission-template/list/", "/nope", "/employee/x", "/user/1:2:3"],
)
async def test_exact_routes_and_unknown_paths_answer_the_404_page(path):
    sb = make_sandbox()
    async with logged_in(sb) as c:
        r = await c.get(path)
    assert r.status_code == 404
    assert _h1(r.text) == "Page Not Found"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 405),
        ("/employee", 405),
        ("/employee/create", 405),
        ("/user", 405),
        ("/user/create", 405),
        ("/employee/", 404),
        ("/login", 404),
        ("/employee/edit/485", 404),
        ("/employee/insert/", 404),
    ],
)
async def test_post_to_a_get_only_page_is_405_and_elsewhere_404(path, status):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        r = await post(c, path, [("a", "1")])
    assert r.status_code == status
    assert r.headers["content-type"] == "text/html; charset=UTF-8"
    assert _h1(r.text) == "Page Not Found"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_get_a_plain_405_after_authentication(method):
    sb = make_sandbox()
    async with logged_in(sb) as c:
        r = await c.request(method, "/nope")
    assert (r.status_code, r.text) == (405, "Method Not Allowed")
    assert r.headers["content-type"] == "text/plain"
    async with sb.client() as anonymous:
        r = await anonymous.request(method, "/employee")
    assert (r.status_code, r.headers["location"]) == (302, "/login")


async def test_head_is_answered_like_get():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        head, get = await c.head("/employee"), await c.get("/employee")
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]


async def test_list_page_segments_carry_page_and_limit():
    sb = make_sandbox(employees=0, bo_users=0)
    for n in range(7):
        sb.state.add_employee(first_name=f"Emp{n}", pos_user_id=7000 + n)
    async with logged_in(sb) as c:
        page = (await c.get("/employee/2:3")).text
        user_page = await c.get("/user/3312060")  # a user id: still a list page (§12.3)
    shown = LexborHTMLParser(page).css("table.table-employees-list tbody tr")
    assert [tr.css_first("td").text(strip=True) for tr in shown] == ["Emp3", "Emp4", "Emp5"]
    assert user_page.status_code == 200
    assert _h1(user_page.text) == "Back Office Users"


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ("/employee/edit/abc", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),
        ("/employee/edit/999999", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),
        ("/employee/edit/3312102", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),  # a BO user id
        ("/employee/edit/%C2%B9", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),  # "¹" is no digit
        ("/employee/permissions/0", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),
        ("/employee/compensation/-1", "/employee", rules.MSG_UNKNOWN_EMPLOYEE),
        ("/user/permissions/0", "/user", rules.MSG_UNKNOWN_USER),
        ("/user/permissions/485", "/user", rules.MSG_UNKNOWN_USER),  # an employee id
        ("/user/edit/abc", "/user", rules.MSG_UNKNOWN_USER),
    ],
)
async def test_unknown_record_ids_redirect_to_the_list_with_an_alert(path, target, message):
    sb = make_sandbox()
    seed_capture_records(sb)
    async with logged_in(sb) as c:
        r = await c.get(path)
        assert r.status_code == 302
        assert r.headers["location"] == target
        page = (await c.get(target)).text
        assert alerts(page) == ("danger", [message])
        assert alerts((await c.get(target)).text) == ("", [])  # one-shot


def test_route_table_has_one_route_per_method_and_pattern():
    keys = [(r.method, r.pattern) for r in ROUTES]
    assert len(keys) == len(set(keys))
    posts = {
        r.pattern for r in ROUTES if r.method == "POST" and r.handler.__name__ != "not_allowed_page"
    }
    assert posts == {
        "/login_check",
        "/employee/insert",
        "/employee/update",
        "/employee/permissions/update",
        "/employee/compensation/update",
        "/user/insert",
        "/user/update",
        "/user/permissions/update",
    }
    assert all(r.exact for r in ROUTES if r.method == "POST")
    assert {"/login", "/login_check", "/logout"} <= PUBLIC_PATHS


def _answer(text: str):
    def handler(server: Server, request: Request) -> Response:
        return html_page(text)

    return handler


def test_route_patterns_match_exactly_or_by_segments():
    router = Router(
        [
            Route("GET", "/a", _answer("exact"), exact=True),
            Route("GET", "/b/{page:page}", _answer("page")),
            Route("GET", "/b/edit/{id}", _answer("edit")),
        ],
        fallback=_answer("fallback"),
        bad_method=_answer("bad"),
    )

    def name(method: str, path: str) -> tuple[str, dict[str, str]]:
        handler, args = router.resolve(method, path)
        return handler(None, None).body.decode(), args  # type: ignore[arg-type]

    assert router.resolve("GET", "/a")[1] == {}
    assert name("GET", "/a")[0] == "exact"
    assert name("HEAD", "/a")[0] == "exact"
    assert name("GET", "/a/")[0] == "fallback"
    assert name("GET", "//b//12:5") == ("page", {"page": "12:5"})
    assert name("GET", "/b/12:")[0] == "fallback"
    assert name("GET", "/b/1234567890123")[0] == "fallback"
    assert name("GET", "/b/edit/x") == ("edit", {"id": "x"})
    assert name("POST", "/a")[0] == "fallback"
    assert name("PUT", "/a")[0] == "bad"


def test_route_definitions_are_checked():
    with pytest.raises(ValueError, match="placeholders"):
        Route("GET", "/a/{id}", _answer("x"), exact=True)
    with pytest.raises(ValueError, match="kind"):
        Route("GET", "/a/{id:number}", _answer("x"))


def test_path_parameter_converters():
    assert record_id("485") == 485
    assert record_id("0485") == 485
    for junk in ("", " 5", "¹", "٣", "-1", "1.0", "999999999999"):
        assert record_id(junk) is None, junk
    assert record_id("12345678901") == 12345678901
    assert page_and_limit({}) == (1, None)
    assert page_and_limit({"page": "3"}) == (3, None)
    assert page_and_limit({"page": "2:10000"}) == (2, 10000)
