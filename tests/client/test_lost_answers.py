"""Lost answers to form POSTs: settled by reading server state on the POST's own session,
never resent blindly, never duplicated, never someone else's record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import DuplicateError, OutcomeUnknownError
from sonnys_async.models import CreateEmployeeRequest
from sonnys_async.sandbox import Sandbox
from sonnys_async.sandbox.state import StoredUser

from .conftest import hire, make_client
from .helpers import GENERAL_USER, Hook, posts, warm


def _stranger(sb: Sandbox) -> StoredUser:
    return next(u for u in sb.state.users.values() if u.username != sb.username)


def _snapshot(user: StoredUser) -> tuple[object, ...]:
    return (user.sites, user.tokens, user.template_id, user.password, user.employee_id)


def _first_read_after(sb: Sandbox, path: str) -> tuple[str, str]:
    """Session ids of the (last) POST to ``path`` and of the first GET that followed it."""
    log = sb.request_log
    i = max(n for n, r in enumerate(log) if r.method == "POST" and r.path == path)
    following = next(r for r in log[i + 1 :] if r.method == "GET")
    return log[i].session_id or "", following.session_id or ""


def _after_latest_wage(sb: Sandbox, employee_id: int) -> date:
    return max(w.effective_date for w in sb.state.employees[employee_id].wages) + timedelta(3)


async def test_dropped_insert_after_apply_creates_no_duplicate(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await warm(client)
    args = hire()
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=True)
    result = await client.create_employee(**args)
    holders = [e for e in sb.state.employees.values() if e.pos_user_id == args["pos_user_id"]]
    assert [e.id for e in holders] == [result.employee_id]
    assert holders[0].grants == GENERAL_USER  # the rest of the workflow ran
    inserts = [r for r in sb.request_log if r.method == "POST" and r.path == "/employee/insert"]
    assert len(inserts) == 1  # settled by reading, never resent


async def test_lost_insert_not_found_is_unknown_with_its_credentials(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    await warm(client)
    args = hire(pos_pin=24680)
    sb.faults.drop_next(method="POST", path="/employee/insert", after_apply=False)
    with pytest.raises(OutcomeUnknownError, match="neither applied nor safe to resend") as exc:
        await client.create_employee(**args)
    assert sb.state.employee_by_pos_user_id(args["pos_user_id"]) is None
    assert isinstance(exc.value.partial, CreateEmployeeRequest)
    assert exc.value.partial.pos_pin == 24680  # kept for the caller...
    assert "24680" not in repr(exc.value.partial) + str(exc.value)  # ...and never shown
    # Once the caller has waited, sending it again creates the employee exactly once.
    result = await client.create_employee(**args)
    assert sb.state.employees[result.employee_id].pos_user_id == args["pos_user_id"]


class Delay(httpx.AsyncBaseTransport):
    """Holds the first POST to ``path`` back (the client sees a read timeout) and delivers it to
    the server only when :meth:`deliver` is called: a request delayed in the network."""

    def __init__(self, sb: Sandbox, path: str) -> None:
        self.inner = sb.transport()
        self.path = path
        self.held: httpx.Request | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.held is None and request.method == "POST" and request.url.path == self.path:
            await request.aread()
            self.held = request
            raise httpx.ReadTimeout("held back", request=request)
        return await self.inner.handle_async_request(request)

    async def deliver(self) -> None:
        assert self.held is not None
        await self.inner.handle_async_request(self.held)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_delayed_insert_is_reported_unknown_and_lands_later(sb: Sandbox) -> None:
    delay = Delay(sb, "/employee/insert")
    args = hire(pos_pin=13579)
    async with make_client(sb, transport=delay) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.create_employee(**args)
        assert sb.state.employee_by_pos_user_id(args["pos_user_id"]) is None
        await delay.deliver()  # the request reaches the server after the client's read
    stored = sb.state.employee_by_pos_user_id(args["pos_user_id"])
    assert stored is not None
    assert stored.pos_pin == 13579


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


@pytest.mark.parametrize("after_apply", [True, False])
async def test_lost_permissions_answer_is_settled(sb: Sandbox, after_apply: bool) -> None:
    async with make_client(sb) as client:
        template = next(t for t in await client.list_pos_templates() if t.name == "Shift Leader")
        sb.faults.drop_next(
            method="POST", path="/employee/permissions/update", after_apply=after_apply
        )
        created = await client.create_employee(**hire(permission="Shift Leader"))
    stored = sb.state.employees[created.employee_id]
    assert (stored.grants, stored.overrides) == (template.grants, template.overrides)
    assert created.verified
    assert created.permission_applied == "Shift Leader"
    # Applied: settled by reading, no resend. Not applied: the full matrix is sent once more.
    assert posts(sb, "/employee/permissions/update") == (1 if after_apply else 2)


@pytest.mark.parametrize("after_apply", [True, False])
async def test_lost_access_answer_is_settled(sb: Sandbox, after_apply: bool) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire())
        manager = next(t for t in await client.list_backoffice_templates() if t.name == "Manager")
        sb.faults.drop_next(method="POST", path="/user/permissions/update", after_apply=after_apply)
        user = await client.create_backoffice_user(
            username=f"acc{created.employee_id}",
            permission="Manager",
            link_to_employee_pos_user_id=created.pos_user_id,
        )
    stored = sb.state.users[user.user_id]
    assert stored.employee_id == created.employee_id
    assert stored.template_id == manager.id
    assert stored.tokens
    assert stored.tokens <= set(manager.tokens)
    assert stored.sites == sb.state.employees[created.employee_id].sites
    assert user.verified
    assert posts(sb, "/user/permissions/update") == (1 if after_apply else 2)


async def test_lost_compensation_answer_applied_is_reported_applied(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire(start_date=date.today()))
        sb.faults.drop_next(method="POST", path="/employee/compensation/update", after_apply=True)
        result = await client.modify_employee(
            pos_user_id=created.pos_user_id, wage_rate=Decimal("21.25")
        )
    assert result.changes_applied == ("compensation",)
    assert result.wage_rate == Decimal("21.25")
    current = [w for w in sb.state.employees[created.employee_id].wages if w.end_date is None]
    assert [w.rate for w in current] == [Decimal("21.25")]
    assert posts(sb, "/employee/compensation/update") == 1  # a wage record is never resent


async def test_lost_compensation_answer_not_stored_is_unknown(sb: Sandbox) -> None:
    async with make_client(sb) as client:
        created = await client.create_employee(**hire(start_date=date.today()))
        before = list(sb.state.employees[created.employee_id].wages)
        sb.faults.drop_next(method="POST", path="/employee/compensation/update", after_apply=False)
        with pytest.raises(OutcomeUnknownError, match="neither applied nor safe to resend"):
            await client.modify_employee(
                pos_user_id=created.pos_user_id, wage_rate=Decimal("21.25")
            )
    assert sb.state.employees[created.employee_id].wages == before
    assert posts(sb, "/employee/compensation/update") == 1


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
    async with make_client(sb, transport=hook) as client:
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


async def test_a_lost_standalone_user_insert_not_found_is_unknown(sb: Sandbox) -> None:
    sb.faults.drop_next(method="POST", path="/user/insert", after_apply=False)
    async with make_client(sb) as client:
        with pytest.raises(OutcomeUnknownError, match="neither applied nor safe to resend"):
            await client.create_backoffice_user(
                username="lost_user",
                email="lost.user@example.invalid",
                first_name="Lost",
                last_name="User",
                permission="General User",
            )
    assert all(u.username != "lost_user" for u in sb.state.users.values())
