"""The seed documents' scripts run with only their import changed, as real scripts.

Each script in ``seeds/`` is a seed page's code (``seeds/*.txt`` are copies of
``../shared/seeds``) with ``sonnys_backoffice`` replaced by ``sonnys_async.compat``; the first
tests prove that is the only change. Each runs in a subprocess against a sandbox served on
127.0.0.1, aimed at by ``SONNYS_BASE_URL`` while the script still reads ``SONNYS_SUBDOMAIN``, and
prints what its page says to expect (no Milestone-2 warning: the template is applied). Ids, PINs
and passwords vary, so those values are compared by shape; the sandbox's state shows the rest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonnys_async import BackofficeClient, RetryPolicy
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.testing import sandbox_env, serve_sandbox

SEEDS = Path(__file__).parent / "seeds"
PAGE_000 = (SEEDS / "000_onboard_new_hire.txt").read_text(encoding="utf-8")
PAGE_001 = (SEEDS / "001_quickstart.txt").read_text(encoding="utf-8")
PAGE_002 = (SEEDS / "002_backoffice_users.txt").read_text(encoding="utf-8")


def _code_lines(text: str) -> list[str]:
    """Non-blank lines, whitespace runs collapsed (the pages lost indentation and blank lines)."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _script(name: str) -> list[str]:
    """A script's lines as the page would show them: the original import restored."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return _code_lines(text.replace("sonnys_async.compat", "sonnys_backoffice"))


def _contains_run(lines: list[str], run: list[str]) -> bool:
    return any(lines[i : i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def test_onboarding_script_is_the_page_s_script() -> None:
    page = _code_lines(PAGE_000)
    start = page.index('"""')
    end = page.index("What to expect¶")
    assert _script("onboard_new_hire.py") == page[start:end]


def test_quickstart_script_holds_each_snippet_of_the_page() -> None:
    page = _code_lines(PAGE_001)
    snippets = [
        page[page.index("import os") : page.index("3. Create a client and call create_employee¶")],
        page[page.index("from datetime import datetime") : page.index("4. Disable the employee¶")][
            :-1
        ],  # the prose line after the block
        page[
            page.index("if not client.is_pos_user_id_available(12345):") : page.index(
                "These helpers reuse the client's cached per-tenant employee index, so repeated "
                "checks in the same session are free."
            )
        ],
    ]
    script = _script("quickstart.py")
    for snippet in snippets:
        assert snippet
        assert _contains_run(script, snippet), snippet


def test_backoffice_users_script_holds_each_snippet_of_the_page() -> None:
    page = _code_lines(PAGE_002)
    calls = [
        page[i + 1 : page.index(")", i) + 1]
        for i, line in enumerate(page)
        if line == "result = client.create_backoffice_user("
    ]
    assert len(calls) == 3
    script = _script("backoffice_users.py")
    for call in calls:
        assert _contains_run(script, ["result = client.create_backoffice_user(", *call]), call
    assert "print(result.user_id, result.password)" in script


# ---- running them


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(SandboxOptions(employees=30, bo_users=4, seed=7))
    with serve_sandbox(sandbox) as url:
        yield sandbox, url


def run_script(name: str, sandbox: Sandbox, url: str, *args: str) -> list[str]:
    """Run ``seeds/<name>`` as ``python <name>`` with the seed's variables, aimed at ``url``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SONNYS_") and not k.lower().endswith("_proxy")
    }
    env.update(sandbox_env(sandbox, url))  # SONNYS_BASE_URL, SONNYS_SUBDOMAIN=washu, SONNYS_BOT_*
    assert env["SONNYS_SUBDOMAIN"] == "washu"
    done = subprocess.run(
        [sys.executable, str(SEEDS / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def documented_output(page: str) -> list[str]:
    """The "What to expect" block of seed 000, without its Milestone-2 warning."""
    block = page.split("you'll see something like:\n", 1)[1].split("\nThe Milestone 1 ", 1)[0]
    lines = _code_lines(block)
    assert any(line.startswith("WARNING: ") for line in lines)
    return [line for line in lines if not line.startswith("WARNING: ")]


#: Labels whose value is the same on every run; the others vary and are compared by shape.
FIXED = {"Employee created", "POS User ID", "Wage site", "Role", "Backoffice username"}


def same_shape(documented: str, printed: str) -> bool:
    if documented.startswith("="):
        return printed == documented
    label, _, expected = documented.partition(": ")
    got_label, _, got = printed.partition(": ")
    if got_label != label:
        return False
    if label in FIXED:
        return got == expected
    if expected.isdigit():  # ids; a PIN keeps its five digits
        return got.isdigit() and (label != "POS PIN" or len(got) == len(expected))
    return len(got) == len(expected) and not re.search(r"\s", got)  # the password


def test_seed_000_onboarding_prints_what_the_page_shows(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    printed = _code_lines("\n".join(run_script("onboard_new_hire.py", sandbox, url)))
    expected = documented_output(PAGE_000)
    assert len(printed) == len(expected), printed
    for documented, line in zip(expected, printed, strict=True):
        assert same_shape(documented, line), (documented, line)
    values = dict(line.partition(": ")[::2] for line in printed if ": " in line)
    stored = sandbox.state.employee_by_pos_user_id(50001)
    assert stored is not None
    assert stored.active
    assert stored.id == int(values["Employee ID"])
    assert stored.pos_pin == int(values["POS PIN"])
    assert stored.emergency_contact_name == "John Doe"
    user = sandbox.state.users[int(values["Backoffice user ID"])]
    assert (user.username, user.employee_id) == ("janedoe", stored.id)
    assert user.password == values["Backoffice password"]
    assert user.template_id is not None  # what the page's warning said a person had to do


def test_seed_001_quickstart_prints_its_four_lines(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    printed = run_script("quickstart.py", sandbox, url)
    labels = [line.partition(": ")[0] for line in printed]
    assert labels == ["Employee ID", "POS User ID", "POS PIN", "Wage site"]  # no "warning:"
    values = dict(line.partition(": ")[::2] for line in printed)
    assert values["POS User ID"] == "12345"
    assert re.fullmatch(r"[1-9]\d{4}", values["POS PIN"])
    assert values["Wage site"] == "Wash 37135"
    stored = sandbox.state.employees[int(values["Employee ID"])]
    assert (stored.pos_user_id, stored.pos_pin) == (12345, int(values["POS PIN"]))
    assert not stored.active  # step 4 disabled the employee


@pytest.mark.parametrize("args", [(), ("--by-email",)], ids=["by-pos-user-id", "by-email"])
def test_seed_002_backoffice_users_linked_and_standalone(
    served: tuple[Sandbox, str], args: tuple[str, ...]
) -> None:
    sandbox, url = served
    with sandbox_client(sandbox) as client:  # the employee the page assumes
        client.create_employee(
            first_name="Jane",
            last_name="Doe",
            phone="6155551234",
            email="jane.doe@example.com",
            pos_user_id=12345,
            wage_rate="15.50",
            start_date="2026-05-01",
            available_sites=["Wash 37135"],
            permission="General User",
        )
    printed = run_script("backoffice_users.py", sandbox, url, *args)
    linked = sandbox.state.user_by_username("janedoe")
    standalone = sandbox.state.user_by_username("districtmgr")
    assert linked is not None
    assert standalone is not None
    if not args:
        assert printed == [f"{linked.id} {linked.password}"]
    employee = sandbox.state.employee_by_pos_user_id(12345)
    assert employee is not None
    assert linked.employee_id == employee.id
    assert linked.sites == employee.sites  # the employee's sites, as the page says
    assert standalone.employee_id is None
    assert (standalone.first_name, standalone.last_name) == ("District", "Manager")
    with sandbox_client(sandbox) as client:  # the templates are applied, not deferred
        assert client.get_backoffice_user(username="janedoe").permission == "Manager"
        assert client.get_backoffice_user(username="districtmgr").permission == "Administrator"


def sandbox_client(sandbox: Sandbox) -> BackofficeClient:
    return BackofficeClient(
        sandbox.base_url,
        username=sandbox.username,
        password=sandbox.password,
        transport=sandbox.transport(),
        retry=RetryPolicy.no_wait(),
    )
