"""The employee dropdown read for lookups gives what one Lexbor parse of the page gives.

:func:`pages.parse_employee_options` reads an option in the server's usual shape with a pattern
and hands any other to the HTML parser (``_dropdown.read_shaped``). The reference is the
whole-page Lexbor parse; the pattern must never read an option the parser would read otherwise,
including where a neighbouring option's markup leaves the parser inside a tag or an attribute.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from sonnys_async.core import pages
from sonnys_async.core.pages import _dropdown
from sonnys_async.core.pages.user_create import _RUN, _SHAPE, SELECT_ID
from sonnys_async.errors import PageStructureError

from .test_user_create_linear import CAPTURES, HTML, _sandbox_page, _with_options


def _whole(text: str) -> tuple[pages.EmployeeOption, ...]:
    return pages.parse_user_create(LexborHTMLParser(text)).employees


def _shaped(value: str, email: str, first: str = "Ann", last: str = "Lee") -> str:
    return (
        f'<option\n    value="{value}"\n    data-email="{email}"\n    data-first-name="{first}"'
        f'\n    data-last-name="{last}"\n    \n>{first} {last}</option>\n    '
    )


@pytest.mark.parametrize("name", CAPTURES)
def test_captures_read_as_the_parser_reads_them(name: str) -> None:
    text = (HTML / name).read_text(encoding="utf-8")
    assert pages.parse_employee_options(text) == _whole(text)
    assert pages.parse_employee_options(text) == pages.parse_user_create(text).employees


def test_sandbox_page_is_read_by_the_pattern_alone() -> None:
    text = _sandbox_page(600)
    read = _dropdown.read_shaped(text, SELECT_ID, _SHAPE)
    assert read is not None
    assert sum(isinstance(item, dict) for item in read) == 1  # the placeholder only
    options = pages.parse_employee_options(text)
    assert options == _whole(text)
    assert len(options) > 500


def test_options_outside_the_shape_go_to_the_parser_in_page_order() -> None:
    odd = [
        '<option value="2" data-email="o&#39;hara@x.invalid" data-first-name="O&#39;Hara">B',
        "</option>\n",
        '<option value="3" data-email="c@x.invalid" data-first-name="C" data-last-name="D"'
        " selected>C</option>",
        "<option value='4' data-email='d@x.invalid'>D</option>",
        '<option VALUE="5" data-email="e@x.invalid" data-first-name="E" data-last-name="F">E'
        "</option>",
        '<option value="6" data-email="f\r@x.invalid" data-first-name="F" data-last-name="G">'
        "F</option>",
        '<optgroup label="g">' + _shaped("7", "g@x.invalid") + "</optgroup>",
    ]
    text = _with_options(_shaped("1", "a@x.invalid") + "".join(odd) * 70 + _shaped("8", "h@x"))
    options = pages.parse_employee_options(text)
    assert options == _whole(text)
    assert [o.employee_id for o in options[:8]] == [1, 2, 3, 4, 5, 6, 7, 2]
    assert options[1].email == "o'hara@x.invalid"


@pytest.mark.parametrize(
    "trap",
    [
        # A single-quoted value holding a shaped option: the parser reads one option, not two.
        '<option value="1" data-x=\'' + _shaped("666", "fake@x.invalid") + "'>A</option>",
        # A tag left open after an option: the next "option" is inside its attribute.
        '<option value="1">A</option><optgroup label=\''
        + _shaped("666", "fake@x.invalid")
        + '\'><option value="2">B</option>',
        # The same trap before the first option.
        "<optgroup label='" + _shaped("666", "fake@x.invalid") + "'>",
        # The shape in a comment is refused by the cut.
        "<!--" + _shaped("666", "fake@x.invalid") + "-->",
    ],
)
def test_an_option_hidden_in_other_markup_is_never_read(trap: str) -> None:
    text = _with_options(trap + _shaped("9", "real@x.invalid"))
    options = pages.parse_employee_options(text)
    assert options == _whole(text)
    assert all(o.employee_id != 666 for o in options)


def test_a_page_without_the_dropdown_is_refused() -> None:
    with pytest.raises(PageStructureError):
        pages.parse_employee_options("<html><body><p>no form here</p></body></html>")


_TEXT = st.text(alphabet="ab <>'\"&#;=\r\n\t/-", max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(_shaped, st.from_regex(r"[0-9 ]{0,4}", fullmatch=True), _TEXT, _TEXT),
            st.builds(lambda v, e: f"<option value={v} data-email={e}>x", _TEXT, _TEXT),
            _TEXT,
        ),
        max_size=8,
    )
)
def test_any_mix_reads_as_the_parser_reads_it(parts: list[str]) -> None:
    text = _with_options("".join(parts))
    try:
        expected = _whole(text)
    except PageStructureError:
        return  # the markup broke the form itself: nothing to compare
    assert pages.parse_employee_options(text) == expected


def test_many_employees_read_in_one_pass() -> None:
    options = "".join(_shaped(str(k), f"e{k}@x.invalid") for k in range(1, 5001))
    text = _with_options(options)
    read = pages.parse_employee_options(text)
    assert [o.employee_id for o in read] == list(range(1, 5001))
    assert read[-1] == pages.EmployeeOption(5000, "Ann", "Lee", "e5000@x.invalid")


def test_a_select_of_shaped_options_is_read_in_one_pass_after_its_placeholder() -> None:
    text = _sandbox_page(600)
    located = _dropdown._locate(text, SELECT_ID)
    assert located is not None
    region = text[located[0] : located[1]]
    read = _dropdown._read_run(region, _SHAPE, _RUN)
    assert read is not None  # every tag after the placeholder is an option in the shape
    assert isinstance(read[0], dict)  # the placeholder, read by the parser
    assert pages.parse_employee_options(text) == _whole(text)


@pytest.mark.parametrize(
    "odd",
    [
        "<b>bold</b>",  # another tag among the options
        '<option value="7" data-email="a<b@x" data-first-name="A" data-last-name="B">A</option>',
        "<!-- a comment -->",
    ],
)
def test_one_odd_tag_after_the_first_shaped_option_sends_the_select_option_by_option(
    odd: str,
) -> None:
    text = _with_options(_shaped("1", "a@x.invalid") + odd + _shaped("2", "b@x.invalid"))
    located = _dropdown._locate(text, SELECT_ID)
    assert located is not None
    assert _dropdown._read_run(text[located[0] : located[1]], _SHAPE, _RUN) is None
    assert pages.parse_employee_options(text) == _whole(text)
