"""modify_backoffice_user checks everything that can refuse it before its first POST, and an
access save that fails after the e-mail or username changed reports that change as applied
(never as a refusal that would read as "nothing was sent")."""

from __future__ import annotations

from typing import Any

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.bulk import Bulk, Outcome
from sonnys_async.errors import (
    FormRejectedError,
    InputValidationError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from sonnys_async.models import BackofficeUserModified
from sonnys_async.sandbox import Sandbox

from .conftest import hire, make_client
from .helpers import Hook, Pairs, posts

ACCESS = "/user/permissions/update"


def _without_sites(pairs: Pairs) -> Pairs:
    """The access form with every site field left out: the server refuses it (§13.4)."""
    keep = {"userId", "userIsNew", "template"}
    return [(k, v) for k, v in pairs if k in keep or k.startswith("perms[")]


def _refusing_access(sb: Sandbox) -> AsyncBackofficeClient:
    """A client whose access saves the server refuses (their site fields are stripped)."""
    return make_client(sb, transport=Hook(sb.transport(), ACCESS, rewrite=_without_sites))


async def _login(client: AsyncBackofficeClient, username: str) -> int:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username=username)
    )
    assert created.backoffice_user_id is not None
    return created.backoffice_user_id


async def _drain(bulk: Bulk[Any, Any]) -> list[Outcome[Any, Any]]:
    async with bulk as run:
        return sorted([o async for o in run], key=lambda o: o.index)


async def test_a_user_without_sites_is_refused_before_its_email_changes(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _login(client, "nosites")
    sb.state.users[uid].sites = frozenset()  # an access save that never happened
    email_before = sb.state.users[uid].email
    before = posts(sb)
    with pytest.raises(InputValidationError, match="no accessible site") as caught:
        await client.modify_backoffice_user(
            user_id=uid, new_email="changed@example.invalid", permission="Manager"
        )
    assert caught.value.field == "available_sites"
    assert posts(sb) == before
    assert sb.state.users[uid].email == email_before
    # The error says what to give: with the sites, the same change goes through whole.
    done = await client.modify_backoffice_user(
        user_id=uid,
        new_email="changed@example.invalid",
        permission="Manager",
        available_sites=["NOLO"],
    )
    assert done.changes_applied == ("email", "permission", "sites")
    assert sb.state.users[uid].email == "changed@example.invalid"


async def test_an_access_save_refused_after_the_email_changed_reports_the_email_as_applied(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _login(client, "half_done")
    tokens_before = sb.state.users[uid].tokens
    async with _refusing_access(sb) as refusing:
        with pytest.raises(WriteNotVerifiedError, match="email change was applied") as caught:
            await refusing.modify_backoffice_user(
                user_id=uid, new_email="half.done@example.invalid", permission="Manager"
            )
    partial = caught.value.partial
    assert isinstance(partial, BackofficeUserModified)
    assert partial.changes_applied == ("email",)
    assert not partial.verified
    assert caught.value.what == "backoffice_access"
    assert isinstance(caught.value.__cause__, FormRejectedError)
    assert sb.state.users[uid].email == "half.done@example.invalid"
    assert sb.state.users[uid].tokens == tokens_before


async def test_an_access_save_refused_with_nothing_else_changed_stays_a_refusal(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _login(client, "untouched")
    tokens_before = sb.state.users[uid].tokens
    async with _refusing_access(sb) as refusing:
        with pytest.raises(FormRejectedError) as caught:
            await refusing.modify_backoffice_user(user_id=uid, permission="Manager")
    assert not isinstance(caught.value, WriteNotVerifiedError)
    assert getattr(caught.value, "partial", None) is None
    assert sb.state.users[uid].tokens == tokens_before


async def test_a_lost_access_answer_after_a_rename_is_unknown_with_the_rename_as_partial(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    uid = await _login(client, "renamed_then_lost")
    # The save's answer is lost, it reads as not stored, and the one resend is lost too.
    sb.faults.fail_next(method="POST", path=ACCESS, status=503, count=2)
    with pytest.raises(OutcomeUnknownError, match="username change was applied") as caught:
        await client.modify_backoffice_user(
            user_id=uid, new_username="renamed_now", permission="Manager"
        )
    partial = caught.value.partial
    assert isinstance(partial, BackofficeUserModified)
    assert partial.changes_applied == ("username",)
    assert partial.username == "renamed_now"
    assert sb.state.users[uid].username == "renamed_now"


async def test_bulk_tells_an_item_refused_up_front_from_one_refused_after_its_email_changed(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    lost_sites = await _login(client, "bulk_nosites")
    sb.state.users[lost_sites].sites = frozenset()
    half = await _login(client, "bulk_half")
    rows = [
        {"user_id": lost_sites, "new_email": "bulk.a@example.invalid", "permission": "Manager"},
        {"user_id": half, "new_email": "bulk.b@example.invalid", "permission": "Manager"},
    ]
    before = posts(sb, "/user/update")
    async with _refusing_access(sb) as refusing:
        refused, partial = await _drain(refusing.modify_backoffice_users(rows))
    assert refused.status == "failed"
    assert isinstance(refused.error, InputValidationError)
    assert sb.state.users[lost_sites].email != "bulk.a@example.invalid"
    assert partial.status == "unknown"  # not "failed": its e-mail was changed
    assert isinstance(partial.error, WriteNotVerifiedError)
    assert isinstance(partial.error.partial, BackofficeUserModified)
    assert partial.error.partial.changes_applied == ("email",)
    assert sb.state.users[half].email == "bulk.b@example.invalid"
    assert posts(sb, "/user/update") == before + 1
