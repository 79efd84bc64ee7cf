"""A journaled attempt that was refused proves nothing of ours was made: a re-run never adopts,
resets or renames-through a record because of it. Only an ambiguous attempt (interrupted, or
whose answer was lost) lets a re-run settle by ownership, and one that reported the id it made
settles on that id alone."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.bulk import Bulk, Outcome
from sonnys_async.errors import DuplicateError, NotFoundError, OutcomeUnknownError
from sonnys_async.journal import Journal
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, logs_in, posts

_AUDITOR: dict[str, Any] = {
    "username": "auditor",
    "email": "aud@example.invalid",
    "first_name": "Ann",
    "last_name": "Audit",
}


async def _drain(bulk: Bulk[Any, Any]) -> list[Outcome[Any, Any]]:
    async with bulk as run:
        return [o async for o in run]


async def test_a_rerun_after_a_duplicate_refusal_leaves_the_existing_login_alone(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    human = await client.create_backoffice_user(
        **_AUDITOR, permission="General User", password="HumanPass123"
    )
    stored = sb.state.users[human.user_id]
    template = stored.template_id
    row = dict(_AUDITOR, permission="Manager")
    path = tmp_path / "users.jsonl"
    for _ in range(2):  # the first run, then a re-run with the same journal
        before = posts(sb)
        with Journal(path) as journal:
            (outcome,) = await _drain(client.create_backoffice_users([row], journal=journal))
        assert (outcome.status, outcome.resolved) == ("failed", False)
        assert isinstance(outcome.error, DuplicateError)
        assert posts(sb) == before  # refused by the pre-flight: nothing was sent
        assert stored.password == "HumanPass123"
        assert stored.template_id == template
    assert await logs_in(sb, "auditor", "HumanPass123")


async def test_a_create_whose_answer_was_lost_is_adopted_on_the_rerun(
    sb: Sandbox, tmp_path: Path
) -> None:
    def lose_the_answer() -> None:
        # The insert lands but its answer is lost, and nothing can be read back this run.
        sb.faults.drop_next("POST", "/user/insert", after_apply=True)
        sb.faults.fail_next("GET", None, status=503, count=1000)

    row = dict(_AUDITOR, permission="Manager")
    path = tmp_path / "users.jsonl"
    async with make_client(
        sb, transport=Hook(sb.transport(), "/user/insert", before=lose_the_answer)
    ) as lossy:
        with Journal(path) as journal:
            (lost,) = await _drain(lossy.create_backoffice_users([row], journal=journal))
    assert lost.status == "unknown"
    assert isinstance(lost.error, OutcomeUnknownError)
    created = sb.state.user_by_username("auditor")
    assert created is not None
    assert created.password == lost.item.password  # the journaled password
    sb.faults.clear()
    async with make_client(sb) as client:
        with Journal(path) as journal:
            (settled,) = await _drain(client.create_backoffice_users([row], journal=journal))
        manager = next(t for t in await client.list_backoffice_templates() if t.name == "Manager")
    assert (settled.status, settled.resolved) == ("ok", True)
    assert settled.result.user_id == created.id
    assert settled.result.password == lost.item.password
    assert created.tokens == frozenset(manager.tokens)
    assert await logs_in(sb, "auditor", lost.item.password)


async def test_an_ambiguous_attempt_still_settles_after_a_later_refusal(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    """Interrupted, then refused on a re-run: the first attempt may have landed late, so a
    user that is ours by ownership is finished (with the journaled password)."""
    row = dict(_AUDITOR, permission="Manager", password="Journaled4Pass")
    path = tmp_path / "users.jsonl"
    with Journal(path) as journal:
        journal.record_started("auditor", row)  # killed mid-insert...
        journal.record_started("auditor", row)  # ...found nowhere and sent again...
        journal.record_failed("auditor", DuplicateError("refused", field="email", value="x"))
    await client.create_backoffice_user(**row)  # ...while the first one landed late
    with Journal(path) as journal:
        (outcome,) = await _drain(client.create_backoffice_users([row], journal=journal))
    assert (outcome.status, outcome.resolved) == ("ok", True)
    assert await logs_in(sb, "auditor", "Journaled4Pass")


async def test_a_lost_answer_that_named_its_user_adopts_no_other(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    human = await client.create_backoffice_user(
        **_AUDITOR, permission="General User", password="HumanPass123"
    )
    row = dict(_AUDITOR, permission="Manager", password="Journaled4Pass")
    path = tmp_path / "users.jsonl"
    with Journal(path) as journal:
        journal.record_started("auditor", row)
        made = {"user_id": human.user_id + 1000}  # the user that attempt made (since gone)
        journal.record_unknown("auditor", OutcomeUnknownError("lost", url="/", partial=made))
    with Journal(path) as journal:
        (outcome,) = await _drain(client.create_backoffice_users([row], journal=journal))
    assert outcome.status == "failed"
    assert isinstance(outcome.error, DuplicateError)
    assert str(human.user_id) in str(outcome.error)
    assert sb.state.users[human.user_id].password == "HumanPass123"


async def test_a_refused_rename_is_not_followed_to_another_login(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    other = await client.create_backoffice_user(**_AUDITOR, permission="General User")
    template = sb.state.users[other.user_id].template_id
    row = {"username": "no_such_login", "new_username": "auditor", "permission": "Manager"}
    path = tmp_path / "changes.jsonl"
    for _ in range(2):
        with Journal(path) as journal:
            (outcome,) = await _drain(client.modify_backoffice_users([row], journal=journal))
        assert outcome.status == "failed"
        assert isinstance(outcome.error, NotFoundError)
    assert sb.state.users[other.user_id].template_id == template


async def test_a_refused_email_change_is_not_followed_to_another_employee(
    sb: Sandbox, client: AsyncBackofficeClient, tmp_path: Path
) -> None:
    other = await client.create_employee(**hire())
    row = {
        "email": "nobody@example.invalid",
        "new_email": other.email,
        "wage_rate": Decimal("99.00"),
    }
    path = tmp_path / "changes.jsonl"
    before = posts(sb)
    for _ in range(2):
        with Journal(path) as journal:
            (outcome,) = await _drain(client.modify_employees([row], journal=journal))
        assert outcome.status == "failed"
        assert isinstance(outcome.error, NotFoundError)
    assert posts(sb) == before  # nothing was written to the holder of the new e-mail
