"""The staff lifecycle: hire, leave, come back; Backoffice logins read, changed, reactivated."""

from __future__ import annotations

from datetime import date

import pytest

from sonnys_async._client import AsyncBackofficeClient
from sonnys_async.errors import InputValidationError, NotFoundError
from sonnys_async.models import BackofficePasswordReset, EmployeeRehired
from sonnys_async.sandbox import Sandbox

from .conftest import hire
from .helpers import logs_in, posts


async def test_a_leaver_with_a_login_is_rehired_with_their_sites_template_and_login(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    args = hire(
        available_sites=["Wash 37135", "fiesta"],
        requires_backoffice=True,
        backoffice_username="comeback_kid",
        backoffice_permission="Manager",
    )
    created = await client.create_employee(**args)
    await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    assert created.backoffice_user_id is not None
    assert sb.state.users[created.backoffice_user_id].is_deleted
    assert not await logs_in(sb, "comeback_kid", created.backoffice_password or "")

    rehired = await client.rehire_employee(
        pos_user_id=created.pos_user_id,
        permission="Cashier",
        backoffice_permission="General User",
    )

    assert isinstance(rehired, EmployeeRehired)
    employee = sb.state.employees[created.employee_id]
    assert employee.active
    assert sb.state.site_ids_of(employee.sites) == sb.state.site_ids_of(
        sb.state.employees[created.employee_id].sites
    )
    cashier = next(t for t in await client.list_pos_templates() if t.name == "Cashier")
    assert employee.grants == cashier.grants
    assert rehired.changes_applied[:1] == ("activated",)
    assert rehired.backoffice_login == "reactivated"
    assert rehired.backoffice_user_id == created.backoffice_user_id
    assert rehired.backoffice_username == "comeback_kid"
    assert rehired.backoffice_password  # a new one, shown once...
    assert rehired.backoffice_password not in repr(rehired)  # ...and never in a repr
    user = sb.state.users[created.backoffice_user_id]
    assert not user.is_deleted
    assert await logs_in(sb, "comeback_kid", rehired.backoffice_password)
    assert rehired.verified
    listed = await client.list_backoffice_users(username="comeback_kid")
    assert [(u.user_id, u.is_active) for u in listed] == [(user.id, True)]
    seen = await client.get_backoffice_user(username="comeback_kid")
    assert seen.linked_employee_id == created.employee_id
    assert seen.is_active
    assert seen.permission == "General User"


async def test_a_pos_template_without_a_backoffice_namesake_leaves_the_login_access_alone(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(
            requires_backoffice=True,
            backoffice_username="keeps_access",
            backoffice_permission="Manager",
        )
    )
    await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    rehired = await client.rehire_employee(pos_user_id=created.pos_user_id, permission="Cashier")
    assert rehired.backoffice_login == "reactivated"
    assert any("no Backoffice template is named 'Cashier'" in w for w in rehired.warnings)
    assert (await client.get_backoffice_user(username="keeps_access")).permission == "Manager"


async def test_an_inactive_employee_is_found_by_the_email_of_their_login(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="by_mail")
    )
    await client.disable_employee(pos_user_id=created.pos_user_id, disable_backoffice_user=True)
    rehired = await client.rehire_employee(email=created.email.upper(), restore_backoffice=False)
    assert rehired.employee_id == created.employee_id
    assert rehired.backoffice_login is None
    assert sb.state.employees[created.employee_id].active
    assert created.backoffice_user_id is not None
    assert sb.state.users[created.backoffice_user_id].is_deleted  # left alone, as asked


async def test_a_rehire_without_a_linked_login_creates_one_when_asked(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await client.disable_employee(pos_user_id=created.pos_user_id)
    rehired = await client.rehire_employee(
        pos_user_id=created.pos_user_id,
        backoffice_username="fresh_login",
        backoffice_permission="General User",
    )
    assert rehired.backoffice_login == "created"
    assert rehired.backoffice_user_id is not None
    assert sb.state.users[rehired.backoffice_user_id].employee_id == created.employee_id
    assert await logs_in(sb, "fresh_login", rehired.backoffice_password or "")


async def test_creating_a_login_on_rehire_needs_a_template_before_any_write(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire())
    await client.disable_employee(pos_user_id=created.pos_user_id)
    before = posts(sb)
    with pytest.raises(InputValidationError) as exc:
        await client.rehire_employee(pos_user_id=created.pos_user_id, backoffice_username="nope")
    assert exc.value.field == "backoffice_permission"
    assert posts(sb) == before
    assert not sb.state.employees[created.employee_id].active


async def test_rehiring_someone_unknown_is_not_found(client: AsyncBackofficeClient) -> None:
    with pytest.raises(NotFoundError):
        await client.rehire_employee(pos_user_id=987654)


async def test_a_login_is_changed_read_back_and_left_alone_when_already_so(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="changer")
    )
    assert created.backoffice_user_id is not None
    uid = created.backoffice_user_id
    changed = await client.modify_backoffice_user(
        username="changer",
        permission="Manager",
        available_sites=["NOLO"],
        new_email="changer.new@example.invalid",
    )
    assert changed.changes_applied == ("email", "permission", "sites")
    user = sb.state.users[uid]
    assert user.email == "changer.new@example.invalid"
    manager = next(t for t in await client.list_backoffice_templates() if t.name == "Manager")
    assert user.tokens == frozenset(manager.tokens)
    nolo = next(s.id for s in await client.list_sites() if s.code == "NOLO")
    assert sb.state.site_ids_of(user.sites) == {nolo}
    before = posts(sb)
    again = await client.modify_backoffice_user(user_id=uid, permission="Manager")
    assert again.changes_applied == ()
    assert again.warnings
    assert posts(sb) == before


async def test_a_password_reset_is_proven_by_a_login_and_masked(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="forgetful")
    )
    reset = await client.reset_backoffice_password(username="forgetful")
    assert isinstance(reset, BackofficePasswordReset)
    assert reset.verified
    assert reset.password != created.backoffice_password
    assert reset.password not in repr(reset) + str(reset)
    assert await logs_in(sb, "forgetful", reset.password)
    assert not await logs_in(sb, "forgetful", created.backoffice_password or "")


async def test_reactivating_an_active_login_sends_nothing(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(
        **hire(requires_backoffice=True, backoffice_username="still_here")
    )
    before = posts(sb)
    result = await client.reactivate_backoffice_user(username="still_here")
    assert result.was_already_active
    assert result.user_id == created.backoffice_user_id
    assert posts(sb) == before


async def test_the_user_list_filters_by_status(sb: Sandbox, client: AsyncBackofficeClient) -> None:
    everyone = await client.list_backoffice_users(status="all")
    active = await client.list_backoffice_users()
    inactive = await client.list_backoffice_users(status="inactive")
    assert {u.user_id for u in everyone} == set(sb.state.users)
    assert {u.user_id for u in active} == {
        u.id for u in sb.state.users.values() if not u.is_deleted
    }
    assert {u.user_id for u in inactive} == {u.id for u in sb.state.users.values() if u.is_deleted}


async def test_modify_changes_the_pin_and_start_date_and_reports_only_real_changes(
    sb: Sandbox, client: AsyncBackofficeClient
) -> None:
    created = await client.create_employee(**hire(pos_pin=24680))
    result = await client.modify_employee(
        pos_user_id=created.pos_user_id, pos_pin=13579, start_date=date(2026, 7, 1)
    )
    stored = sb.state.employees[created.employee_id]
    assert stored.pos_pin == 13579
    assert stored.start_date == date(2026, 7, 1)
    assert result.changes_applied == ("properties",)
    assert "13579" not in repr(result)
    before = posts(sb)
    same = await client.modify_employee(pos_user_id=created.pos_user_id, activate=True)
    assert same.changes_applied == ()
    assert same.warnings == ("employee is already active",)
    assert posts(sb) == before
