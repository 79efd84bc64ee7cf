"""Failure paths: unverifiable writes carry ``partial``, server messages surface, lost answers
are settled by reading state (never by blind resending)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

import anyio
import httpx
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.errors import (
    DuplicateError,
    FormRejectedError,
    WriteNotVerifiedError,
)
from sonnys_async.models import EmployeeCreated
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client

Rewrite = Callable[[list[tuple[str, str]]], list[tuple[str, str]]]


class Tamper(httpx.AsyncBaseTransport):
    """Wraps the sandbox transport and rewrites the body of POSTs to chosen paths."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rewrites: dict[str, Rewrite]) -> None:
        self.inner = inner
        self.rewrites = rewrites

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        rewrite = self.rewrites.get(request.url.path)
        if request.method == "POST" and rewrite is not None:
            body = await request.aread()
            pairs = parse_qsl(body.decode(), keep_blank_values=True)
            content = urlencode(rewrite(pairs)).encode()
            headers = dict(request.headers)
            headers["content-length"] = str(len(content))
            request = httpx.Request(request.method, request.url, headers=headers, content=content)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _tampered(sb: Sandbox, rewrites: dict[str, Rewrite]) -> AsyncBackofficeClient:
    return AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=Tamper(sb.transport(), rewrites),
        retry=RetryPolicy.no_wait(),
    )


def _no_grants(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if not k.endswith("[hasGrantAccess]")]


async def test_unverifiable_template_raises_with_partial(sb: Sandbox) -> None:
    async with _tampered(sb, {"/employee/permissions/update": _no_grants}) as client:
        args = hire()
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.create_employee(**args)
    partial = exc.value.partial
    assert isinstance(partial, EmployeeCreated)
    assert not partial.verified
    stored = sb.state.employees[partial.employee_id]
    assert stored.pos_user_id == args["pos_user_id"]
    assert stored.pos_pin == partial.pos_pin
    assert str(partial.pos_pin) not in str(exc.value)


async def test_verify_false_trusts_redirects(sb: Sandbox) -> None:
    async with _tampered(sb, {"/employee/permissions/update": _no_grants}) as client:
        await client.list_sites()
        await client.list_pos_templates()
        client.transport.stats.reset()
        result = await client.create_employee(**hire(verify=False))
        assert client.transport.stats.total_without_login == 3
    assert not result.verified
    assert sb.state.employees[result.employee_id].grants == frozenset()


async def test_server_validation_messages_surface(sb: Sandbox) -> None:
    def blank_date(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, "" if k == "employee[startDate]" else v) for k, v in pairs]

    count = len(sb.state.employees)
    async with _tampered(sb, {"/employee/insert": blank_date}) as client:
        with pytest.raises(FormRejectedError) as exc:
            await client.create_employee(**hire())
    assert "Start Date must be a valid date." in exc.value.messages
    assert len(sb.state.employees) == count


async def test_duplicate_phone_from_the_server(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    existing = next(e for e in sb.state.employees.values() if e.phone)
    with pytest.raises(DuplicateError) as exc:
        await client.create_employee(**hire(phone=existing.phone))
    assert exc.value.field == "phone"


@pytest.mark.parametrize("after_apply", [True, False])
async def test_lost_disable_answer_is_settled_by_reading(sb: Sandbox, after_apply: bool) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire())
        sb.faults.drop_next(method="POST", path="/employee/update", after_apply=after_apply)
        result = await client.disable_employee(pos_user_id=created.pos_user_id)
    assert not sb.state.employees[created.employee_id].active
    assert result.verified
    updates = [r for r in sb.request_log if r.method == "POST" and r.path == "/employee/update"]
    # Applied: settled by reading, no resend. Not applied: read, then sent once more.
    assert len(updates) == (1 if after_apply else 2)


async def test_lost_user_insert_answer_creates_one_user(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire())
        users = len(sb.state.users)
        sb.faults.drop_next(method="POST", path="/user/insert", after_apply=True)
        user = await client.create_backoffice_user(
            username=f"lost_{created.employee_id}",
            permission="Manager",
            email=created.email,
            link_to_employee_pos_user_id=created.pos_user_id,
        )
    assert len(sb.state.users) == users + 1
    assert sb.state.users[user.user_id].template_id is not None


async def test_wage_date_is_clamped_with_a_warning(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(start_date=date.today()))
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id,
        wage_rate=Decimal("20"),
        wage_effective_date=date.today() - timedelta(days=30),
    )
    assert result.wage_effective_date == date.today() + timedelta(days=1)
    assert result.warnings
    stored = sb.state.employees[created.employee_id]
    current = [w for w in stored.wages if w.end_date is None]
    assert [w.rate for w in current] == [Decimal("20.00")]


async def test_overtime_alone_adds_a_wage_record(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(start_date=date.today(), wage_rate=10))
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id, overtime_wage_rate=Decimal("16")
    )
    assert result.changes_applied == ("compensation",)
    current = [w for w in sb.state.employees[created.employee_id].wages if w.end_date is None]
    assert current[0].rate == Decimal("10.00")
    assert current[0].overtime_rate == Decimal("16.00")


class ExpireBefore(httpx.AsyncBaseTransport):
    """Ends every session just before the first POST to ``path`` reaches the sandbox."""

    def __init__(self, sb: Sandbox, path: str) -> None:
        self.sb = sb
        self.inner = sb.transport()
        self.path = path
        self.armed = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed and request.method == "POST" and request.url.path == self.path:
            self.armed = False
            self.sb.expire_sessions()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("path", ["/employee/insert", "/employee/permissions/update"])
async def test_expiry_right_before_a_post_replays_it_once(sb: Sandbox, path: str) -> None:
    transport = ExpireBefore(sb, path)
    async with AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=transport,
        retry=RetryPolicy.no_wait(),
    ) as client:
        args = hire()
        result = await client.create_employee(**args)
    assert not transport.armed
    holders = [e for e in sb.state.employees.values() if e.pos_user_id == args["pos_user_id"]]
    assert [e.id for e in holders] == [result.employee_id]
    assert holders[0].grants == frozenset({22})
    posts = [r for r in sb.request_log if r.method == "POST" and r.path == path]
    assert len(posts) == 2  # the bounced one (nothing applied) and its single replay
    assert posts[0].status == 302


def test_constructor_and_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    c = AsyncBackofficeClient(subdomain="washu", username="bot", password="pw")
    assert c.base_url == "https://washu.sonnyscontrols.com"
    assert "pw" not in repr(c)
    monkeypatch.setenv("SONNYS_SUBDOMAIN", "acme")
    monkeypatch.setenv("SONNYS_BOT_USERNAME", "bot")
    monkeypatch.setenv("SONNYS_BOT_PASSWORD", "secret-pw")
    env = AsyncBackofficeClient.from_env()
    assert env.base_url == "https://acme.sonnyscontrols.com"
    assert AsyncBackofficeClient.from_env(base_url="http://x.test").base_url == "http://x.test"
    monkeypatch.delenv("SONNYS_BOT_PASSWORD")
    with pytest.raises(Exception, match="SONNYS_BOT_PASSWORD"):
        AsyncBackofficeClient.from_env()


async def test_link_by_email(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    created = await client.create_employee(**hire(available_sites=["FRVW"]))
    user = await client.create_backoffice_user(
        username=f"bymail_{created.employee_id}",
        permission="Manager",
        link_to_employee_email=created.email.upper(),
    )
    stored = sb.state.users[user.user_id]
    assert stored.employee_id == created.employee_id
    assert stored.sites == frozenset({19})
    assert user.email.lower() == created.email.lower()


async def test_concurrent_reads_cannot_steal_a_bounced_forms_messages(sb: Sandbox) -> None:
    # Symfony shows a flash message on the session's NEXT page, whoever asks (§2.4). With one
    # session shared by many concurrent reads, the bounce page must still be read by its POST.
    taken = next(e for e in sb.state.employees.values() if e.phone).phone
    async with make_client(sb, sessions=1) as client:
        await client.list_sites()  # warm the discovery cache

        async def reads() -> None:
            for _ in range(5):
                await client.pos_user_id_exists(4242)

        async def create() -> None:
            with pytest.raises(DuplicateError, match="phone") as caught:
                await client.create_employee(**hire(phone=taken))
            assert caught.value.field == "phone"

        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(reads)
            tg.start_soon(create)
