"""HTML-standard entry-list rules on small synthetic pages (form owners, fieldsets, encoding)."""

from __future__ import annotations

import pytest

from sonnys_async.core.forms import encode_pairs, parse_form
from sonnys_async.errors import FormError, ItemNotFoundError, PageStructureError


def _page(body: str) -> str:
    return f"<!doctype html><html><body>{body}</body></html>"


def test_entry_list_basics() -> None:
    html = _page(
        """<form id="f" action="/x" method="post">
        <input name="t" value="a b">
        <input name="novalue">
        <input type="checkbox" name="c1" checked>
        <input type="checkbox" name="c2" value="v" checked="">
        <input type="checkbox" name="c3" value="off">
        <input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
        <select name="s1"><option value="" disabled>x</option><option>First text</option>
          <option value="z">Z</option></select>
        <select name="s2"><option value="a" selected>A</option><option value="b" selected>B</option>
        </select>
        <select name="m" multiple><option value="1" selected>1</option><option value="2">2</option>
          <option value="3" selected disabled>3</option></select>
        <textarea name="ta">line1
line2</textarea>
        <input value="nameless">
        <input name="dis" value="d" disabled>
        <input type="submit" name="go" value="Go">
        <input type="number" name="num" value="12abc">
        <input type="text" name="date" data-value="04/13/2026">
        </form>"""
    )
    form = parse_form(html, "f", mode="plain")
    assert form.method == "post"
    assert list(form.entries) == [
        ("t", "a b"),
        ("novalue", ""),
        ("c1", "on"),
        ("c2", "v"),
        ("r", "2"),
        ("s1", "First text"),
        ("s2", "b"),
        ("m", "1"),
        ("ta", "line1\nline2"),
        ("num", ""),
        ("date", "04/13/2026"),
    ]
    data = form.replay(submitter="go")
    assert ("go", "Go") in data.pairs()
    assert encode_pairs([("ta", "line1\nline2")]) == b"ta=line1%0D%0Aline2"


def test_encoding_matches_the_browser_serializer() -> None:
    assert encode_pairs([("a b", "x~y*z.-_!"), ("k[]", "é&=")]) == (
        b"a+b=x%7Ey*z.-_%21&k%5B%5D=%C3%A9%26%3D"
    )


def test_disabled_fieldset_spares_its_first_legend() -> None:
    html = _page(
        """<form id="f"><fieldset disabled><legend><input name="in_legend" value="1"></legend>
        <input name="inside" value="2"></fieldset><input name="after" value="3"></form>"""
    )
    assert parse_form(html, "f").entries == (("in_legend", "1"), ("after", "3"))


def test_form_attribute_owners() -> None:
    html = _page(
        """<input name="before" form="f" value="0">
        <form id="f"><input name="own" value="1"><input name="other" form="g" value="x"></form>
        <form id="g"></form><input name="after" form="f" value="2">"""
    )
    assert parse_form(html, "f").entries == (("before", "0"), ("own", "1"), ("after", "2"))
    assert parse_form(html, "g").entries == (("other", "x"),)


def test_form_reparented_out_of_a_table_keeps_its_controls() -> None:
    # Lexbor (like browsers) moves a <form> that appears directly in a table out of the way
    # and leaves it empty; the controls parsed after it still belong to it.
    html = _page(
        """<table><form id="f" action="/t" method="post"><tr><td><input name="a" value="1">
        </td><td><select name="s"><option value="9">9</option></select></td></tr></form>
        </table><input name="outside" value="no">"""
    )
    form = parse_form(html, "f")
    assert form.entries == (("a", "1"), ("s", "9"))


def test_browser_mode_fhcheck_disable_and_enable() -> None:
    html = _page(
        """<form id="f">
        <input type="checkbox" name="deny" value="1" checked data-fhcheck-disable="#box :input">
        <div id="box"><input name="inner" value="x"><select name="sel"><option>1</option>
        </select></div>
        <input type="checkbox" name="ot" value="1" data-fhcheck-enable="#rate">
        <input id="rate" name="rate" value="1.50" disabled>
        </form>"""
    )
    plain = parse_form(html, "f", mode="plain")
    assert plain.entries == (("deny", "1"), ("inner", "x"), ("sel", "1"))
    browser = parse_form(html, "f")
    assert browser.entries == (("deny", "1"),)
    data = browser.replay().uncheck("deny").check("ot")
    assert data.pairs() == [("inner", "x"), ("sel", "1"), ("ot", "1"), ("rate", "1.50")]


def test_replay_edits() -> None:
    html = _page(
        """<form id="f"><input name="a" value="1"><input name="a" value="2">
        <input type="checkbox" name="g[]" value="1"><input type="checkbox" name="g[]" value="2">
        <select name="one"><option value="x">X</option><option value="y">Y</option></select>
        <input type="checkbox" name="flag"></form>"""
    )
    data = parse_form(html, "f").replay()
    data.set("a", "9")
    assert data.get("a") == ["9"]
    data.select("g[]", "2")
    assert data.get("g[]") == ["2"]
    with pytest.raises(ItemNotFoundError):
        data.select("g[]", "3")
    with pytest.raises(FormError):
        data.select("one", "x", "y")
    data.check("flag")
    assert data.get("flag") == ["on"]
    data.check("flag", "1")
    assert data.get("flag") == ["1"]
    data.append("extra", "e").append("extra", "f")
    data.remove("extra")
    assert "extra" not in data
    data.append("z", "1")
    assert data.pairs()[-1] == ("z", "1")
    copy = data.copy()
    copy.remove("a")
    assert data.get("a") == ["9"]


def test_missing_form_is_a_named_error() -> None:
    with pytest.raises(PageStructureError, match="form nope"):
        parse_form(_page(""), "nope")
    with pytest.raises(ValueError, match="exactly one"):
        parse_form(_page(""))


_OMISSION_PAGE = _page(
    """<form id="f" action="/omission-test/save" method="post">
    <input name="keep" value="1"><input type="checkbox" name="drop[1]" value="1" checked>
    <input name="drop[2]" value="2"><input value="nameless"></form>"""
)


def _drop(name: str) -> bool:
    return name.startswith("drop[")


def test_omit_rule_keeps_the_controls_it_names_out_of_the_browser_body() -> None:
    form = parse_form(_OMISSION_PAGE, "f", omit=_drop)
    assert form.entries == (("keep", "1"),)
    assert [c.name for c in form.controls] == ["keep", "drop[1]", "drop[2]", ""]
    data = form.replay().set("drop[2]", "x").check("drop[1]")
    assert data.pairs() == [("keep", "1")]  # an omitted control stays out, even when set


def test_omit_rule_does_not_apply_in_plain_mode() -> None:
    form = parse_form(_OMISSION_PAGE, "f", mode="plain", omit=_drop)
    assert form.entries == (("keep", "1"), ("drop[1]", "1"), ("drop[2]", "2"))


def test_omission_rules_by_action_apply_to_the_forms_posting_there_only() -> None:
    other = _OMISSION_PAGE.replace("/omission-test/save", "/omission-test/other")
    rules = {"/omission-test/save": _drop}
    assert parse_form(_OMISSION_PAGE, "f", omit=rules).entries == (("keep", "1"),)
    assert len(parse_form(other, "f", omit=rules).entries) == 3
    assert len(parse_form(_OMISSION_PAGE, "f").entries) == 3  # no rule: the markup alone
