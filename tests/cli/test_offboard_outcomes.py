"""An offboard that was applied but could not be verified (a later step or the read-back
failed) is reported as such, with what was done: never as "nothing applied"."""

from __future__ import annotations

from pathlib import Path

import httpx

from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, read_csv, write_csv


class NoUserPages(httpx.AsyncBaseTransport):
    """The sandbox, but the Backoffice users' list answers 503."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/user":
            return httpx.Response(503, request=request, text="Service Unavailable")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_disable_whose_login_step_failed_is_unverified_with_what_was_done(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    employee = sb.state.add_employee(
        first_name="Lea", last_name="Ver", email="lea.ver@example.invalid", pos_user_id=96010
    )
    sb.state.add_user(employee_id=employee.id, username="leaver", email="lea.ver@example.invalid")
    leavers = write_csv(tmp_path / "leavers.csv", ["pos_user_id"], [[96010]])
    out = tmp_path / "off.csv"
    result = invoke(
        "offboard",
        str(leavers),
        "--out",
        str(out),
        "--disable-backoffice-user",
        transport=NoUserPages(sb.transport()),
    )
    assert result.exit_code == 1, result.output
    [row] = read_csv(out)
    assert row["status"] == "unverified"
    assert row["employee_id"] == str(employee.id)
    assert row["was_already_inactive"] == "no"
    assert "Backoffice user step failed" in row["warnings"]
    assert row["error"].startswith("WriteNotVerifiedError")
    assert not sb.state.employees[employee.id].active  # it was applied
    assert "applied, not verified" in result.stdout
