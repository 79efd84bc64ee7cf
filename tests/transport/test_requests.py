"""What goes out and what comes back: bodies, redirects, bounced forms, counts, closing."""

from __future__ import annotations

import pytest
from transport_fakes import BASE, FakeBackoffice, make_transport, redirect

from sonnys_async._transport import path_template
from sonnys_async.errors import TransportError

# --------------------------------------------------------------------------- bodies


async def test_post_body_keeps_order_and_repeats(fake: FakeBackoffice) -> None:
    route = fake.router.post("/employee/update").mock(return_value=redirect("/employee"))
    pairs = [
        ("employee[departments][]", "2"),
        ("employee[firstName]", "A b"),
        ("employee[departments][]", "5"),
    ]
    async with make_transport(fake) as t:
        await t.post_form("/employee/update", pairs)
    request = route.calls.last.request
    assert request.content == (
        b"employee%5Bdepartments%5D%5B%5D=2&employee%5BfirstName%5D=A+b"
        b"&employee%5Bdepartments%5D%5B%5D=5"
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


# --------------------------------------------------------------------------- redirects


async def test_redirects_are_returned_not_followed(fake: FakeBackoffice) -> None:
    fake.on("/employee/update", lambda r, s: redirect("/employee"))
    async with make_transport(fake) as t:
        resp = await t.post_form("/employee/update", [("employee[id]", "485")])
    assert resp.status == 302
    assert resp.is_redirect
    assert resp.location == "/employee"
    assert resp.followed is None
    assert fake.calls("GET", "/employee") == 0


async def test_a_bounced_form_is_read_once_on_its_own_session(fake: FakeBackoffice) -> None:
    # Protocol §2.4: only an ``actionXfer`` bounce is fetched, to read the server's messages.
    fake.on("/employee/update", lambda r, s: redirect("/employee/edit/485?actionXfer=TOzz5LjN"))
    async with make_transport(fake, sessions=2) as t:
        resp = await t.post_form("/employee/update", [("employee[id]", "485")])
    assert resp.location == "/employee/edit/485?actionXfer=TOzz5LjN"
    assert fake.calls("GET", "/employee/edit/485") == 1
    assert resp.followed is not None
    assert "followed" not in repr(resp)
    assert "text" not in repr(resp)


async def test_absolute_location_is_made_relative(fake: FakeBackoffice) -> None:
    fake.on("/x", lambda r, s: redirect(f"{BASE}/employee"))
    async with make_transport(fake) as t:
        assert (await t.get("/x")).location == "/employee"


# --------------------------------------------------------------------------- counts and lifecycle


def test_path_template() -> None:
    assert path_template("/employee/edit/485?actionXfer=x") == "/employee/edit/{id}"
    assert path_template("/user/permissions/3312102") == "/user/permissions/{id}"
    assert path_template("/employee") == "/employee"


async def test_closed_transport_refuses_requests(fake: FakeBackoffice) -> None:
    t = make_transport(fake)
    await t.aclose()
    await t.aclose()  # idempotent
    with pytest.raises(TransportError, match="closed"):
        await t.get("/employee")
