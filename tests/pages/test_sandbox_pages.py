"""Every parser on sandbox pages, and site encoding round-trips through the sandbox (§5.4/§5.5)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonnys_async.core import pages, sites
from sonnys_async.core.forms import encode_pairs
from sonnys_async.domain import ALL

sandbox = pytest.importorskip("sonnys_async.sandbox")

FORM_TYPE = {"content-type": "application/x-www-form-urlencoded"}


async def _login(sb: object, client: httpx.AsyncClient) -> None:
    login = await client.get("/login")
    assert pages.detect_kind(login.text) == "login"
    body = encode_pairs([("_username", sb.username), ("_password", sb.password)])  # type: ignore[attr-defined]
    response = await client.post("/login_check", content=body, headers=FORM_TYPE)
    assert response.status_code == 302


def _run(sb: object, fn: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
    async def main() -> None:
        async with sb.client() as client:  # type: ignore[attr-defined]
            await _login(sb, client)
            await fn(client)

    asyncio.run(main())


@pytest.mark.parametrize("tenant", ["hierarchical", "flat"])
def test_every_parser_reads_sandbox_pages(tenant: str) -> None:
    sb = sandbox.Sandbox(sandbox.SandboxOptions(tenant=tenant, employees=6, bo_users=3, seed=2))

    async def check(client: httpx.AsyncClient) -> None:
        listing = pages.parse_employee_list(
            (await client.get("/employee?active=all&limit=10000")).text
        )
        assert {r.employee_id for r in listing.rows} <= set(sb.state.employees)
        assert listing.rows
        eid = listing.rows[0].employee_id
        stored = sb.state.employees[eid]
        edit = pages.parse_employee_edit((await client.get(f"/employee/edit/{eid}")).text)
        assert edit.employee_id == eid
        assert edit.first_name == stored.first_name
        assert edit.active == stored.active
        assert edit.available_sites == stored.sites
        assert edit.pos_user_id == stored.pos_user_id
        assert set(edit.department_ids) == set(stored.department_ids)
        create = pages.parse_employee_create((await client.get("/employee/create")).text)
        assert create.hierarchical == (tenant == "hierarchical")
        tenant_tree = sb.state.tenant.tree
        assert create.tree.site_ids == tenant_tree.site_ids
        assert [s.id for s in create.tree.sites] == [s.id for s in tenant_tree.sites]
        assert {s.code for s in create.tree.sites} == {s.code for s in tenant_tree.sites}
        perms = pages.parse_pos_permissions((await client.get(f"/employee/permissions/{eid}")).text)
        assert perms.granted == stored.grants
        comp = pages.parse_compensation((await client.get(f"/employee/compensation/{eid}")).text)
        assert comp.employee_id == eid
        users = pages.parse_user_list((await client.get("/user")).text)
        assert users.rows
        uid = users.rows[0].user_id
        user = sb.state.users[uid]
        edit_user = pages.parse_user_edit((await client.get(f"/user/edit/{uid}")).text)
        assert (edit_user.user_id, edit_user.username) == (uid, user.username)
        assert edit_user.is_deleted == user.is_deleted
        access = pages.parse_user_permissions((await client.get(f"/user/permissions/{uid}")).text)
        assert access.accessible_sites == user.sites
        assert access.enabled == user.tokens
        assert pages.parse_user_create((await client.get("/user/create")).text).employees
        assert pages.parse_pos_template_list(
            (await client.get("/pos-permission-template/list")).text
        )
        assert pages.parse_bo_template_list((await client.get("/bo-permission-template/list")).text)
        for path in ("/", "/employee", "/user", f"/employee/edit/{eid}"):
            text = (await client.get(path)).text
            assert pages.detect_kind(text) != "unknown"

    _run(sb, check)


_HIER = sandbox.Sandbox(sandbox.SandboxOptions(employees=3, bo_users=2, seed=5))
_FLAT = sandbox.Sandbox(sandbox.SandboxOptions(tenant="flat", employees=3, bo_users=2, seed=5))
_COUNTER = iter(range(10_000_000))


def _insert_roundtrip(sb: object, chosen: frozenset[int] | str, style: str) -> None:
    n = next(_COUNTER)

    async def go(client: httpx.AsyncClient) -> None:
        create = pages.parse_employee_create((await client.get("/employee/create")).text)
        selection = sites.resolve(create.tree, chosen if chosen == ALL else sorted(chosen))
        data = create.form.replay()
        data.set("employee[firstName]", "Prop").set("employee[lastName]", f"Test{n}")
        data.set("employee[phone]", f"55566{n:05d}")
        data.set("employee[email]", f"prop{n}@example.invalid")
        data.set("posCredential[POSLoginID]", str(70000 + n))
        data.set("posCredential[POSLoginPassword]", "24680")
        data.select("employee[departments][]", str(create.departments[0].id))
        data.set("wage[regularRate]", "1.00")
        site_pairs = (
            sites.employee_site_pairs(create.tree, selection, style=style)  # type: ignore[arg-type]
        )
        body = sites.replace_site_pairs(data.pairs(), site_pairs)
        response = await client.post(
            "/employee/insert", content=encode_pairs(body), headers=FORM_TYPE
        )
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith("/employee/permissions/"), location
        new_id = int(location.rsplit("/", 1)[-1])
        assert sb.state.employees[new_id].sites == selection  # type: ignore[attr-defined]
        edit = pages.parse_employee_edit((await client.get(f"/employee/edit/{new_id}")).text)
        assert edit.available_sites == selection

    _run(sb, go)


def _site_ids(sb: object) -> list[int]:
    async def grab() -> list[int]:
        async with sb.client() as client:  # type: ignore[attr-defined]
            await _login(sb, client)
            create = pages.parse_employee_create((await client.get("/employee/create")).text)
            return sorted(create.tree.site_ids)

    return asyncio.run(grab())


HIER_IDS = _site_ids(_HIER)
FLAT_IDS = _site_ids(_FLAT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.one_of(st.just(ALL), st.frozensets(st.sampled_from(HIER_IDS), min_size=1)),
    style=st.sampled_from(["protocol", "browser"]),
)
def test_hierarchical_encode_store_read_back(chosen: frozenset[int] | str, style: str) -> None:
    _insert_roundtrip(_HIER, chosen, style)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=st.one_of(st.just(ALL), st.frozensets(st.sampled_from(FLAT_IDS), min_size=1)))
def test_flat_encode_store_read_back(chosen: frozenset[int] | str) -> None:
    _insert_roundtrip(_FLAT, chosen, "protocol")
