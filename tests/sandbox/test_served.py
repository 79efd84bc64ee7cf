"""The sandbox served by uvicorn on 127.0.0.1: a plain HTTP client (as curl would) can use it."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from sonnys_async.sandbox import Sandbox

from .helpers import FORM_CT, make_sandbox


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    sb = make_sandbox(employees=20)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        sb.app,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan="off",
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    with httpx.Client() as probe:
        for _ in range(500):  # wait for readiness by polling, not sleeping blindly
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started
        assert probe.get(f"http://127.0.0.1:{port}/login").status_code == 200
    yield sb, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_curl_like_client_logs_in_lists_and_creates(served):
    sb, base = served
    with httpx.Client(base_url=base) as c:
        c.get("/login")
        assert "PHPSESSID" in c.cookies
        r = c.post(
            "/login_check",
            content=urlencode({"_username": sb.username, "_password": sb.password}),
            headers=FORM_CT,
        )
        assert r.status_code == 302
        assert r.headers["location"] == "/"
        assert r.headers.get("transfer-encoding") == "chunked"
        listing = c.get("/employee", params={"limit": "10000"}).text
        before = len(re.findall(r'id="link-edit-employee-\d+"', listing))
        body = [
            ("employee[firstName]", "Curl"),
            ("employee[lastName]", "Created"),
            ("employee[startDate]", "04/13/2026"),
            ("posCredential[POSLoginID]", "987654"),
            ("posCredential[POSLoginPassword]", "4321"),
            ("wage[isHourly]", "1"),
            ("wage[regularRate]", "13.00"),
            ("employee[departments][]", "3"),
            ("employee[disabledRegions][]", "2"),
            ("employee[disabledDistricts][]", "2"),
            ("employee[sites][17][siteId]", "17"),
        ]
        r = c.post("/employee/insert", content=urlencode(body), headers=FORM_CT)
        assert r.status_code == 302
        new_id = int(re.fullmatch(r"/employee/permissions/(\d+)", r.headers["location"]).group(1))
        listing = c.get("/employee", params={"limit": "10000"}).text
        assert len(re.findall(r'id="link-edit-employee-\d+"', listing)) == before + 1
        assert f'id="link-edit-employee-{new_id}"' in listing
        assert ">Curl</span>" in listing
    assert sb.state.employees[new_id].sites == frozenset({17})


def test_served_drop_closes_the_connection(served):
    sb, base = served
    sb.faults.drop_next("GET", "/login")
    with httpx.Client(base_url=base) as c:
        with pytest.raises(httpx.HTTPError):
            c.get("/login").read()
        assert c.get("/login").status_code == 200


def test_serve_prints_the_url_and_how_to_point_a_client_at_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    from sonnys_async.sandbox import SandboxOptions, serve

    started: list[object] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: started.append(self))
    serve(SandboxOptions(employees=3), port=9124)
    out = capsys.readouterr().out
    assert len(started) == 1
    assert "http://127.0.0.1:9124" in out
    assert "export SONNYS_BASE_URL=http://127.0.0.1:9124" in out
    assert "export SONNYS_BOT_USERNAME=automation-bot" in out
