"""Login (protocol §3): lazy and single-flight, refusals with the server's reason, and
session expiry (§3.3): one re-login per expiry and one replay of the request."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import anyio
import httpx
import pytest
from transport_fakes import (
    BASE,
    LOGIN_HTML,
    PASSWORD,
    USERNAME,
    FakeBackoffice,
    make_transport,
    redirect,
)

from sonnys_async._constants import USER_AGENT
from sonnys_async._transport import Limits
from sonnys_async._transport.login import is_expired
from sonnys_async.errors import AuthenticationError

# --------------------------------------------------------------------------- login


async def test_login_is_lazy_and_happens_once(fake: FakeBackoffice) -> None:
    t = make_transport(fake)
    assert fake.requests == []  # constructing sends nothing

    first = await t.get("/employee")
    second = await t.get("/employee")

    assert [r.url.path for r in fake.requests] == [
        "/login",
        "/login_check",
        "/employee",
        "/employee",
    ]
    assert first.status == second.status == 200
    assert t.stats.logins == 1
    assert t.stats.count("GET", "/employee") == 2
    assert t.stats.total_without_login == 2
    await t.aclose()


async def test_login_body_headers_and_user_agent(fake: FakeBackoffice) -> None:
    async with make_transport(fake) as t:
        await t.login()
    login_call = fake.requests[1]
    assert login_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(login_call.content.decode()) == [
        ("_username", USERNAME),
        ("_password", PASSWORD),
    ]
    assert login_call.content.startswith(b"_username=automation-bot&_password=")
    assert login_call.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("sonnys-async/")
    assert "httpx/" in USER_AGENT


async def test_login_failure_reads_the_alert_and_hides_the_password(
    fake: FakeBackoffice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sonnys_async")
    t = make_transport(fake, password="wrong-Pa55word!")
    with pytest.raises(AuthenticationError, match=r"Invalid credentials\.") as info:
        await t.get("/employee")
    assert "wrong-Pa55word" not in str(info.value)
    assert "wrong-Pa55word" not in caplog.text
    # the alert was read from one more GET /login on the same session; nothing else was sent
    assert fake.calls("GET", "/login") == 2
    assert fake.calls("GET", "/employee") == 0
    await t.aclose()


async def test_throttled_login_reports_the_server_message(fake: FakeBackoffice) -> None:
    fake.throttled = True
    async with make_transport(fake) as t:
        with pytest.raises(AuthenticationError, match="Too many failed login attempts"):
            await t.login()


# --------------------------------------------------------------------------- session expiry


async def test_get_bounce_to_login_relogs_in_and_replays(fake: FakeBackoffice) -> None:
    async with make_transport(fake) as t:
        await t.get("/employee")
        fake.expire_all()
        resp = await t.get("/employee", params={"filter[name]": "Ann"})
    assert resp.status == 200
    assert resp.url == "/employee?filter%5Bname%5D=Ann"
    assert t.stats.logins == 2
    assert t.stats.relogins == 1
    assert fake.calls("GET", "/employee") == 3  # first, bounced, replayed


async def test_post_bounce_is_replayed_once(fake: FakeBackoffice) -> None:
    applied: list[bytes] = []

    def insert(request: httpx.Request, sid: str) -> httpx.Response:
        applied.append(request.content)
        return redirect("/employee/permissions/486")

    fake.on("/employee/insert", insert)
    async with make_transport(fake) as t:
        await t.login()
        fake.expire_all()
        resp = await t.post_form("/employee/insert", [("employee[firstName]", "Ann")])
    assert resp.location == "/employee/permissions/486"
    assert applied == [b"employee%5BfirstName%5D=Ann"]
    assert fake.calls("POST", "/employee/insert") == 2
    assert t.stats.logins == 2


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_second_bounce_is_an_authentication_error(fake: FakeBackoffice, method: str) -> None:
    fake.on("/locked", lambda r, s: redirect("/login"))
    async with make_transport(fake) as t:
        call = t.get("/locked") if method == "GET" else t.post_form("/locked", [("a", "1")])
        with pytest.raises(AuthenticationError, match="login page"):
            await call
    assert t.stats.logins == 2  # the first login, one re-login, then give up
    assert fake.calls(method, "/locked") == 2


async def test_login_page_served_with_200_means_expiry(fake: FakeBackoffice) -> None:
    answers = iter([httpx.Response(200, text=LOGIN_HTML.format(alert="")), httpx.Response(200)])
    fake.on("/employee", lambda r, s: next(answers))
    async with make_transport(fake) as t:
        resp = await t.get("/employee")
    assert resp.status == 200
    assert t.stats.logins == 2


@pytest.mark.parametrize("status", [401, 403])
async def test_401_and_403_mean_expiry(fake: FakeBackoffice, status: int) -> None:
    answers = iter([httpx.Response(status), httpx.Response(200, text="ok")])
    fake.on("/employee", lambda r, s: next(answers))
    async with make_transport(fake) as t:
        assert (await t.get("/employee")).text == "ok"
    assert t.stats.relogins == 1


@pytest.mark.parametrize("concurrent", [2, 10])
async def test_concurrent_expiry_causes_one_login(fake: FakeBackoffice, concurrent: int) -> None:
    fake.yields = 3  # every request is in flight before any answer comes back
    async with make_transport(fake, limits=Limits(max_concurrency=concurrent)) as t:
        await t.login()
        fake.expire_all()
        results: list[int] = []

        async def one(i: int) -> None:
            results.append((await t.get(f"/employee/edit/{i}")).status)

        async with anyio.create_task_group() as tg:
            for i in range(concurrent):
                tg.start_soon(one, i)
    assert results == [200] * concurrent
    assert t.stats.logins == 2  # the first one and exactly one re-login
    assert t.stats.count("GET", "/employee/edit/{id}") == 2 * concurrent
    assert fake.max_in_flight == concurrent


# --------------------------------------------------------------------------- expiry signals


@pytest.mark.parametrize(
    ("response", "expired"),
    [
        (httpx.Response(401), True),
        (httpx.Response(403), True),
        (redirect("/login"), True),
        (redirect(f"{BASE}/login"), True),
        (httpx.Response(200, text=LOGIN_HTML.format(alert="")), True),
        (redirect("/"), False),
        (redirect("/login_check"), False),
        (redirect("/employee/edit/485?actionXfer=TOzz5LjN"), False),
        (httpx.Response(200, text="<html>page</html>"), False),
        (httpx.Response(500, text=LOGIN_HTML.format(alert="")), False),
    ],
)
def test_what_counts_as_an_expired_session(response: httpx.Response, expired: bool) -> None:
    assert is_expired(response) is expired
