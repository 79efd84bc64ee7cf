"""create_backoffice_user: linked and standalone logins, their template and sites."""

from __future__ import annotations

import dataclasses

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.domain import SiteTree
from sonnys_async.errors import (
    DuplicateError,
    InputValidationError,
    WriteNotVerifiedError,
)
from sonnys_async.models import BackofficeUserCreated
from sonnys_async.sandbox import Sandbox
from sonnys_async.sandbox.state import StoredUser

from .conftest import hire, make_client
from .helpers import fail_reads_after, warm, work_requests


def _stranger(sb: Sandbox) -> StoredUser:
    return next(u for u in sb.state.users.values() if u.username != sb.username)


def _snapshot(user: StoredUser) -> tuple[object, ...]:
    return (user.sites, user.tokens, user.template_id, user.password, user.employee_id)


async def test_linked_backoffice_user_in_four_requests(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(available_sites=["NOLO", "DKSN"]))
    await warm(client)
    client.transport.stats.reset()
    user = await client.create_backoffice_user(
        username=f"linked_{created.employee_id}",
        email=created.email,
        permission="general user",
        link_to_employee_pos_user_id=str(created.pos_user_id),
    )
    assert work_requests(client) <= 4
    stored = sb.state.users[user.user_id]
    assert stored.employee_id == created.employee_id
    assert stored.sites == frozenset({17, 18})  # the employee's sites by default
    general = next(t for t in await client.list_backoffice_templates() if t.name == "General User")
    assert stored.tokens == frozenset(general.tokens)
    assert stored.password == user.password
    assert len(user.password) >= 12


async def test_standalone_backoffice_user_gets_all_sites(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    user = await client.create_backoffice_user(
        username="district_mgr",
        email="dm@example.invalid",
        first_name="District",
        last_name="Manager",
        permission="Administrator",
        password="Longenough1",
    )
    stored = sb.state.users[user.user_id]
    assert stored.employee_id is None
    assert sb.state.site_ids_of(stored.sites) == (await client.get_site_tree()).site_ids
    assert stored.password == "Longenough1"
    disabled = await client.disable_backoffice_user(username="DISTRICT_MGR")
    assert sb.state.users[user.user_id].is_deleted
    assert disabled.user_id == user.user_id


async def test_linking_to_an_inactive_employee_is_refused_before_writing(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await client.disable_employee(pos_user_id=created.pos_user_id)
    users = len(sb.state.users)
    with pytest.raises(InputValidationError):
        await client.create_backoffice_user(
            username="late_link",
            permission="Manager",
            link_to_employee_pos_user_id=created.pos_user_id,
            email=created.email,
        )
    assert len(sb.state.users) == users


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


async def test_a_user_whose_access_read_back_fails_is_reported_with_its_password(
    sb: Sandbox,
) -> None:
    next_id = max(sb.state.users) + 1  # the sandbox numbers users in sequence
    hook = fail_reads_after(sb, "/user/permissions/update", f"/user/permissions/{next_id}")
    async with make_client(sb, transport=hook) as client:
        await warm(client)
        with pytest.raises(WriteNotVerifiedError) as exc:
            await client.create_backoffice_user(
                username="readback_user",
                email="readback.user@example.invalid",
                first_name="Read",
                last_name="Back",
                permission="General User",
                password="Readback123x",
            )
    partial = exc.value.partial
    assert isinstance(partial, BackofficeUserCreated)
    assert partial.user_id == next_id
    assert partial.password == "Readback123x"
    assert not partial.verified
    assert sb.state.users[next_id].username == "readback_user"
    assert sb.state.users[next_id].tokens  # the access was applied
