"""Page templates: Twig-flavoured autoescaping, strict undefined names, package data, captures."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from sonnys_async.sandbox.views.env import ENV, FragmentCache, render, twig_escape

from .helpers import logged_in, make_sandbox

CAPTURES = Path(__file__).parents[1] / "fixtures" / "html"
TEMPLATES = resources.files("sonnys_async.sandbox").joinpath("templates")


def _template_names() -> list[str]:
    names = []
    for entry in TEMPLATES.iterdir():
        if entry.name.endswith(".j2"):
            names.append(entry.name)
        elif entry.is_dir():
            names += [f"{entry.name}/{sub.name}" for sub in entry.iterdir()]
    return sorted(names)


def test_printed_values_are_escaped_as_twig_does():
    template = ENV.from_string('<a title="{{ v }}">{{ v }}</a>{{ n }}')
    out = template.render(v='O\'Hara & "Sons" <b>', n=7)
    assert out == (
        '<a title="O&#039;Hara &amp; &quot;Sons&quot; &lt;b&gt;">'
        "O&#039;Hara &amp; &quot;Sons&quot; &lt;b&gt;</a>7"
    )
    assert twig_escape(Markup("<i>kept</i>")) == "<i>kept</i>"
    assert twig_escape(None) == "None"


def test_macro_and_set_block_output_is_not_escaped_twice():
    template = ENV.from_string(
        "{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}"
        "{% set s %}<i>{{ v }}</i>{% endset %}{{ b(v) }}{{ s }}"
    )
    assert template.render(v="a'b") == "<b>a&#039;b</b><i>a&#039;b</i>"


def test_an_undefined_name_fails_the_render():
    with pytest.raises(UndefinedError):
        ENV.from_string("{{ missing }}").render()
    with pytest.raises(UndefinedError):
        render("dashboard.html.j2", {"title_suffix": None})  # no `flash`


def test_templates_ship_in_the_package_and_compile():
    names = _template_names()
    assert "employee_form.html.j2" in names
    assert "macros/page.html.j2" in names
    for name in names:
        ENV.get_template(name)  # compiles
    assert ENV.autoescape is True


def test_each_template_says_what_it_mirrors_and_the_captures_exist():
    for name in _template_names():
        text = TEMPLATES.joinpath(*name.split("/")).read_text(encoding="utf-8")
        assert text.startswith("{#"), f"{name}: no leading comment"
        comment = text[: text.index("#}")]
        for capture in re.findall(r"[\w.-]+\.html(?:\.html)?(?!\.j2)\b", comment):
            if capture.endswith(".html.j2"):
                continue
            assert (CAPTURES / capture).is_file(), f"{name}: {capture} is no capture"
        if "Mirrors" not in comment and "mirror" not in comment:
            assert "No capture" in comment or "macros/" in name or name == "base.html.j2", name


def test_fragment_cache_keeps_fragments_per_key_and_is_bounded():
    cache: FragmentCache[int] = FragmentCache(size=2)
    made: list[int] = []

    def make(n: int) -> Markup:
        made.append(n)
        return Markup(f"<p>{n}</p>")

    assert cache.get(1, lambda: make(1)) == "<p>1</p>"
    assert cache.get(1, lambda: make(1)) == "<p>1</p>"
    cache.get(2, lambda: make(2))
    cache.get(3, lambda: make(3))  # full: starts over
    cache.get(1, lambda: make(1))
    assert made == [1, 2, 3, 1]


async def test_cached_rows_and_groups_follow_the_stored_records():
    sb = make_sandbox(employees=0)
    emp = sb.state.add_employee(first_name="Before", grants=frozenset({22}))
    user = sb.state.add_user(username="rowcache", tokens=frozenset({"category.list"}))
    async with logged_in(sb) as c:
        assert ">Before</span>" in (await c.get("/employee")).text
        assert 'id="perm-grant-22"' in (await c.get(f"/employee/permissions/{emp.id}")).text
        emp.first_name = "After"
        emp.grants = frozenset({23})
        user.username = "renamed"
        user.tokens = frozenset({"category.write"})
        listing = (await c.get("/employee")).text
        access = (await c.get(f"/employee/permissions/{emp.id}")).text
        users = (await c.get("/user", params={"limit": "10000"})).text
        bo_access = (await c.get(f"/user/permissions/{user.id}")).text
    assert ">After</span>" in listing
    assert ">Before</span>" not in listing
    checked = re.findall(r'id="perm-grant-(\d+)"[^>]*checked', access.replace("\n", " "))
    assert checked == ["23"]
    assert "renamed" in users
    assert "rowcache" not in users
    enabled = re.findall(r'id="(perm-[\w-]+)"[^>]*checked', bo_access.replace("\n", " "))
    assert enabled == ["perm-category-write"]
