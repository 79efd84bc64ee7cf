"""The sandbox's own stylesheet: served by the sandbox, linked from every page, outside the
Backoffice's paths (no login, no faults, not counted), and the pages' markup otherwise unchanged
(the fidelity tests compare it)."""

from __future__ import annotations

import re

from sonnys_async.sandbox.app import STYLESHEET_PATH

from .helpers import logged_in, make_sandbox

_LINK = f'<link href="{STYLESHEET_PATH}" rel="stylesheet">'


async def test_the_stylesheet_is_served_without_login_faults_or_counting():
    sb = make_sandbox(error_rate=1.0, latency_ms=0)
    sb.faults.fail_next(None, None, status=503, count=5)
    async with sb.client() as c:
        r = await c.get(STYLESHEET_PATH)
        head = await c.head(STYLESHEET_PATH)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    assert head.status_code == 200
    assert 'input[type="checkbox"][data-toggle="toggle"]' in r.text
    assert "url(" not in r.text  # nothing is fetched from anywhere else
    assert sb.request_log == []
    assert sum(sb.counters.requests.values()) == 0


async def test_every_page_links_it_once():
    sb = make_sandbox()
    async with sb.client() as c:
        login_page = (await c.get("/login")).text
    assert login_page.count(_LINK) == 1
    emp = next(iter(sb.state.employees.values()))
    user = next(u for u in sb.state.users.values() if u.employee_id is not None)
    async with logged_in(sb) as c:
        for path in (
            "/",
            "/employee",
            f"/employee/edit/{emp.id}",
            f"/employee/permissions/{emp.id}",
            f"/employee/compensation/{emp.id}",
            "/user",
            f"/user/permissions/{user.id}",
            "/pos-permission-template/list",
        ):
            page = (await c.get(path)).text
            assert page.count(_LINK) == 1, path
            # In the head, after the Backoffice's own stylesheet link.
            head = page.split("</head>", 1)[0]
            assert re.search(r"sonnyapc\.css[^\n]*\n\s*" + re.escape(_LINK), head), path


async def test_other_sandbox_paths_stay_unknown():
    sb = make_sandbox()
    async with sb.client() as c:
        r = await c.get("/_sandbox/static/other.css")
    assert (r.status_code, r.headers["location"]) == (302, "/login")
