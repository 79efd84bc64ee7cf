"""Backoffice user writes: edit (deactivation blocks login) and the access save (§13.4, §14)."""

from __future__ import annotations

from conftest import fixture_html, fixture_payload

from sonnys_async.domain import ALL

from .helpers import (
    controls,
    logged_in,
    make_sandbox,
    payload_pairs,
    post,
)


async def test_user_update_is_deleted_blocks_login():
    sb = make_sandbox()
    user = sb.state.add_user(
        username="victim", password="Password-123", email="v@example.invalid", sites=ALL
    )
    async with logged_in(sb) as c:
        html = (await c.get(f"/user/edit/{user.id}")).text
        pairs = [
            (x["name"], x["value"] or "")
            for x in controls(html, "form#user-edit-edit-form")
            if x["type"] not in ("checkbox",) or x["checked"]
        ]
        pairs.append(("user[isDeleted]", "1"))
        r = await post(c, "/user/update", pairs)
        assert r.headers["location"] == "/user"
    assert user.is_deleted
    assert user.sites == ALL  # universalSiteAccess stayed checked in the replay
    async with sb.client() as c:
        r = await post(c, "/login_check", [("_username", "victim"), ("_password", "Password-123")])
        assert r.headers["location"] == "/login"


async def test_failed_bo_save_echoes_exactly_the_posted_grants_once():
    sb = make_sandbox()
    user = sb.state.add_user(id=3312136, username="wrapperbo")
    body = payload_pairs(fixture_payload("allowed_bo_user_permissions_browser_captured.json"))
    posted = {k.split("]")[0][6:] for k, v in body if k.endswith("[isEnabled]")}
    async with logged_in(sb) as c:
        r = await post(c, "/user/permissions/update", body)
        page = (await c.get(r.headers["location"])).text
        again = (await c.get("/user/permissions/3312136")).text

    def checked(h):
        return {
            x["name"].split("]")[0][6:]
            for x in controls(h, "form#user-permissions-update-form")
            if x["name"].endswith("[isEnabled]") and x["checked"]
        }

    assert checked(page) == posted
    real = fixture_html("w45v3_user_permissions_page_3312136_post.html")
    assert checked(page) == checked(real)
    assert checked(again) == set()
    assert user.tokens == frozenset()
