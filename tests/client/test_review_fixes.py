"""Review fixes (issue 4): lost-answer settling by ownership and on the POST's session, partial
results of a half-done offboarding, wage records verified in full, salaried employees refused,
unmapped site codes never shrinking a Backoffice user's sites. Every test asserts the sandbox's
stored state."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async._transport import RetryPolicy
from sonnys_async.domain import SiteTree
from sonnys_async.errors import (
    DuplicateError,
    FormRejectedError,
    InputValidationError,
    WriteNotVerifiedError,
)
from sonnys_async.models import EmployeeDisabled
from sonnys_async.sandbox import Sandbox
from sonnys_async.sandbox.state import StoredUser, StoredWage

from .conftest import hire, make_client

Pairs = list[tuple[str, str]]


class Hook(httpx.AsyncBaseTransport):
    """The sandbox transport, with a callback run (and an optional body rewrite applied) just
    before a POST to a chosen path reaches the server."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        path: str,
        *,
        before: Callable[[], None] | None = None,
        rewrite: Callable[[Pairs], Pairs] | None = None,
    ) -> None:
        self.inner, self.path, self.before, self.rewrite = inner, path, before, rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == self.path:
            if self.before is not None:
                self.before()
            if self.rewrite is not None:
                body = await request.aread()
                pairs = parse_qsl(body.decode(), keep_blank_values=True)
                content = urlencode(self.rewrite(pairs)).encode()
                headers = dict(request.headers)
                headers["content-length"] = str(len(content))
                request = httpx.Request(
                    request.method, request.url, headers=headers, content=content
                )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _hooked(sb: Sandbox, hook: Hook) -> AsyncBackofficeClient:
    return AsyncBackofficeClient(
        base_url=sb.base_url,
        username=sb.username,
        password=sb.password,
        transport=hook,
        retry=RetryPolicy.no_wait(),
    )


def _stranger(sb: Sandbox) -> StoredUser:
    return next(u for u in sb.state.users.values() if u.username != sb.username)


def _snapshot(user: StoredUser) -> tuple[object, ...]:
    return (user.sites, user.tokens, user.template_id, user.password, user.employee_id)


# ------------------------------------------------------------------ 1. lost user insert


async def test_lost_linked_user_insert_never_takes_over_a_strangers_account(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    victim = _stranger(sb)
    before = _snapshot(victim)
    sb.faults.drop_next(method="POST", path="/user/insert", after_apply=True)
    with pytest.raises(DuplicateError) as exc:
        await client.create_backoffice_user(
            username=victim.username,
            email=created.email,
            permission="Administrator",
            link_to_employee_pos_user_id=created.pos_user_id,
        )
    assert exc.value.field == "username"
    assert _snapshot(victim) == before  # the stranger's access and password are untouched
    assert not sb.state.users_of_employee(created.employee_id)


async def test_lost_standalone_user_insert_refuses_a_username_taken_meanwhile(
    sb: Sandbox,
) -> None:
    # The username is free at the pre-flight, then someone else takes it before our insert:
    # the server refuses ours and the answer is lost.
    def take_username() -> None:
        new_id = max(sb.state.users) + 1
        sb.state.users[new_id] = StoredUser(
            id=new_id,
            employee_id=None,
            first_name="Other",
            last_name="Person",
            email="other.person@example.invalid",
            username="area_lead",
            password="Otherpass99",
            sites=frozenset({1}),
        )

    sb.faults.drop_next(method="POST", path="/user/insert", after_apply=True)
    hook = Hook(sb.transport(), "/user/insert", before=take_username)
    async with _hooked(sb, hook) as client:
        with pytest.raises(DuplicateError):
            await client.create_backoffice_user(
                username="area_lead",
                email="area.lead@example.invalid",
                first_name="Area",
                last_name="Lead",
                permission="Administrator",
            )
    (holder,) = [u for u in sb.state.users.values() if u.username == "area_lead"]
    assert holder.email == "other.person@example.invalid"
    assert holder.sites == frozenset({1})
    assert not holder.tokens
    assert holder.password == "Otherpass99"


async def test_lost_standalone_user_insert_that_applied_is_ours(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    sb.faults.drop_next(method="POST", path="/user/insert", after_apply=True)
    user = await client.create_backoffice_user(
        username="area_lead",
        email="area.lead@example.invalid",
        first_name="Area",
        last_name="Lead",
        permission="General User",
        password="Longenough1",
    )
    stored = sb.state.users[user.user_id]
    assert (stored.username, stored.email, stored.password) == (
        "area_lead",
        "area.lead@example.invalid",
        "Longenough1",
    )
    assert stored.tokens
    assert sum(u.username == "area_lead" for u in sb.state.users.values()) == 1


async def test_standalone_user_username_preflight_sends_no_insert(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    victim = _stranger(sb)
    before = _snapshot(victim)
    with pytest.raises(DuplicateError):
        await client.create_backoffice_user(
            username=victim.username.upper(),
            email="eve@example.invalid",
            first_name="Eve",
            last_name="Mallory",
            permission="Administrator",
        )
    assert _snapshot(victim) == before
    assert not any(r.method == "POST" and r.path == "/user/insert" for r in sb.request_log)


# ------------------------------------------------------------------ 2. disable + BO user


async def test_disable_reports_the_disabled_employee_when_the_user_step_fails(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="leaver_bo")
    )
    assert created.backoffice_user_id is not None
    sb.faults.fail_next(method="GET", path="/user", status=500, count=50)
    with pytest.raises(WriteNotVerifiedError) as exc:
        await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    sb.faults.clear()
    err = exc.value
    assert err.what == "backoffice_user"
    assert isinstance(err.partial, EmployeeDisabled)
    assert err.partial.employee_id == created.employee_id
    assert not err.partial.verified
    assert "was disabled" in str(err)
    assert not sb.state.employees[created.employee_id].active
    assert not sb.state.users[created.backoffice_user_id].is_deleted


# ------------------------------------------------------------------ 3. settle on the POST's session


def _first_read_after(sb: Sandbox, path: str) -> tuple[str, str]:
    """Session ids of the (last) POST to ``path`` and of the first GET that followed it."""
    log = sb.request_log
    i = max(n for n, r in enumerate(log) if r.method == "POST" and r.path == path)
    following = next(r for r in log[i + 1 :] if r.method == "GET")
    return log[i].session_id or "", following.session_id or ""


@pytest.mark.parametrize(
    "path",
    [
        "/employee/insert",
        "/employee/permissions/update",
        "/user/insert",
        "/user/permissions/update",
    ],
)
async def test_settle_reads_go_to_the_session_that_sent_the_post(sb: Sandbox, path: str) -> None:
    sb.faults.fail_next(method="POST", path=path, status=502, after_apply=True)
    async with make_client(sb, sessions=3) as client:
        created = await client.create_employee(
            **hire(requires_backoffice=True, backoffice_username=f"pin_{abs(hash(path)) % 9999}")
        )
    post_session, read_session = _first_read_after(sb, path)
    assert read_session == post_session
    # ... and the lost answers were settled as applied: one employee, one user, full access.
    holders = [e for e in sb.state.employees.values() if e.pos_user_id == created.pos_user_id]
    assert [e.id for e in holders] == [created.employee_id]
    assert created.backoffice_user_id is not None
    assert sb.state.users[created.backoffice_user_id].employee_id == created.employee_id
    assert sb.state.users[created.backoffice_user_id].tokens


def _after_latest_wage(sb: Sandbox, employee_id: int) -> date:
    return max(w.effective_date for w in sb.state.employees[employee_id].wages) + timedelta(3)


async def test_settle_of_a_lost_update_reads_on_the_posts_session(sb: Sandbox) -> None:
    async with make_client(sb, sessions=3) as client:
        created = await client.create_employee(**hire())
        sb.faults.fail_next(method="POST", path="/employee/update", status=502, after_apply=True)
        sb.faults.fail_next(
            method="POST", path="/employee/compensation/update", status=502, after_apply=True
        )
        await client.disable_employee(pos_user_id=created.pos_user_id)
        update = _first_read_after(sb, "/employee/update")
        await client.modify_employee(
            pos_user_id=created.pos_user_id,
            wage_rate="21.00",
            wage_effective_date=_after_latest_wage(sb, created.employee_id),
        )
        wage = _first_read_after(sb, "/employee/compensation/update")
    assert update[0] == update[1]
    assert wage[0] == wage[1]
    emp = sb.state.employees[created.employee_id]
    assert not emp.active
    assert [w.rate for w in emp.wages].count(Decimal("21.00")) == 1


# ------------------------------------------------------------------ 4. wage records


def _no_overtime(pairs: Pairs) -> Pairs:
    return [(k, v) for k, v in pairs if k not in ("wage[isOvertimeEligible]", "wage[overtimeRate]")]


async def test_wage_record_without_its_overtime_does_not_verify(sb: Sandbox) -> None:
    async with make_client(sb) as setup:
        created = await setup.create_employee(**hire())
    hook = Hook(sb.transport(), "/employee/compensation/update", rewrite=_no_overtime)
    async with _hooked(sb, hook) as client:
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.modify_employee(pos_user_id=created.pos_user_id, wage_rate="19.00")
    assert exc.value.what == "compensation"
    current = next(w for w in sb.state.employees[created.employee_id].wages if w.end_date is None)
    assert current.rate == Decimal("19.00")
    assert not current.overtime_eligible  # the server stored what it got; the client noticed


async def test_wage_redirect_to_another_employee_is_not_success(sb: Sandbox) -> None:
    async with make_client(sb) as setup:
        mine = await setup.create_employee(**hire())
        other = await setup.create_employee(**hire())
    mine_before = list(sb.state.employees[mine.employee_id].wages)

    def misdirect(pairs: Pairs) -> Pairs:
        return [(k, str(other.employee_id) if k == "employeeId" else v) for k, v in pairs]

    hook = Hook(sb.transport(), "/employee/compensation/update", rewrite=misdirect)
    async with _hooked(sb, hook) as client:
        with pytest.raises(FormRejectedError):
            await client.modify_employee(
                pos_user_id=mine.pos_user_id, wage_rate="19.00", verify=False
            )
    assert sb.state.employees[mine.employee_id].wages == mine_before
    assert any(w.rate == Decimal("19.00") for w in sb.state.employees[other.employee_id].wages)


async def test_silently_dropped_wage_record_raises(sb: Sandbox) -> None:
    # A later record appears between the client's read and its write: the server (default:
    # silent drop, §9.3/§16.5) answers success and stores nothing.
    async with make_client(sb) as setup:
        created = await setup.create_employee(**hire())
    emp = sb.state.employees[created.employee_id]

    def later_record() -> None:
        latest = max(w.effective_date for w in emp.wages)
        for w in emp.wages:
            if w.end_date is None:
                w.end_date = latest + timedelta(days=3650)
        emp.wages.append(
            StoredWage(
                latest + timedelta(days=3650), None, True, Decimal("30.00"), False, None, None
            )
        )

    hook = Hook(sb.transport(), "/employee/compensation/update", before=later_record)
    async with _hooked(sb, hook) as client:
        with pytest.raises(WriteNotVerifiedError):
            await client.modify_employee(pos_user_id=created.pos_user_id, wage_rate="19.00")
    assert not any(w.rate == Decimal("19.00") for w in emp.wages)


# ------------------------------------------------------------------ 5. salaried employees


async def test_wage_change_of_a_salaried_employee_is_refused_before_any_write(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    emp = sb.state.employees[created.employee_id]
    current = next(w for w in emp.wages if w.end_date is None)
    current.is_hourly = False
    wages_before = [dataclasses.replace(w) for w in emp.wages]
    with pytest.raises(InputValidationError, match="salaried"):
        await client.modify_employee(
            pos_user_id=created.pos_user_id, new_first_name="Renamed", wage_rate="25.00"
        )
    assert emp.wages == wages_before
    assert not next(w for w in emp.wages if w.end_date is None).is_hourly
    assert emp.first_name == "Test"  # the properties were not written either


# ------------------------------------------------------------------ 6. unmapped site codes


async def test_linked_user_sites_are_not_reduced_by_an_unmapped_code(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(available_sites=["NOLO", "DKSN"]))
    page = client._catalogue._create_page
    assert page is not None
    tree = page.tree
    # The cached tree lost one code (e.g. a site renamed since the cache was filled).
    blind = SiteTree(
        sites=tuple(dataclasses.replace(s, code=None) if s.id == 17 else s for s in tree.sites),
        regions=tree.regions,
        districts=tree.districts,
        hierarchical=tree.hierarchical,
    )
    client._catalogue._create_page = dataclasses.replace(page, tree=blind)
    user = await client.create_backoffice_user(
        username=f"codes_{created.employee_id}",
        email=created.email,
        permission="General User",
        link_to_employee_pos_user_id=created.pos_user_id,
    )
    assert sb.state.users[user.user_id].sites == frozenset({17, 18})


async def test_standalone_user_with_preflight_costs_four_requests_warm(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await client.list_sites()
    await client.list_backoffice_templates()
    client.transport.stats.reset()
    user = await client.create_backoffice_user(
        username="budget_user",
        email="budget.user@example.invalid",
        first_name="Budget",
        last_name="User",
        permission="General User",
    )
    assert client.transport.stats.total_without_login <= 4
    assert sb.state.users[user.user_id].tokens
