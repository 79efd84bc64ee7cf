"""Transport edge cases against a respx-backed fake Backoffice (no network, no waiting)."""

from __future__ import annotations

import itertools
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
    SleepRecorder,
    make_transport,
    redirect,
)

from sonnys_async import _transport
from sonnys_async._constants import USER_AGENT
from sonnys_async._transport import (
    AmbiguousWriteError,
    Limits,
    RetryPolicy,
    Transport,
    path_template,
)
from sonnys_async._transport.gate import SessionGate
from sonnys_async.errors import (
    AuthenticationError,
    BackofficeTimeoutError,
    ServerError,
    TransportError,
)

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


# --------------------------------------------------------------------------- GET retries


async def test_get_retries_503_with_exponential_backoff(
    fake: FakeBackoffice, sleeper: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sonnys_async")
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok")])
    fake.on("/employee", lambda request, sid: next(answers))
    policy = RetryPolicy(attempts=3, wait_initial=0.5, wait_max=5.0, wait_jitter=0.0)
    async with make_transport(fake, sleeper=sleeper, retry=policy) as t:
        resp = await t.get("/employee")
    assert resp.status == 200
    assert sleeper.waits == [0.5, 1.0]
    assert t.stats.retries == 2
    assert "HTTP 503" in caplog.text
    assert "HTTP 502" in caplog.text


async def test_get_honours_retry_after_on_429(fake: FakeBackoffice, sleeper: SleepRecorder) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])
    fake.on("/employee", lambda request, sid: next(answers))
    policy = RetryPolicy(wait_initial=0.1, wait_jitter=0.0)
    async with make_transport(fake, sleeper=sleeper, retry=policy) as t:
        assert (await t.get("/employee")).status == 200
    assert sleeper.waits == [7.0]


async def test_retry_after_is_capped(fake: FakeBackoffice, sleeper: SleepRecorder) -> None:
    answers = iter([httpx.Response(503, headers={"Retry-After": "3600"}), httpx.Response(200)])
    fake.on("/employee", lambda request, sid: next(answers))
    policy = RetryPolicy(wait_jitter=0.0, retry_after_max=30.0)
    async with make_transport(fake, sleeper=sleeper, retry=policy) as t:
        await t.get("/employee")
    assert sleeper.waits == [30.0]


async def test_no_wait_policy_and_testing_switch_never_sleep(
    fake: FakeBackoffice, sleeper: SleepRecorder
) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "9"}), httpx.Response(200)] * 2)
    fake.on("/employee", lambda request, sid: next(answers))
    async with make_transport(fake, sleeper=sleeper, retry=RetryPolicy.no_wait()) as t:
        await t.get("/employee")
    assert sleeper.waits == []
    _transport.set_testing(True)
    async with make_transport(fake, sleeper=sleeper, retry=RetryPolicy()) as t:
        await t.get("/employee")
    assert sleeper.waits == []
    assert RetryPolicy().wait(3, retry_after=9.0) == 0.0


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("drop")],
)
async def test_get_retries_transport_errors(fake: FakeBackoffice, error: Exception) -> None:
    fake.router.get("/employee").mock(side_effect=[error, httpx.Response(200, text="fine")])
    async with make_transport(fake) as t:
        resp = await t.get("/employee")
    assert resp.text == "fine"
    assert t.stats.count("GET", "/employee") == 2


async def test_get_gives_up_with_translated_errors(fake: FakeBackoffice) -> None:
    fake.router.get("/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    fake.router.get("/down").mock(return_value=httpx.Response(503))
    fake.router.get("/refused").mock(side_effect=httpx.ConnectError("refused"))
    async with make_transport(fake, retry=RetryPolicy.no_wait(attempts=2)) as t:
        with pytest.raises(BackofficeTimeoutError) as timeout:
            await t.get("/slow")
        with pytest.raises(ServerError) as server:
            await t.get("/down")
        with pytest.raises(TransportError) as refused:
            await t.get("/refused")
    assert isinstance(timeout.value.__cause__, httpx.ReadTimeout)
    assert timeout.value.method == "GET"
    assert timeout.value.url == "/slow"
    assert server.value.status == 503
    assert isinstance(refused.value.__cause__, httpx.ConnectError)
    assert fake.calls("GET", "/slow") == fake.calls("GET", "/down") == 2


# --------------------------------------------------------------------------- POST safety


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("drop"), httpx.ReadError("x")]
)
async def test_post_is_not_retried_after_sending(fake: FakeBackoffice, error: Exception) -> None:
    route = fake.router.post("/employee/insert").mock(side_effect=error)
    async with make_transport(fake) as t:
        with pytest.raises(AmbiguousWriteError) as info:
            await t.post_form("/employee/insert", [("employee[firstName]", "Ann")])
    assert route.call_count == 1
    assert isinstance(info.value, TransportError)
    assert info.value.method == "POST"
    assert info.value.url == "/employee/insert"
    assert info.value.__cause__ is error


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
)
async def test_post_error_before_sending_is_retried(fake: FakeBackoffice, error: Exception) -> None:
    route = fake.router.post("/employee/insert").mock(
        side_effect=[error, redirect("/employee/permissions/9")]
    )
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/insert", [("a", "1")])
    assert route.call_count == 2
    assert resp.status == 302
    assert resp.location == "/employee/permissions/9"


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_post_5xx_is_ambiguous_and_not_retried(fake: FakeBackoffice, status: int) -> None:
    # A proxy may answer 5xx after the application committed: the caller must settle it.
    route = fake.router.post("/employee/insert").mock(return_value=httpx.Response(status))
    async with make_transport(fake, sessions=2) as t:
        with pytest.raises(AmbiguousWriteError) as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert isinstance(info.value.__cause__, ServerError)
    assert info.value.__cause__.status == status
    assert info.value.session is not None
    assert route.call_count == 1


async def test_post_429_is_a_server_error_without_retry(fake: FakeBackoffice) -> None:
    route = fake.router.post("/employee/insert").mock(return_value=httpx.Response(429))
    async with make_transport(fake) as t:
        with pytest.raises(ServerError) as info:
            await t.post_form("/employee/insert", [("a", "1")])
    assert info.value.status == 429
    assert route.call_count == 1


async def test_post_body_keeps_order_and_repeats(fake: FakeBackoffice) -> None:
    route = fake.router.post("/employee/update").mock(return_value=redirect("/employee"))
    pairs = [
        ("employee[departments][]", "2"),
        ("employee[firstName]", "A b"),
        ("employee[departments][]", "5"),
    ]
    async with make_transport(fake) as t:
        await t.post_form("/employee/update", pairs)
    request = route.calls.last.request
    assert request.content == (
        b"employee%5Bdepartments%5D%5B%5D=2&employee%5BfirstName%5D=A+b"
        b"&employee%5Bdepartments%5D%5B%5D=5"
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


# --------------------------------------------------------------------------- redirects


async def test_redirects_are_returned_not_followed(fake: FakeBackoffice) -> None:
    fake.on("/employee/update", lambda r, s: redirect("/employee"))
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/update", [("employee[id]", "485")])
    assert resp.status == 302
    assert resp.is_redirect
    assert resp.location == "/employee"
    assert resp.followed is None
    assert fake.calls("GET", "/employee") == 0


async def test_a_bounced_form_is_read_once_on_its_own_session(fake: FakeBackoffice) -> None:
    # Protocol §2.4: only an ``actionXfer`` bounce is fetched, to read the server's messages.
    fake.on("/employee/update", lambda r, s: redirect("/employee/edit/485?actionXfer=TOzz5LjN"))
    async with make_transport(fake, sessions=2) as t:
        resp = await t.post_form("/employee/update", [("employee[id]", "485")])
    assert resp.location == "/employee/edit/485?actionXfer=TOzz5LjN"
    assert fake.calls("GET", "/employee/edit/485") == 1
    assert resp.followed is not None
    assert "followed" not in repr(resp)
    assert "text" not in repr(resp)


async def test_absolute_location_is_made_relative(fake: FakeBackoffice) -> None:
    fake.on("/x", lambda r, s: redirect(f"{BASE}/employee"))
    async with make_transport(fake) as t:
        assert (await t.get("/x")).location == "/employee"


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


# --------------------------------------------------------------------------- session pool


async def test_pool_logs_in_each_session_and_spreads_requests(fake: FakeBackoffice) -> None:
    fake.yields = 2
    async with make_transport(fake, sessions=3) as t:
        await t.login()
        assert t.stats.logins == 3
        async with anyio.create_task_group() as tg:
            for i in range(9):
                tg.start_soon(t.get, f"/employee/edit/{i}")
        assert t.sessions == 3
    assert sorted(fake.page_sessions.count(s) for s in set(fake.page_sessions)) == [3, 3, 3]


async def test_pool_survives_an_ordinary_expiry(fake: FakeBackoffice) -> None:
    async with make_transport(fake, sessions=2) as t:
        for i in range(4):
            await t.get(f"/employee/edit/{i}")
        fake.expire_all()
        for i in range(4):
            await t.get(f"/employee/edit/{i}")
        assert t.sessions == 2
    assert t.stats.logins == 4


async def test_pool_thrash_shrinks_to_one_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="sonnys_async")
    fake = FakeBackoffice(single_session=True)
    async with make_transport(fake, sessions=3) as t:
        for i in range(20):
            assert (await t.get(f"/employee/edit/{i}")).status == 200
        logins_after_shrink = t.stats.logins
        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(t.get, f"/employee/edit/{i}")
        assert t.sessions == 1
        assert t.stats.logins == logins_after_shrink  # stable: no more login loops
    assert logins_after_shrink <= 3 + 4
    assert caplog.text.count("ends older sessions") == 1


# --------------------------------------------------------------------------- limits


async def test_rate_limit_spaces_requests_on_the_clock(
    fake: FakeBackoffice, sleeper: SleepRecorder
) -> None:
    started: list[float] = []
    fake.on("/x", lambda r, s: (started.append(sleeper.now), httpx.Response(200))[1])
    limits = Limits(max_per_second=4)
    async with make_transport(fake, sleeper=sleeper, limits=limits) as t:
        await t.login()
        for _ in range(5):
            await t.get("/x")
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(started)]
    assert gaps == [0.25] * 4
    # the login's GET and POST were spaced too
    assert len(sleeper.waits) == 6


async def test_rate_limit_queues_concurrent_callers(fake: FakeBackoffice) -> None:
    frozen = SleepRecorder(advance=False)
    async with make_transport(fake, sleeper=frozen, limits=Limits(max_per_second=2)) as t:
        await t.login()
        frozen.waits.clear()
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(t.get, "/x")
    # the clock never moved, so each caller waits one interval longer than the previous one
    assert [round(w - frozen.waits[0], 6) for w in frozen.waits] == [0.0, 0.5, 1.0, 1.5]


async def test_max_concurrency_caps_requests_in_flight(fake: FakeBackoffice) -> None:
    fake.yields = 5
    async with make_transport(fake, limits=Limits(max_concurrency=2)) as t:
        await t.login()
        async with anyio.create_task_group() as tg:
            for i in range(8):
                tg.start_soon(t.get, f"/employee/edit/{i}")
    assert fake.max_in_flight == 2


def test_config_objects_validate() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="max_concurrency"):
        Limits(max_concurrency=0)
    with pytest.raises(ValueError, match="max_per_second"):
        Limits(max_per_second=0)
    with pytest.raises(ValueError, match="sessions"):
        Transport(base_url=BASE, username="u", password="p", sessions=0)


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(wait_initial=1.0, wait_max=3.0, wait_jitter=0.0)
    assert [policy.wait(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]
    jittery = RetryPolicy(wait_initial=1.0, wait_jitter=0.5)
    assert all(1.0 <= jittery.wait(1) <= 1.5 for _ in range(20))


def test_path_template() -> None:
    assert path_template("/employee/edit/485?actionXfer=x") == "/employee/edit/{id}"
    assert path_template("/user/permissions/3312102") == "/user/permissions/{id}"
    assert path_template("/employee") == "/employee"


async def test_closed_transport_refuses_requests(fake: FakeBackoffice) -> None:
    t = make_transport(fake)
    await t.aclose()
    await t.aclose()  # idempotent
    with pytest.raises(TransportError, match="closed"):
        await t.get("/employee")


# --------------------------------------------------------------------------- secrets


async def test_secrets_never_reach_logs_or_errors(
    fake: FakeBackoffice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sonnys_async")
    fake.router.post("/user/insert").mock(side_effect=httpx.ReadTimeout("lost"))
    errors: list[str] = []
    async with make_transport(fake) as t:
        await t.post_form(
            "/employee/insert",
            [("employee[firstName]", "Ann"), ("posCredential[POSLoginPassword]", "48213")],
        )
        try:
            await t.post_form(
                "/user/insert",
                [
                    ("user[username]", "ann1"),
                    ("user[password]", "N3wUserPw99"),
                    ("user[confirmPassword]", "N3wUserPw99"),
                ],
            )
        except AmbiguousWriteError as exc:
            errors.append(str(exc))
            errors.append(repr(exc))
        errors.append(repr(t))
    cookie = fake.page_sessions[0]
    text = caplog.text + "".join(errors)
    assert "user[username]=ann1" in caplog.text  # bodies are logged, redacted
    for secret in (PASSWORD, "48213", "N3wUserPw99", f"PHPSESSID={cookie}"):
        assert secret not in text


# --------------------------------------------------------------------------- session gate


async def test_gate_exclusive_waits_for_readers_and_holds_new_ones_back() -> None:
    gate = SessionGate()
    order: list[str] = []
    reader_in = anyio.Event()
    release_reader = anyio.Event()

    async def first_reader() -> None:
        async with gate.shared():
            reader_in.set()
            await release_reader.wait()
            order.append("reader 1 out")

    async def writer() -> None:
        async with gate.exclusive():
            order.append("writer in")

    async def late_reader() -> None:
        async with gate.shared():
            order.append("reader 2 in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(first_reader)
        await reader_in.wait()
        tg.start_soon(writer)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(late_reader)
        await anyio.wait_all_tasks_blocked()
        assert order == []  # the writer waits for reader 1; reader 2 waits for the writer
        release_reader.set()
    assert order == ["reader 1 out", "writer in", "reader 2 in"]


async def test_gate_cancelled_writer_releases_waiting_readers() -> None:
    gate = SessionGate()
    entered: list[str] = []
    hold = anyio.Event()
    writer_scope = anyio.CancelScope()

    async def reader(name: str) -> None:
        async with gate.shared():
            entered.append(name)
            if name == "r1":
                await hold.wait()

    async def writer() -> None:
        with writer_scope:
            async with gate.exclusive():
                entered.append("writer")

    async with anyio.create_task_group() as tg:
        tg.start_soon(reader, "r1")
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(writer)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(reader, "r2")
        await anyio.wait_all_tasks_blocked()
        assert entered == ["r1"]  # r2 waits behind the waiting writer
        writer_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        assert entered == ["r1", "r2"]  # the cancelled writer let r2 in while r1 still reads
        hold.set()
