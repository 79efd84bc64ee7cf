"""/user/create's employee dropdown read in linear time gives what one Lexbor parse gives.

The whole-page Lexbor parse (a tree passed in) is the reference; the linear read (text passed
in) must give the same employees, the same form entries and the same linked-user bodies, on the
captures, on sandbox pages and on markup the fast path does not handle (entities, quoting,
case), which goes through the Lexbor batches or the whole-page fallback.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.core import pages
from sonnys_async.core.forms import encode_pairs
from sonnys_async.core.pages import _dropdown
from sonnys_async.errors import ItemNotFoundError
from sonnys_async.sandbox import Sandbox, SandboxOptions

HTML = Path(__file__).resolve().parents[1] / "fixtures" / "html"
CAPTURES = ["user_create.html", "user_create_linked.html", "user_create_standalone.html"]


def _same(text: str) -> pages.UserCreatePage:
    fast = pages.parse_user_create(text)
    whole = pages.parse_user_create(LexborHTMLParser(text))
    assert fast.employees == whole.employees
    assert fast.form.entries == whole.form.entries
    for option in whole.employees[:6] + whole.employees[-3:]:
        assert _linked(fast, option.employee_id) == _linked(whole, option.employee_id)
    return fast


def _linked(page: pages.UserCreatePage, employee_id: int) -> object:
    args = {"email": "a@b.c", "username": "u1", "password": "Pw-12345678"}
    try:
        return pages.linked_user_insert(page, employee_id=employee_id, **args).pairs()
    except ItemNotFoundError:
        return "not offered"  # (the message lists the choices of the select replayed)


@pytest.mark.parametrize("name", CAPTURES)
def test_captures_read_the_same(name: str) -> None:
    page = _same((HTML / name).read_text(encoding="utf-8"))
    assert page._dropdown is not None  # the linear path was taken


def _sandbox_page(employees: int) -> str:
    sb = Sandbox(SandboxOptions(employees=employees, seed=3, sidebar_kb=130))
    body = encode_pairs([("_username", sb.username), ("_password", sb.password)])

    async def main() -> str:
        async with sb.client() as client:
            await client.get("/login")
            headers = {"content-type": "application/x-www-form-urlencoded"}
            await client.post("/login_check", content=body, headers=headers)
            return (await client.get("/user/create")).text

    return asyncio.run(main())


def test_sandbox_pages_read_the_same() -> None:
    page = _same(_sandbox_page(600))
    assert len(page.employees) > 500


def _with_options(options: str) -> str:
    text = (HTML / "user_create.html").read_text(encoding="utf-8")
    dropdown = _dropdown.cut_select(text, "user-employee")
    assert dropdown is not None
    return dropdown.head + dropdown.pieces[0] + options + dropdown.tail


def test_unusual_markup_reads_the_same() -> None:
    options = "".join(
        [
            '<option value="1" data-email="a&amp;b@x.invalid" data-first-name="A">A</option>',
            "<option value='2' data-email='c@x.invalid' data-last-name=O&#39;Hara>B</option>",
            '<option VALUE="3" DATA-EMAIL="D@X.invalid">C</option>',
            '<option value="4" value="5" data-email="e@x.invalid" selected>D</option>',
            '<optgroup label="g"><option value=" 6 " data-first-name=" F ">E</option></optgroup>',
            '<option data-email="no-value@x.invalid">F</option>',
            '<option value="7" data-email="x&ampy@x.invalid">G</option>',
        ]
        * 100  # several Lexbor batches
    )
    page = _same(_with_options(options))
    assert page._dropdown is not None
    assert page.employees[0].email == "a&b@x.invalid"
    assert page.employees[1].last_name == "O'Hara"


@pytest.mark.parametrize(
    "trap",
    [
        '<option value="8">H</option><input name="x"><option value="9">I</option>',
        '<option value="8"><!-- <option value="9"> --></option>',
        '<OPTION VALUE="8" DATA-EMAIL="D@X.invalid">C</OPTION>',
        '<option value="8" data-x="a>b">H</option>',
    ],
)
def test_markup_the_cut_cannot_reproduce_falls_back(trap: str) -> None:
    _same(_with_options('<option value="1" data-email="a@x.invalid">A</option>' + trap))


@pytest.mark.parametrize("before", [0, _dropdown.BATCH, 2 * _dropdown.BATCH])
def test_an_option_inside_an_open_attribute_is_not_read(before: int) -> None:
    # An optgroup's label left open swallows the next option: whether it opens before the
    # first option or in the last option of a parser batch, the page's reading is kept.
    plain = "".join(
        f'<option value="{k}" data-email="e{k}@x.invalid">E</option>' for k in range(before)
    )
    trap = '<optgroup label=\'<option value="666" data-email="fake@x.invalid">\'>'
    page = _same(_with_options(plain + trap + '<option value="9">N</option>'))
    assert 666 not in [o.employee_id for o in page.employees]
