"""List pages: filters, sort, page size and pager of the employee and BO user lists (§10, §12)."""

from __future__ import annotations

import re

import anyio
import httpx
import pytest
from conftest import fixture_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.sandbox.listing import page_size, pager_pages

from .helpers import (
    alerts,
    logged_in,
    make_sandbox,
)


def _row_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'id="link-edit-employee-(\d+)"', html)]


async def test_employee_list_filters_and_paging():
    sb = make_sandbox(employees=0)
    a = sb.state.add_employee(first_name="Alice", last_name="Zeta", pos_user_id=5001, sites={1})
    b = sb.state.add_employee(first_name="alfred", last_name="Young", pos_user_id=5002, sites={17})
    c_ = sb.state.add_employee(
        first_name="Bob", last_name="Alpha", pos_user_id=5003, sites={2}, active=False
    )
    sb.state.add_employee(first_name="Nosite", last_name="X", pos_user_id=5004, sites=set())
    async with logged_in(sb) as c:
        assert sorted(_row_ids((await c.get("/employee")).text)) == sorted([a.id, b.id])
        r = await c.get("/employee", params={"first_name": "AL"})
        assert _row_ids(r.text) == [b.id, a.id]  # case-insensitive prefix, sorted by first name
        r = await c.get("/employee", params={"last_name": "y"})
        assert _row_ids(r.text) == [b.id]
        r = await c.get("/employee", params={"posUserId": "500"})
        assert _row_ids(r.text) == []  # exact, not prefix
        r = await c.get("/employee", params={"posUserId": "5003", "active": "all"})
        assert _row_ids(r.text) == [c_.id]
        assert 'class="fa fa-times fa-lg text-danger"' in r.text
        r = await c.get("/employee", params={"active": "inactive"})
        assert _row_ids(r.text) == [c_.id]
        r = await c.get("/employee", params=[("sites[]", "17"), ("active", "all")])
        assert _row_ids(r.text) == [b.id]
        r = await c.get("/employee", params={"q": "Bob", "search": "x", "page": "2"})
        assert sorted(_row_ids(r.text)) == sorted([a.id, b.id])  # unknown params ignored
        r = await c.get("/employee", params={"limit": "1", "sort_type": "last_name"})
        assert _row_ids(r.text) == [b.id]
        assert 'id="pager-employees-next"' in r.text
        r = await c.get("/employee/2", params={"limit": "1", "sort_type": "last_name"})
        assert _row_ids(r.text) == [a.id]
        assert 'id="pager-employees-prev"' in r.text
        r = await c.get("/employee/9")
        assert r.status_code == 200
        assert _row_ids(r.text) == []


async def test_default_page_size_is_25():
    sb = make_sandbox(employees=60)
    async with logged_in(sb) as c:
        r = await c.get("/employee", params={"active": "all"})
        assert len(_row_ids(r.text)) == 25
        r = await c.get("/employee", params={"active": "all", "limit": "10000"})
        assert len(_row_ids(r.text)) == sum(
            1 for e in sb.state.employees.values() if sb.state.site_ids_of(e.sites)
        )


async def test_user_list_filters_and_pages():
    sb = make_sandbox(bo_users=30)
    async with logged_in(sb) as c:
        r = await c.get("/user")
        ids = re.findall(r'id="link-edit-user-(\d+)"', r.text)
        assert len(ids) == 25
        r = await c.get("/user/2")
        assert len(re.findall(r'id="link-edit-user-(\d+)"', r.text)) == len(sb.state.users) - 25
        r = await c.get("/user", params={"userNameSearch": sb.username})
        assert re.findall(r'id="link-edit-user-(\d+)"', r.text) == [str(sb.state.bot.id)]
        r = await c.get(f"/user/permissions/{999}")
        assert r.headers["location"] == "/user"
        assert alerts((await c.get("/user")).text) == ("danger", ["Unable to locate user."])


async def test_employee_pager_and_sort_links_equal_the_capture():
    sb = make_sandbox(employees=0)
    for i in range(192):  # the sample roster: 192 active employees, 8 pages of 25 (§17.7)
        sb.state.add_employee(first_name=f"E{i:03d}", last_name="X", pos_user_id=10000 + i)
    async with logged_in(sb) as c:
        html = (await c.get("/employee", params={"q": "ignored"})).text
    real = fixture_html("employee_search_by_name.html")

    def pager(h):
        return [
            (a.attributes.get("id"), a.attributes.get("href"))
            for a in LexborHTMLParser(h).css("nav#pager-employees a")
        ]

    assert pager(html) == pager(real)
    for link in ("#sort-employee-first-name", "#sort-employee-last-name"):
        assert (
            LexborHTMLParser(html).css_first(link).attributes["href"]
            == LexborHTMLParser(real).css_first(link).attributes["href"]
        )
    assert (
        LexborHTMLParser(html).css_first("nav#pager-employees li.active a").attributes["href"]
        == "#"
    )
    # rows carry no data-* id (§10.3)
    for tr in LexborHTMLParser(html).css("table.table-employees-list tbody tr"):
        assert not [k for k in tr.attributes if k.startswith("data-")]


async def test_user_pager_and_empty_row_equal_the_capture():
    sb = make_sandbox()
    async with logged_in(sb) as c:
        html = (await c.get("/user/3312060")).text
    real = fixture_html("w45f_probe_3312060.html.html")

    def pager(h):
        return [
            (a.attributes.get("id"), a.attributes.get("href"))
            for a in LexborHTMLParser(h).css("nav#pager-users a")
        ]

    assert pager(html) == pager(real)
    tbody = "table.table-users-list tbody"
    assert " ".join((LexborHTMLParser(html).css_first(tbody).html or "").split()) == " ".join(
        (LexborHTMLParser(real).css_first(tbody).html or "").split()
    )
    assert (
        LexborHTMLParser(html).css_first("#sort-user-username").attributes["href"]
        == LexborHTMLParser(real).css_first("#sort-user-username").attributes["href"]
    )


async def test_user_list_icons_and_action_links():
    sb = make_sandbox(bo_users=0)
    gone = sb.state.add_user(username="zz_gone", is_deleted=True)
    async with logged_in(sb) as c:
        html = (await c.get("/user", params={"statusSearch": "all"})).text
    rows = {
        tr.css_first("td.users-col-username").text(strip=True): tr
        for tr in LexborHTMLParser(html).css("table.table-users-list tbody tr")
    }
    bot, dead = rows[sb.username], rows["zz_gone"]
    assert bot.css_first("td.users-col-active i").attributes["class"] == (
        "fa fa-check fa-lg text-success"
    )
    assert dead.css_first("td.users-col-active i").attributes["class"] == (
        "fa fa-times fa-lg text-danger"
    )
    for row in (bot, dead):
        assert row.css_first("td.users-col-active .sr-only").text() == "Active"
    links = [a.attributes["id"] for a in dead.css("td.customers-col-edit a")]
    assert links == [f"link-edit-permissions-user-{gone.id}", f"link-edit-user-{gone.id}"]


LISTS = make_sandbox(employees=4, bo_users=2)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/employee", "/employee/2", "/user", "/user/1:5"]),
    params=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "sites[]",
                    "sites[0]",
                    "limit",
                    "active",
                    "posUserId",
                    "first_name",
                    "sort_type",
                    "sort_dir",
                    "statusSearch",
                    "userNameSearch",
                ]
            ),
            st.one_of(st.text(max_size=12), st.sampled_from(["¹", "٣", "-1", "0", "9" * 30])),
        ),
        max_size=6,
    ),
)
def test_list_queries_with_junk_never_5xx(path, params):
    sb = LISTS

    async def go() -> httpx.Response:
        async with logged_in(sb) as c:
            return await c.get(path, params=params)

    assert anyio.run(go).status_code == 200


@pytest.mark.parametrize(
    ("current", "last", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 9, 10]),
        (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 9, 10]),
        (10, 10, [1, 2, None, 8, 9, 10]),
        (14, 3, [1, 2, None, 12, 13, 14]),  # out of range: the range extends to it
    ],
)
def test_pager_shows_ends_and_neighbours_with_gaps(current, last, shown):
    assert pager_pages(current, last) == shown


@pytest.mark.parametrize(
    ("raw", "path_limit", "size"),
    [
        (None, None, 25),
        ("10", None, 10),
        (" 10 ", 3, 10),
        ("0", 7, 25),
        ("x", 7, 7),
        ("¹", 7, 7),
        ("123456789", 7, 7),  # nine digits are refused
        ("12345678", None, 12345678),
        (None, 0, 25),
    ],
)
def test_page_size_prefers_the_query_then_the_path_then_25(raw, path_limit, size):
    assert page_size(raw, path_limit) == size
