"""The plan's review page: one self-contained file (no network, CSP by hashes), every value
escaped, conflicts first, sortable by clicking a header.

The browser tests run the page in headless Chromium (Debian's ``chromium`` package) and are
skipped where it is not installed: ``--dump-dom`` prints the DOM after the page's script ran,
and a ``#sort=KEY[:desc]`` fragment makes the page click that header's button itself (the same
handler a person's click runs).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from sonnys_async.cli._sync_review import render_review, review_lines
from sonnys_async.models import FieldChange, SyncItem, SyncPlan

from .test_sync_plan import page_rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='img'\">"
QUOTES = 'Zoë "Q" O\'Brien & <b>co</b>'


def hostile_plan() -> SyncPlan:
    """A plan whose names, values and reasons try to be markup."""
    items = (
        SyncItem(
            key="row 8",
            action="update",
            row=8,
            employee_id=12,
            pos_user_id=1012,
            name=QUOTES,
            changes=(
                FieldChange(field="new_first_name", old=SCRIPT, new="Zoë"),
                FieldChange(field="permission", old=IMG, new="Manager"),
            ),
            request={"employee_id": 12, "new_first_name": "Zoë", "permission": "Manager"},
            seen="0" * 16,
        ),
        SyncItem(key="row 0", action="conflict", row=0, reason=f"unknown site(s) {SCRIPT}"),
        SyncItem(
            key="row 7",
            action="create",
            row=7,
            pos_user_id=96001,
            name=f"{SCRIPT} Hire",
            request={
                "first_name": SCRIPT,
                "last_name": "Hire",
                "email": "hire@example.invalid",
                "pos_user_id": 96001,
                "available_sites": [IMG],
            },
        ),
        SyncItem(
            key="employee 3",
            action="disable",
            employee_id=3,
            pos_user_id=1003,
            name="Abe Absent",
            reason="absent from the roster",
            request={"employee_id": 3, "disable_backoffice_user": True},
            seen="1" * 16,
        ),
        SyncItem(key="row 9", action="unchanged", row=9, employee_id=9, name="Una Changed"),
        SyncItem(key="row 1", action="conflict", row=1, reason="rows 1, 9 all match employee 9"),
    )
    plan = SyncPlan(
        tenant="https://washu.sonnyscontrols.com",
        bot_user="automation-bot",
        created_at=datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
        active_in_scope=4,
        mass_disable="disables 3 of 4 active employees in scope (75%, more than 10%)",
        items=items,
    )
    return plan.sealed()


def render(tmp_path: Path) -> Path:
    plan = hostile_plan()
    names = {0: SCRIPT + " Nobody", 1: "Dup Row"}
    page = render_review(
        plan,
        review_lines(plan, names=names),
        plan_name="plan.json",
        apply_command="sonnys-backoffice sync apply plan.json --out RESULTS.csv",
    )
    path = tmp_path / "plan.html"
    path.write_text(page, encoding="utf-8")
    return path


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_the_page_is_self_contained_and_escapes_every_value(tmp_path: Path) -> None:
    html = render(tmp_path).read_text(encoding="utf-8")
    for hostile in (SCRIPT, IMG, QUOTES, "<b>"):
        assert hostile not in html
    assert html.count("<script") == 1
    assert "<img" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    [style] = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    [script] = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    [csp] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    csp = unescape(csp)
    assert "default-src 'none'" in csp
    assert f"style-src {_hash(style)}" in csp
    assert f"script-src {_hash(script)}" in csp
    assert 'id="mass-disable"' in html
    assert "rows 3, 11 all match employee 9" in html  # rows as in the roster file


def dump_dom(tmp_path: Path, page: Path, fragment: str = "") -> str:
    """The page's DOM once loaded in headless Chromium (after its script ran)."""
    assert CHROMIUM is not None
    profile = tmp_path / f"profile{len(list(tmp_path.iterdir()))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


def column(dom: str, index: int) -> list[str]:
    return [cells[index] for _, cells in page_rows(dom).rows]


@needs_chromium
def test_in_a_browser_the_page_renders_conflicts_first_with_values_as_text(
    tmp_path: Path,
) -> None:
    page = render(tmp_path)
    dom = dump_dom(tmp_path, page)
    rows = page_rows(dom)
    assert "<title>Roster sync plan: plan.json</title>" in dom  # no injected script ran
    assert rows.scripts == 1
    assert "<img" not in dom
    actions = [action for action, _ in rows.rows]
    assert actions[:3] == ["conflict", "conflict", "disable"]
    assert actions[-1] == "unchanged"
    cells = [cell for _, row in rows.rows for cell in row]
    assert SCRIPT in cells  # the old first name, shown as text
    assert IMG in cells
    assert QUOTES in cells
    assert f"{SCRIPT} Nobody" in cells  # a conflict's name from the roster
    assert 'data-sorted="' not in dom  # not sorted until asked
    assert "Mass disable: this plan disables 3 of 4" in dom


@needs_chromium
@pytest.mark.parametrize(
    ("fragment", "index", "expected"),
    [
        ("#sort=row", 2, ["2", "3", "9", "9", "9", "10", "10", "11", "", ""]),
        ("#sort=row:desc", 2, ["11", "10", "10", "9", "9", "9", "3", "2", "", ""]),
        ("#sort=employee:desc", 4, ["12", "12", "9", "3", "3", "", "", "", "", ""]),
    ],
)
def test_in_a_browser_clicking_a_header_sorts_by_it(
    tmp_path: Path, fragment: str, index: int, expected: list[str]
) -> None:
    """Numbers sort as numbers (10 after 9), empty cells last both ways, a second click
    reverses."""
    dom = dump_dom(tmp_path, render(tmp_path), fragment)
    assert f'data-sorted="{fragment.removeprefix("#sort=")}"' in dom
    assert column(dom, index) == expected
    order = [int(n) for n in column(dom, 0)]
    assert sorted(order) == list(range(1, len(expected) + 1))  # every line still there


@needs_chromium
def test_in_a_browser_the_page_paints(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = render(tmp_path)
    shot = tmp_path / "plan.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'shot-profile'}",
        "--window-size=1200,900",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000  # a page with tables, not a blank canvas
