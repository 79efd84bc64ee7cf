"""`sync apply` and rehires: a rehire whose Backoffice password reset may have landed keeps, in
the results file, the password it was sent with (and nowhere else)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sonnys_async import AsyncBackofficeClient, RetryPolicy
from sonnys_async.sandbox import Sandbox

from .conftest import BeforePost, Invoke, read_csv
from .test_sync_apply import plan_file
from .test_sync_plan import roster


def _leaver_with_a_login(sb: Sandbox) -> tuple[int, int]:
    """A leaver whose Backoffice login was deactivated with them: (POS User ID, user id)."""

    async def make() -> tuple[int, int]:
        async with AsyncBackofficeClient(
            base_url=sb.base_url,
            username=sb.username,
            password=sb.password,
            transport=sb.transport(),
            retry=RetryPolicy.no_wait(),
        ) as client:
            made = await client.create_employee(
                first_name="Ret",
                last_name="Urner",
                phone="6155550199",
                email="ret.urner@example.invalid",
                pos_user_id=93001,
                wage_rate="15.00",
                start_date="2026-05-01",
                available_sites=["NAPER"],
                permission="General User",
                requires_backoffice=True,
                backoffice_username="returner",
            )
            await client.disable_employee(pos_user_id=93001, disable_backoffice_user=True)
        assert made.backoffice_user_id is not None
        return 93001, made.backoffice_user_id

    return asyncio.run(make())


def test_a_rehire_whose_password_reset_answer_was_lost_keeps_its_password_in_the_results(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    pos_user_id, user_id = _leaver_with_a_login(sb)
    old_password = sb.state.users[user_id].password
    rows = roster(sb)
    rows.append(
        {
            "first_name": "Ret",
            "last_name": "Urner",
            "phone": "6155550199",
            "email": "ret.urner@example.invalid",
            "pos_user_id": pos_user_id,
            "status": "active",
        }
    )
    plan_path = plan_file(invoke, tmp_path, rows, "plan")
    out = tmp_path / "results.csv"

    def lose_the_reset_answers() -> None:
        # The reset (the second /user/update, after the reactivation) is applied, its answer
        # lost, and the login that would prove the new password cannot be made: the password
        # may be set, and nothing can tell.
        sb.faults.drop_next("POST", "/user/update", count=2)
        sb.faults.fail_next("POST", "/login_check", count=10)

    transport = BeforePost(sb.transport(), "/user/update", lose_the_reset_answers, skip=1)
    result = invoke("sync", "apply", str(plan_path), "--out", str(out), transport=transport)
    assert result.exit_code != 0
    (row,) = [r for r in read_csv(out) if r["action"] == "rehire"]
    assert row["status"] == "unverified"
    password = sb.state.users[user_id].password
    # Compared without showing the values (passwords stay out of the test output).
    if password == old_password:
        pytest.fail("the reset did not land", pytrace=False)
    if row["backoffice_password"] != password:
        pytest.fail("the results file lacks the password the reset set", pytrace=False)
    if password in result.output:
        pytest.fail("the password is on the screen", pytrace=False)
    assert sb.state.employee_by_pos_user_id(pos_user_id).active  # type: ignore[union-attr]
