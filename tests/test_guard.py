"""The markup guard (issue 14, defect 15): real pages pass, pathological ones fail fast."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sonnys_async.core import guard
from sonnys_async.core.guard import MAX_DEPTH, MAX_RUN, MAX_TAGS, check_markup, nesting_depth
from sonnys_async.errors import PageStructureError

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "html").glob("*.html"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_every_captured_page_passes_with_a_wide_margin(path: Path) -> None:
    page = _read(path)
    check_markup(page, page=path.name)
    assert nesting_depth(page) <= MAX_DEPTH // 8


def test_the_guard_costs_little_next_to_a_parse() -> None:
    largest = max(FIXTURES, key=lambda p: p.stat().st_size)
    page = _read(largest)
    check_markup(page, page="warm-up")
    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        check_markup(page, page=largest.name)
    per_page = (time.perf_counter() - started) / runs
    # ~1 ms on a 330 KB page on a 2-core CI box; a Lexbor parse of it takes ~6 ms there.
    assert per_page < 0.05


@pytest.mark.parametrize(
    ("markup", "depth"),
    [
        ("<div><span>a</span><br><img src=x><input></div>", 2),
        ("<ul>" + "<li>item" * 2000 + "</ul>", 2),  # optional end tags never nest
        ("<p>one<p>two<p>three", 1),
        ("<table>" + "<tr><td>x" * 500 + "</table>", 3),
        ("<DIV><Span>x</Span></DIV>", 2),
        ("<script>if (a<b && c<d) {}</script>", 3),  # errs high, never low
        ("<!-- <div><div><div> --><div></div>", 4),
        ("<div>" * 10 + "</div>" * 10, 10),
        ("</i></b></div><div>", 1),  # stray end tags close nothing
    ],
)
def test_depth_estimate(markup: str, depth: int) -> None:
    assert nesting_depth(markup) == depth


@pytest.mark.parametrize(
    ("markup", "landmark"),
    [
        ("<div>" * (MAX_DEPTH + 1), "nested at most"),
        ("<div>" * 50_000, "nested at most"),
        # A count that ignored names would see depth 1: each stray </i> closes nothing.
        ("<div></i>" * 20_000, "nested at most"),
        ("<div></i>" * 20_000 + "<i></div>" * 20_000, "nested at most"),
        ("<b><i><u>" * 300, "nested at most"),
        ("<table><tr><td>" * 600, "nested at most"),
        ('<div title="' + "x" * (MAX_RUN + 1) + '"></div>', "run of over"),
        ("<p>" + "word " * (MAX_RUN // 4), "run of over"),
        ("<br>" * (MAX_TAGS + 1), "at most"),
    ],
)
def test_pathological_markup_is_refused_fast(markup: str, landmark: str) -> None:
    started = time.perf_counter()
    with pytest.raises(PageStructureError, match=landmark) as info:
        check_markup(markup, page="/employee")
    assert time.perf_counter() - started < 1.0
    assert info.value.page == "/employee"


def test_the_bounds_are_parameters() -> None:
    check_markup("<div>" * 20, page="p", max_depth=20)
    with pytest.raises(PageStructureError):
        check_markup("<div>" * 21, page="p", max_depth=20)
    with pytest.raises(PageStructureError):
        check_markup("<br>" * 11, page="p", max_tags=10)
    with pytest.raises(PageStructureError):
        check_markup("<p>" + "x" * 11, page="p", max_run=10)


def _depth_tag_by_tag(markup: str, limit: int | None = None) -> int:
    """The estimate as first written, one token per tag: the reference for the folded scan."""
    void, optional = guard._VOID, guard._OPTIONAL_END
    depth = deepest = 0
    open_count: dict[str, int] = {}
    for token in re.findall(r"<(/?[A-Za-z][A-Za-z0-9:-]*)", markup):
        if token[0] == "/":
            if open_count.get(token[1:]):
                open_count[token[1:]] -= 1
                depth -= 1
        elif token not in void:
            count = open_count.get(token, 0)
            if count and token in optional:
                continue
            open_count[token] = count + 1
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and depth > limit:
                    break
    return deepest


_PIECES = st.sampled_from(
    [
        "<option value='1'>A</option>",
        '<option value="2" data-x="a>b">B</option>\n  ',
        "<option>",
        "</option>",
        "<option/>",
        "</option >",
        "<optionx>",
        "<OPTION>",
        "<select>",
        "</select>",
        "<div>",
        "</div>",
        "<p>",
        "<br>",
        "<!-- <div> -->",
        "< ",
        "<",
        "text",
        "<option value='<b'>c</option>",
    ]
)


@given(st.lists(_PIECES, max_size=40), st.none() | st.integers(min_value=0, max_value=6))
def test_runs_of_options_are_folded_to_the_same_estimate(
    pieces: list[str], limit: int | None
) -> None:
    markup = "".join(pieces)
    assert nesting_depth(markup, limit=limit) == _depth_tag_by_tag(markup, limit)


def test_a_dropdown_of_twenty_thousand_options_nests_two_deep() -> None:
    options = "".join(f'<option value="{i}">E {i}</option>\n' for i in range(20_000))
    assert nesting_depth(f"<select>{options}</select>") == 2
    assert nesting_depth(f"<select><option>{options}</select>") == 2
