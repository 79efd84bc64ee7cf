"""``sonnys_async.testing``: routing clients built without ``transport=``, and serving a sandbox.

The routing hook is ``sonnys_async._client.DEFAULT_TRANSPORT``, consulted only when a client is
built with ``transport=None``; ``route_to`` sets it for a block.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import httpx
import pytest

from sonnys_async import AsyncBackofficeClient, BackofficeClient
from sonnys_async._client import DEFAULT_TRANSPORT, routed_transport
from sonnys_async.compat import SonnysBackofficeClient
from sonnys_async.sandbox import Sandbox, SandboxOptions, SandboxTransport
from sonnys_async.testing import route_to, sandbox_env, serve_sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxOptions(employees=5, bo_users=1))


def test_nothing_is_routed_by_default() -> None:
    assert DEFAULT_TRANSPORT.get() is None
    assert routed_transport(None) is None
    given = object()
    assert routed_transport(given) is given


def test_a_sync_client_built_in_the_block_talks_to_the_sandbox(sandbox: Sandbox) -> None:
    with route_to(sandbox):
        client = BackofficeClient(
            subdomain="washu", username=sandbox.username, password=sandbox.password
        )
    with client:  # the route was taken when the client was built
        assert len(client.list_sites()) == 19
    assert sandbox.request_log
    assert DEFAULT_TRANSPORT.get() is None


async def test_from_env_in_the_block_talks_to_the_sandbox(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(name, value)
    with route_to(sandbox):
        async with AsyncBackofficeClient.from_env() as client:
            assert client.base_url == sandbox.base_url
            assert await client.is_pos_user_id_available(50001)
    assert any(r.path == "/employee" for r in sandbox.request_log)


def test_the_compat_client_is_routed_too(sandbox: Sandbox) -> None:
    with (
        route_to(sandbox),
        SonnysBackofficeClient(
            subdomain="washu", username=sandbox.username, password=sandbox.password
        ) as client,
    ):
        assert client.base_url == "https://washu.sonnyscontrols.com"  # the URL it was given
        assert client.list_departments()


def test_each_routed_client_gets_its_own_transport(sandbox: Sandbox) -> None:
    with route_to(sandbox):
        first, second = routed_transport(None), routed_transport(None)
    assert isinstance(first, SandboxTransport)
    assert isinstance(second, SandboxTransport)
    assert first is not second


def test_a_given_transport_is_kept(sandbox: Sandbox) -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(503))
    with route_to(sandbox):
        assert routed_transport(mock) is mock


def test_a_callable_routes_to_any_transport() -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(200))
    with route_to(lambda: mock):
        assert routed_transport(None) is mock


def test_nested_routes_restore_the_outer_one(sandbox: Sandbox) -> None:
    other = Sandbox(SandboxOptions(employees=1, bo_users=0))
    outer_marker: list[Any] = []
    with route_to(lambda: outer_marker):
        with route_to(other):
            assert isinstance(routed_transport(None), SandboxTransport)
        assert routed_transport(None) is outer_marker
    assert routed_transport(None) is None


def test_the_route_follows_the_context_not_other_threads(sandbox: Sandbox) -> None:
    seen: dict[str, Any] = {}

    def probe(name: str) -> None:
        seen[name] = routed_transport(None)

    with route_to(sandbox):
        plain = threading.Thread(target=probe, args=("thread",))
        plain.start()
        plain.join()
        context = contextvars.copy_context()
        copied = threading.Thread(target=context.run, args=(probe, "copied"))
        copied.start()
        copied.join()
        asyncio.run(asyncio.to_thread(probe, "to_thread"))
    assert seen["thread"] is None  # documented: build clients in the routed thread
    assert isinstance(seen["copied"], SandboxTransport)
    assert isinstance(seen["to_thread"], SandboxTransport)


def test_sandbox_env_names_the_tenant_and_the_bot(sandbox: Sandbox) -> None:
    assert sandbox_env(sandbox, "http://127.0.0.1:9") == {
        "SONNYS_BASE_URL": "http://127.0.0.1:9",
        "SONNYS_SUBDOMAIN": "washu",
        "SONNYS_BOT_USERNAME": sandbox.username,
        "SONNYS_BOT_PASSWORD": sandbox.password,
    }


def test_a_served_sandbox_answers_at_once_and_stops(sandbox: Sandbox) -> None:
    with serve_sandbox(sandbox) as url:
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, trust_env=False) as http:
            assert http.get("/login").status_code == 200
        with BackofficeClient(url, username=sandbox.username, password=sandbox.password) as client:
            assert client.get_site_tree().hierarchical
    with pytest.raises(httpx.ConnectError), httpx.Client(trust_env=False) as http:
        http.get(f"{url}/login")


def test_the_plugin_s_fixtures_in_this_suite(
    backoffice_sandbox: Sandbox, backoffice_client: BackofficeClient
) -> None:
    assert backoffice_client.list_sites()
    assert backoffice_sandbox.request_log


async def test_the_plugin_s_async_fixture_in_this_suite(
    backoffice_sandbox: Sandbox, async_backoffice_client: AsyncBackofficeClient
) -> None:
    assert await async_backoffice_client.list_departments()
    assert backoffice_sandbox.request_log
