"""The admin view (/_sandbox/, admin=True), the counters, and the ``python -m`` launcher."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import httpx
import pytest

from sonnys_async.sandbox.__main__ import options_from_json
from sonnys_async.sandbox.counters import route_key

from .helpers import insert_body, logged_in, make_sandbox, post


async def test_the_admin_view_is_off_by_default():
    sb = make_sandbox()
    async with sb.client() as c:
        r = await c.get("/_sandbox/state")
        assert (r.status_code, r.headers["location"]) == (302, "/login")
    async with logged_in(sb) as c:
        assert (await c.get("/_sandbox/state")).status_code == 404


async def test_state_lists_employees_users_and_counts_without_login_or_faults():
    sb = make_sandbox(admin=True, error_rate=1.0)
    emp = sb.state.add_employee(pos_user_id=4242, pos_pin=31337, sites={17})
    user = sb.state.add_user(employee_id=emp.id, username="linkeduser", password="Secret-12345")
    async with sb.client() as c:
        r = await c.get("/_sandbox/state")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        state = r.json()
    (row,) = [e for e in state["employees"] if e["pos_user_id"] == 4242]
    assert row["id"] == emp.id
    assert row["pos_pin"] == 31337
    assert row["active"] is True
    assert row["sites"] == [17]
    (urow,) = [u for u in state["users"] if u["username"] == "linkeduser"]
    assert urow["employee_id"] == emp.id
    assert urow["is_deleted"] is False
    assert "password" not in urow
    assert "Secret-12345" not in r.text
    assert state["counters"]["requests_total"] == 0  # admin requests are not counted
    assert user.id == urow["id"]


async def test_check_passwords_answers_true_false_or_null():
    sb = make_sandbox(admin=True)
    sb.state.add_user(username="someone", password="Right-Pass-1")
    async with sb.client() as c:
        body = json.dumps({"someone": "Right-Pass-1", "SOMEONE": "wrong", "nobody": "x"})
        r = await c.post("/_sandbox/check-passwords", content=body)
        assert r.json() == {"someone": True, "SOMEONE": False, "nobody": None}
        assert (await c.post("/_sandbox/check-passwords", content=b"[1]")).status_code == 400
        assert (await c.get("/_sandbox/nothing")).status_code == 404


async def test_counters_count_requests_logins_and_refusals():
    sb = make_sandbox(admin=True, login_throttle=(2, 60.0))
    async with sb.client() as c:
        await c.get("/login")
        for password in ("bad", "bad", sb.password):
            await post(c, "/login_check", [("_username", sb.username), ("_password", password)])
        counters = (await c.get("/_sandbox/counters")).json()
    bot = counters["counters"]["logins"][sb.username.lower()]
    assert bot == {
        "right_password": {
            "attempted": 1,
            "succeeded": 0,
            "refused_invalid": 0,
            "refused_throttled": 1,
            "faulted": 0,
        },
        "wrong_password": {
            "attempted": 2,
            "succeeded": 0,
            "refused_invalid": 2,
            "refused_throttled": 0,
            "faulted": 0,
        },
    }
    assert counters["sessions"]["throttled_usernames"] == [sb.username.lower()]
    assert counters["counters"]["requests"] == {"GET /login": 1, "POST /login_check": 3}


async def test_counters_fold_ids_and_count_faults():
    sb = make_sandbox()
    emp = sb.state.add_employee()
    async with logged_in(sb) as c:
        sb.faults.fail_next("GET", f"/employee/edit/{emp.id}", status=503)
        await c.get(f"/employee/edit/{emp.id}")
        await c.get(f"/employee/edit/{emp.id}")
        sb.faults.drop_next("POST", "/employee/insert", after_apply=True)
        with pytest.raises(httpx.RemoteProtocolError):
            await post(c, "/employee/insert", insert_body("770010"))
    assert sb.counters.requests["GET /employee/edit/{id}"] == 2
    assert sb.counters.faults == {"fail_next": 1, "drop_after": 1}
    assert sb.counters.logins[sb.username.lower()].right_password.succeeded == 1
    assert route_key("GET", "/user/3:25") == "GET /user/{id}:25"


async def test_session_ends_are_counted_by_reason_and_once_when_observed():
    sb = make_sandbox(session_max_requests=2, single_session_per_user=True)
    async with logged_in(sb) as first, logged_in(sb) as second:
        # The second login ended the first session; the first client sees it twice.
        assert (await first.get("/employee")).headers["location"] == "/login"
        assert (await first.get("/employee")).status_code == 302
        for _ in range(3):
            await second.get("/")
    sessions = sb._sessions
    assert sorted(sessions.ended.values()) == ["max_requests", "replaced"]
    assert sessions.observed == {"replaced": 1, "max_requests": 1}
    assert len(sessions.issued) >= 3


def test_options_from_json():
    opts = options_from_json(
        '{"login_throttle": [3, 1.5], "today": "2026-04-13", "drop_rate_after": 0.02,'
        ' "admin": true}'
    )
    assert opts.login_throttle == (3, 1.5)
    assert opts.today == date(2026, 4, 13)
    assert opts.drop_rate_after == 0.02
    assert opts.admin is True
    with pytest.raises(ValueError, match="unknown sandbox options: nope"):
        options_from_json('{"nope": 1}')
    with pytest.raises(ValueError, match="unknown sandbox options: clock"):
        options_from_json('{"clock": 1}')
    with pytest.raises(ValueError, match="JSON object"):
        options_from_json("[]")


def test_python_m_serves_a_sandbox_on_a_free_port_and_prints_its_url():
    options = json.dumps({"employees": 5, "bo_users": 2, "admin": True})
    with subprocess.Popen(
        [sys.executable, "-m", "sonnys_async.sandbox", "--options-json", options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("sandbox listening on http://127.0.0.1:")
            base = line.split()[-1]
            with httpx.Client(base_url=base, timeout=10) as c:
                state = c.get("/_sandbox/state").json()
                assert len(state["employees"]) == 5
                assert c.get("/login").status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert "password" not in line.lower()
