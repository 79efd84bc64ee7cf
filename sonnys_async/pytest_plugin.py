"""pytest fixtures for code that manages Backoffice staff: a fresh sandbox tenant per test.

Loaded automatically once ``sonnys-async`` is installed (a ``pytest11`` entry point); nothing to
import. The fixtures:

``backoffice_sandbox``
    A fresh :class:`~sonnys_async.sandbox.Sandbox` (``.state`` is what the server stores,
    ``.faults`` injects failures). Configure it per test with
    ``@pytest.mark.backoffice_sandbox(employees=20, tenant="flat", ...)`` (any
    :class:`~sonnys_async.sandbox.SandboxOptions` field).
``backoffice_client``
    A :class:`~sonnys_async.BackofficeClient` logged in to it (retries without waiting).
``async_backoffice_client``
    The same as an :class:`~sonnys_async.AsyncBackofficeClient` (an async fixture: run by
    pytest-asyncio in either mode, or by anyio's plugin when pytest-asyncio is not installed).
``backoffice_route``
    For code that builds its own clients: while the test runs, every client built without
    ``transport=`` talks to ``backoffice_sandbox``
    (:func:`sonnys_async.testing.route_to`), and ``SONNYS_BASE_URL``, ``SONNYS_SUBDOMAIN``,
    ``SONNYS_BOT_USERNAME`` and ``SONNYS_BOT_PASSWORD`` name the sandbox's tenant and bot login.
    Its value is the sandbox. Use it as an argument or with
    ``@pytest.mark.usefixtures("backoffice_route")``.

The package's heavy modules are imported by the fixtures, not when pytest loads the plugin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from ._client import AsyncBackofficeClient
    from .sandbox import Sandbox
    from .sync import BackofficeClient

__all__ = [
    "async_backoffice_client",
    "backoffice_client",
    "backoffice_route",
    "backoffice_sandbox",
]

F = TypeVar("F", bound=Callable[..., Any])


def _async_fixture(func: F) -> F:
    """pytest-asyncio's fixture decorator (any mode), else pytest's (anyio's plugin runs it)."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - not installed in this project's environment
        return cast(F, pytest.fixture(func))
    return cast(F, pytest_asyncio.fixture(func))


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``backoffice_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        "backoffice_sandbox(**options): SandboxOptions of the test's backoffice_sandbox "
        "(sonnys_async plugin)",
    )


@pytest.fixture
def backoffice_sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """A fresh simulated tenant (options from the ``backoffice_sandbox`` marker)."""
    from .sandbox import Sandbox, SandboxOptions

    marker = request.node.get_closest_marker("backoffice_sandbox")
    if marker is not None and marker.args:
        raise pytest.UsageError("backoffice_sandbox marker: give SandboxOptions as keywords")
    return Sandbox(SandboxOptions(**(marker.kwargs if marker is not None else {})))


def _client_arguments(sandbox: Sandbox) -> dict[str, Any]:
    from ._transport import RetryPolicy

    return {
        "base_url": sandbox.base_url,
        "username": sandbox.username,
        "password": sandbox.password,
        "transport": sandbox.transport(),
        "retry": RetryPolicy.no_wait(),
    }


@pytest.fixture
def backoffice_client(backoffice_sandbox: Sandbox) -> Iterator[BackofficeClient]:
    """A sync client of ``backoffice_sandbox``, closed after the test."""
    from .sync import BackofficeClient

    with BackofficeClient(**_client_arguments(backoffice_sandbox)) as client:
        yield client


@_async_fixture
async def async_backoffice_client(
    backoffice_sandbox: Sandbox,
) -> AsyncIterator[AsyncBackofficeClient]:
    """An async client of ``backoffice_sandbox``, closed after the test."""
    from ._client import AsyncBackofficeClient

    async with AsyncBackofficeClient(**_client_arguments(backoffice_sandbox)) as client:
        yield client


@pytest.fixture
def backoffice_route(
    backoffice_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    """Route clients built without ``transport=`` to ``backoffice_sandbox``, and point the
    ``SONNYS_*`` environment variables at it, for the test's duration."""
    from .testing import route_to, sandbox_env

    for name, value in sandbox_env(backoffice_sandbox).items():
        monkeypatch.setenv(name, value)
    with route_to(backoffice_sandbox):
        yield backoffice_sandbox
