"""Helpers of the client tests: request counting, and a transport hook that acts on one POST."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

import httpx

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import AuthenticationError
from sonnys_async.sandbox import Sandbox

Pairs = list[tuple[str, str]]

#: The grant set of the sandbox's "General User" POS template.
GENERAL_USER = frozenset({22})


def posts(sb: Sandbox, path: str | None = None) -> int:
    """POSTs the sandbox received (to ``path``, or to any path but the login)."""
    return sum(
        1
        for r in sb.request_log
        if r.method == "POST" and (r.path == path if path else r.path != "/login_check")
    )


async def warm(client: AsyncBackofficeClient) -> None:
    """Fill the client's caches: discovery (sites, POS and Backoffice templates) and the index
    of taken e-mails and phones."""
    await client.list_sites()
    await client.list_pos_templates()
    await client.list_backoffice_templates()
    await client.is_phone_available("6150000000")


async def logs_in(sb: Sandbox, username: str, password: str) -> bool:
    """Whether ``username`` can log in to the sandbox with ``password`` (a fresh client).

    Only a refused login is ``False``; any other failure fails the test.
    """
    async with AsyncBackofficeClient(
        sb.base_url, username=username, password=password, transport=sb.transport()
    ) as other:
        try:
            await other.login()
        except AuthenticationError:
            return False
        return True


def work_requests(client: AsyncBackofficeClient) -> int:
    """Requests the client sent, login traffic excluded."""
    return client.transport.stats.total_without_login


class Killed(BaseException):
    """Stands for the process dying (not an error the bulk run may catch)."""


class Hook(httpx.AsyncBaseTransport):
    """The sandbox transport, with a callback run (and an optional body rewrite applied) just
    before a POST to ``path`` reaches the server; ``once`` disarms it after the first."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        path: str,
        *,
        before: Callable[[], None] | None = None,
        rewrite: Callable[[Pairs], Pairs] | None = None,
        once: bool = False,
    ) -> None:
        self.inner, self.path, self.before, self.rewrite = inner, path, before, rewrite
        self.once = once
        self.fired = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        armed = not (self.once and self.fired)
        if armed and request.method == "POST" and request.url.path == self.path:
            self.fired += 1
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


def die() -> None:
    """A :class:`Hook` ``before`` callback: the process dies before the POST is sent."""
    raise Killed


def fail_reads_after(sb: Sandbox, post_path: str, get_path: str) -> Hook:
    """A sandbox transport where, once ``post_path`` is posted, every retry of the next GET of
    ``get_path`` fails with 503: the write is applied, only its read-back fails."""
    return Hook(
        sb.transport(),
        post_path,
        before=lambda: sb.faults.fail_next(method="GET", path=get_path, status=503, count=3),
    )
