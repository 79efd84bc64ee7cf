"""Hostile input: every POST endpoint fuzzed, huge and malformed values, junk ids in paths."""

from __future__ import annotations

import copy
from urllib.parse import quote, urlencode

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonnys_async.sandbox import Sandbox

from .helpers import (
    FORM_CT,
    XFER_RE,
    logged_in,
    make_sandbox,
    post,
)


def _snapshot(sb: Sandbox) -> tuple[str, str]:
    return repr(copy.deepcopy(sb.state.employees)), repr(copy.deepcopy(sb.state.users))


FUZZ = make_sandbox(employees=4, bo_users=2)


_EMP = next(iter(FUZZ.state.employees))


_USR = max(FUZZ.state.users)


ALL_POSTS = [
    "/login_check",
    "/employee/insert",
    "/employee/update",
    "/employee/permissions/update",
    "/employee/compensation/update",
    "/user/insert",
    "/user/update",
    "/user/permissions/update",
]


KEYS = [
    "employee[id]",
    "employeeId",
    "userId",
    "user[userId]",
    "user[employeeId]",
    "employee[firstName]",
    "employee[isActive]",
    "employee[isOnSiteEmployee]",
    "posCredential[POSLoginID]",
    "employee[startDate]",
    "wage[effectiveDate]",
    "wage[regularRate]",
    "employee[departments][]",
    "employee[sites][17][siteId]",
    "employee[isAllRegionsAllowed]",
    "isAllRegionsAllowed",
    "siteIds[]",
    "perms[0][isEnabled]",
    "permissions[22][hasGrantAccess]",
    "permissions[999999999999][hasGrantAccess]",
    "_username",
    "_password",
    "employee[sites][][siteId]",
    "employee[departments]",
    "employee[email]",
    "wage[isOvertimeEligible]",
    "wage[overtimeRate]",
    "wage[siteId]",
    "templateId",
    "template",
    "perms[0][token]",
    "user[username]",
    "user[password]",
    "user[confirmPassword]",
    "user[changePassword]",
    "user[isDeleted]",
    "universalSiteAccess",
    "userIsNew",
]


VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["0", "-1", "1e9", "NaN", "99999999999999999999", str(_EMP), str(_USR), "abc", "%", "\x00"]
    ),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: "9" * n),  # absurdly long
)


RAW_BODIES = st.sampled_from(
    [
        b"%ff%fe=%c3%28&employee%5Bid%5D=%e2%82",  # percent-encoded invalid UTF-8
        b"\xff\xfe\xc3\x28=\x80",  # raw invalid UTF-8
        b"employeeId=%zz&userId=%&%%%=1",  # broken percent-encoding
        b"employeeId=" + str(_EMP).encode() + b"&employeeId=abc",  # duplicate scalar key
        b"&&&===&=&",
        b"a" * 300_000,
        b"x[]=" + b"&x[]=".join([b"1"] * 25_000),  # more fields than the server parses
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(ALL_POSTS),
    body=st.one_of(
        RAW_BODIES,
        st.binary(max_size=300),
        st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=12).map(
            lambda pairs: urlencode(pairs).encode()
        ),
    ),
)
def test_hostile_posts_on_every_endpoint_never_5xx_and_store_nothing_on_failure(path, body):
    sb = FUZZ

    async def go() -> tuple[httpx.Response, tuple[str, str]]:
        async with logged_in(sb) as c:
            before = _snapshot(sb)
            return await c.post(path, content=body, headers=FORM_CT), before

    r, before = anyio.run(go)
    assert r.status_code == 302
    loc = r.headers["location"]
    assert loc.startswith("/")
    if path == "/login_check":
        assert loc in ("/", "/login")
        return
    assert not loc.startswith("/login")
    if XFER_RE.search(loc):
        assert _snapshot(sb) == before


async def test_huge_and_malformed_values_take_the_alert_path():
    sb = make_sandbox()
    emp = sb.state.add_employee()
    async with logged_in(sb) as c:
        for body in (
            [("employee[id]", str(emp.id)), ("posCredential[POSLoginID]", "9" * 5000)],
            [("employee[id]", str(emp.id)), ("employee[startDate]", "13/45/2026")],
            [("employee[id]", "abc")],
        ):
            r = await post(c, "/employee/update", body)
            assert r.status_code == 302
            assert XFER_RE.search(r.headers["location"])
        r = await c.post("/employee/insert", content=b"%ff%fe=\xff\xfe&&&==", headers=FORM_CT)
        assert r.status_code == 302
        assert r.headers["location"].startswith("/employee/create?actionXfer=")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(
        [
            "/employee/edit/",
            "/employee/permissions/",
            "/employee/compensation/",
            "/employee/",
            "/user/",
            "/user/edit/",
            "/user/permissions/",
            "/timesheet/",
        ]
    ),
    junk=st.one_of(
        st.text(max_size=20),
        st.sampled_from(["0", "-1", "999999", "1:0", "0:0", "1:999999999", "9" * 40, "2:"]),
    ),
)
def test_gets_with_junk_ids_never_5xx(prefix, junk):
    sb = FUZZ

    async def go() -> httpx.Response:
        async with logged_in(sb) as c:
            return await c.get(prefix + quote(junk, safe=""))

    r = anyio.run(go)
    assert r.status_code in (200, 302, 404)
    if r.status_code == 302:
        assert r.headers["location"] in ("/employee", "/user")
