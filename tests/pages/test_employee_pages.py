"""Employee edit / create / list parsers on real captures (raw and DOM snapshots)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import fixture_html

from sonnys_async.core import pages
from sonnys_async.domain import ALL
from sonnys_async.errors import PageStructureError

EDIT_PAGES = [
    "employee_edit_484_after_browser_disable.html",
    "employee_edit_484_after_minimal_disable.html",
    "employee_edit_484_before_disable.html",
    "employee_edit_484_verify.html",
    "employee_edit_485_after_write3.html",
    "employee_edit_485_before_write3.html",
    "employee_edit_485_v2_verify.html",
    "employee_edit_54.html",
]


def test_employee_54_is_available_at_fiesta_only() -> None:
    page = pages.parse_employee_edit(fixture_html("employee_edit_54.html"))
    assert page.available_sites == frozenset({1})
    assert page.tree.site(1).name == "WashU Fiesta"
    assert page.employee_id == 54
    assert page.pos_credential_id == 33
    assert (page.first_name, page.last_name) == ("morris", "stockton")
    assert page.department_ids == (3,)
    assert page.departments == ("Greeter",)
    assert page.start_date == date(2024, 9, 2)
    assert page.active is True
    assert page.pos_user_id == 4249


@pytest.mark.parametrize("name", [n for n in EDIT_PAGES if "_484_" in n])
def test_484_pages_read_as_all_sites(name: str) -> None:
    assert pages.parse_employee_edit(fixture_html(name)).available_sites == ALL


@pytest.mark.parametrize("name", [n for n in EDIT_PAGES if "_485_" in n])
def test_485_pages_read_as_sites_17_18_19(name: str) -> None:
    page = pages.parse_employee_edit(fixture_html(name))
    assert page.available_sites == frozenset({17, 18, 19})
    assert page.employee_id == 485
    assert page.start_date == date(2026, 4, 13)


def test_active_flag_follows_the_toggle() -> None:
    assert not pages.parse_employee_edit(
        fixture_html("employee_edit_484_after_browser_disable.html")
    ).active
    assert pages.parse_employee_edit(fixture_html("employee_edit_484_verify.html")).active


def test_pin_is_not_in_repr() -> None:
    page = pages.parse_employee_edit(fixture_html("employee_edit_485_before_write3.html"))
    assert page.pos_pin == 99998
    assert "99998" not in repr(page)
    assert "pos_pin" not in repr(page)


def test_create_page_tree_departments_and_codes() -> None:
    page = pages.parse_employee_create(fixture_html("employee_create.html"))
    assert page.hierarchical
    assert page.tree.hierarchical
    assert [d.id for d in page.departments] == [1, 3, 2, 4]
    assert [s.id for s in page.tree.sites] == [17, 18, 19, 20, 1, 2, *range(4, 17)]
    assert page.tree.site(16).code == "BurbT2"
    assert page.tree.site(1).code == "FIESTA"
    assert [r.name for r in page.tree.regions] == ["Global Region", "WashU Illinois"]
    assert page.tree.districts[1].name == "Carlos' District"
    assert page.tree.site(5).region_id == 2


def test_create_page_reads_no_sites() -> None:
    from sonnys_async.core.sites import read_employee_sites

    assert read_employee_sites(fixture_html("employee_create.html")) == frozenset()


def test_employee_list_rows_and_pager() -> None:
    page = pages.parse_employee_list(fixture_html("employee_search_by_name.html"))
    assert len(page.rows) == 25
    first = page.rows[0]
    assert first.employee_id == 54
    assert first.site_codes == ("FIESTA",)
    assert first.access == "Custom"
    assert first.pos_user_id == 4249
    assert first.departments == ("Greeter",)
    assert first.wage_type == "Hourly"
    assert first.is_active
    assert page.pager == pages.Pager(current=1, last=8, has_next=True)
    assert len({r.employee_id for r in page.rows}) == 25


_NEXT_RE = re.compile(r'<a id="pager-employees-next"[^>]*>.*?</a>', re.S)


def _with_next(html: str, replacement: str) -> str:
    """The captured list page with its next button replaced (crafted last-page variants)."""
    assert len(_NEXT_RE.findall(html)) == 1
    return _NEXT_RE.sub(lambda _m: replacement, html)


_ICON = '<i class="fa fa-chevron-right"></i>'


@pytest.mark.parametrize(
    "button",
    [
        f'<li class="disabled"><a id="pager-employees-next" href="/employee/9">{_ICON}</a></li>',
        f'<a id="pager-employees-next" class="btn btn-info pull-right">{_ICON}</a>',
        f'<a id="pager-employees-next" class="btn pull-right" href="">{_ICON}</a>',
        f'<a id="pager-employees-next" class="btn pull-right" href="#">{_ICON}</a>',
        f'<a id="pager-employees-next" class="btn disabled" href="/employee/9">{_ICON}</a>',
        f'<a id="pager-employees-next" aria-disabled="true" href="/employee/9">{_ICON}</a>',
        "",
    ],
)
def test_disabled_or_targetless_next_is_no_next_page(button: str) -> None:
    html = _with_next(fixture_html("employee_search_by_name.html"), button)
    pager = pages.parse_employee_list(html).pager
    assert pager.has_next is False
    assert pager.last == 8


def test_enabled_next_in_a_plain_li_is_a_next_page() -> None:
    button = f'<li><a id="pager-employees-next" href="/employee/2?x=1">{_ICON}</a></li>'
    html = _with_next(fixture_html("employee_search_by_name.html"), button)
    assert pages.parse_employee_list(html).pager.has_next is True


async def test_sandbox_last_page_has_no_next() -> None:
    from sonnys_async.sandbox import Sandbox, SandboxOptions

    sb = Sandbox(SandboxOptions(employees=40, bo_users=2, seed=1))
    async with sb.client() as c:
        await c.get("/login")
        r = await c.post(
            "/login_check",
            data={"_username": sb.username, "_password": sb.password},
        )
        assert r.status_code == 302
        first = pages.parse_employee_list((await c.get("/employee?limit=10")).text).pager
        assert first.has_next
        assert first.last is not None
        assert first.last > 1
        last_html = (await c.get(f"/employee/{first.last}?limit=10")).text
    last = pages.parse_employee_list(last_html).pager
    assert (last.current, last.last, last.has_next) == (first.last, first.last, False)


@pytest.mark.parametrize(
    ("parser", "name"),
    [
        (pages.parse_employee_edit, "employee_edit_485_before_write3.html"),
        (pages.parse_employee_create, "employee_create.html"),
        (pages.parse_employee_list, "employee_search_by_name.html"),
    ],
)
def test_truncated_and_foreign_pages_raise_named_errors(parser, name: str) -> None:
    html = fixture_html(name)
    with pytest.raises(PageStructureError) as info:
        parser(fixture_html("login_page.html"))
    assert info.value.page in {"employee_edit", "employee_create", "employee_list"}
    assert info.value.landmark
    cut = html[: int(len(html) * 0.45)]
    with pytest.raises(PageStructureError) as info:
        parser(cut)
    assert info.value.page in str(info.value)
