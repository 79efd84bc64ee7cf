"""Retries of idempotent requests: which failures, the waits, and what is raised at the end."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from transport_fakes import FakeBackoffice, SleepRecorder, make_transport

from sonnys_async import _transport
from sonnys_async._transport import RetryPolicy
from sonnys_async._transport.retry import retry_after, retryable_error, retryable_status
from sonnys_async.errors import BackofficeTimeoutError, ServerError, TransportError

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


# --------------------------------------------------------------------------- policy


def test_retry_policy_validates() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(wait_max=-1.0)


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(wait_initial=1.0, wait_max=3.0, wait_jitter=0.0)
    assert [policy.wait(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]
    jittery = RetryPolicy(wait_initial=1.0, wait_jitter=0.5)
    assert all(1.0 <= jittery.wait(1) <= 1.5 for _ in range(20))


# --------------------------------------------------------------------------- the decision

NOT_SENT_ERRORS = [
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("slow"),
    httpx.PoolTimeout("busy"),
]
SENT_ERRORS = [
    httpx.ReadTimeout("slow"),
    httpx.WriteTimeout("slow"),
    httpx.RemoteProtocolError("drop"),
    httpx.ReadError("reset"),
]


@pytest.mark.parametrize("error", NOT_SENT_ERRORS + SENT_ERRORS)
def test_idempotent_requests_retry_every_transport_error(error: httpx.HTTPError) -> None:
    assert retryable_error(error, idempotent=True)


@pytest.mark.parametrize("error", NOT_SENT_ERRORS)
def test_writes_retry_only_errors_before_sending(error: httpx.HTTPError) -> None:
    assert retryable_error(error, idempotent=False)


@pytest.mark.parametrize("error", SENT_ERRORS)
def test_writes_never_retry_errors_after_sending(error: httpx.HTTPError) -> None:
    assert not retryable_error(error, idempotent=False)


def test_errors_outside_the_transport_are_not_retried() -> None:
    error = httpx.DecodingError("bad gzip")
    assert not retryable_error(error, idempotent=True)
    assert not retryable_error(error, idempotent=False)


@pytest.mark.parametrize(
    ("status", "idempotent", "expected"),
    [
        (500, True, True),
        (503, True, True),
        (429, True, True),
        (200, True, False),
        (302, True, False),
        (404, True, False),
        (500, False, False),
        (429, False, False),
    ],
)
def test_which_answers_are_retried(status: int, idempotent: bool, expected: bool) -> None:
    assert retryable_status(status, idempotent=idempotent) is expected


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(httpx.Headers({"Retry-After": " 7 "})) == 7.0
    assert retry_after(httpx.Headers()) is None
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers({"Retry-After": "-1"})) is None
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert retry_after(httpx.Headers({"Retry-After": past})) == 0.0
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    waited = retry_after(httpx.Headers({"Retry-After": future}))
    assert waited is not None
    assert 100.0 < waited <= 120.0
