"""Every code example of the documentation runs against the sandbox; its commands exist.

The pages are README.md, CHANGELOG.md, CONTRIBUTING.md and every docs/**/*.md (the site's
pages). Each ```python block runs, page by page, in order, sharing one fresh sandbox per page,
the way a reader would run them one after the other against ``sonnys-backoffice sandbox``:

* the four ``SONNYS_*`` variables name the page's sandbox and every client built without
  ``transport=`` is routed to it (:func:`sonnys_async.testing.route_to`), so an example written
  for a real tenant (``BackofficeClient.from_env()``) runs unchanged; blocks that make a
  ``Sandbox()`` of their own use it;
* the working directory is a temporary one (examples may write journals and results);
* a block preceded by a line naming its file (`` `onboard_new_hire.py`: ``) is written there
  under that name (importable by the page's other blocks) and run as ``__main__``;
* a block that defines pytest tests or fixtures is a test file: it runs with ``pytester`` next
  to the page's named files (a fixture-only block as ``conftest.py`` with a test using them).

A block that cannot run here (a signature, an excerpt needing a real tenant) is marked on the
line before its fence with ``<!-- not-run: REASON -->``; the reason is required, and the list
of such blocks is pinned below. ```bash and ```console lines that start with
``sonnys-backoffice`` must name real commands and options (checked with ``--help``).
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonnys_async.cli import cli
from sonnys_async.sandbox import Sandbox, SandboxOptions
from sonnys_async.testing import route_to, sandbox_env

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent
PAGES = [
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
_NOT_RUN = re.compile(r"^<!-- not-run: (.+?) -->$")
_NAMED = re.compile(r"^`([\w/]+\.py)`:$")
_TESTS = re.compile(r"^(?:async )?def test_|^@pytest\.fixture", re.M)

#: Blocks that do not run, by page and first line: each says why on its page.
NOT_RUN = {
    ("docs/client.md", "AsyncBackofficeClient(base_url=None, *, su"),
    ("docs/migration.md", "SonnysBackofficeClient(*, subdomain, usern"),
}


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str
    line: int
    language: str
    source: str
    name: str | None = None
    not_run: str | None = None

    @property
    def is_tests(self) -> bool:
        return self.language == "python" and bool(_TESTS.search(self.source))

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    """The fenced blocks of a page, with their marker and file name (from the lines above)."""
    text = path.read_text(encoding="utf-8")
    page = path.relative_to(ROOT).as_posix()
    found = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        above = [ln.strip() for ln in text[: match.start()].splitlines()[-3:] if ln.strip()]
        last = above[-1] if above else ""
        marker = _NOT_RUN.match(last)
        named = _NAMED.match(last)
        found.append(
            Block(
                page=page,
                line=line,
                language=match.group(1),
                source=match.group(2),
                name=named.group(1) if named else None,
                not_run=marker.group(1) if marker else None,
            )
        )
    return found


BLOCKS = {path.relative_to(ROOT).as_posix(): blocks_of(path) for path in PAGES}
PYTHON_PAGES = sorted(
    page for page, blocks in BLOCKS.items() if any(b.language == "python" for b in blocks)
)


def test_every_page_is_checked() -> None:
    assert "docs/guides/create.md" in BLOCKS
    assert len(PYTHON_PAGES) >= 12, PYTHON_PAGES  # the guides, README, client, sandbox...


def test_blocks_that_do_not_run_say_why_and_are_few() -> None:
    skipped = {
        (b.page, b.source.splitlines()[0][:42])
        for blocks in BLOCKS.values()
        for b in blocks
        if b.not_run is not None
    }
    assert skipped == NOT_RUN
    unlabelled = [
        b.where for bs in BLOCKS.values() for b in bs if b.language == "" and b.source.strip()
    ]
    assert unlabelled == [] or all(not b.startswith("docs/guides") for b in unlabelled)


@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_the_python_examples_of_a_page_run(
    page: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pytester: pytest.Pytester,
) -> None:
    blocks = [b for b in BLOCKS[page] if b.language == "python" and b.not_run is None]
    scripts = [b for b in blocks if not b.is_tests]
    tests = [b for b in blocks if b.is_tests]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.syspath_prepend(str(work))
    sandbox = Sandbox(SandboxOptions(seed=1))
    for variable, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(variable, value)
    for block in blocks:
        if block.name and not block.is_tests:
            (work / block.name).write_text(block.source, encoding="utf-8")
    with route_to(sandbox):
        for block in scripts:
            code = compile(block.source, block.where, "exec")
            exec(code, {"__name__": "__main__", "__file__": str(work / (block.name or "x.py"))})
    for name in [b.name for b in blocks if b.name]:
        sys.modules.pop(Path(name).stem, None)  # the next page may name a file the same
    printed = capsys.readouterr().out
    assert "Traceback" not in printed
    if tests:
        monkeypatch.chdir(pytester.path)
        _run_as_tests(pytester, blocks, tests)


def _run_as_tests(pytester: pytest.Pytester, blocks: list[Block], tests: list[Block]) -> None:
    """Each test block in a pytest run of its own, next to the page's named files."""
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )
    for block in blocks:
        if block.name and not block.is_tests:
            pytester.path.joinpath(block.name).write_text(block.source, encoding="utf-8")
    pytester.syspathinsert()
    for n, block in enumerate(tests):
        for old in pytester.path.glob("test_*.py"):
            old.unlink()
        pytester.path.joinpath("conftest.py").unlink(missing_ok=True)
        defines_tests = re.search(r"^(?:async )?def test_", block.source, re.M)
        if defines_tests:
            name = block.name or f"test_doc_{n}.py"
            pytester.path.joinpath(name).write_text(block.source, encoding="utf-8")
            expected = len(re.findall(r"^(?:async )?def test_", block.source, re.M))
        else:  # fixtures only: a conftest, and a test that uses each fixture
            pytester.makeconftest(block.source)
            fixtures = re.findall(r"^def (\w+)\(", block.source, re.M)
            pytester.makepyfile(
                test_uses_the_fixtures=f"def test_it({', '.join(fixtures)}):\n    pass\n"
            )
            expected = 1
        result = pytester.runpytest("-p", "no:cacheprovider")
        assert result.ret == 0, f"{block.where}\n{result.stdout.str()}"
        result.assert_outcomes(passed=expected)


def test_the_readme_examples_print_what_they_say() -> None:
    """The README's first block prints the masked result, the second the summary."""
    readme = [b for b in BLOCKS["README.md"] if b.language == "python"]
    assert len(readme) == 2
    assert "print(hire)" in readme[0].source
    assert "print(run.summary)" in readme[1].source


def test_readme_has_the_two_quick_start_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in quick.splitlines() if ln.startswith("make ")]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "sonnys-backoffice demo" in makefile
    assert "pytest" in makefile
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "make docs" in ci


def _shell_lines() -> list[tuple[str, str]]:
    lines = []
    for page, blocks in BLOCKS.items():
        for block in blocks:
            if block.language not in ("bash", "console", "sh"):
                continue
            for raw in block.source.splitlines():
                line = raw.removeprefix("$ ").split("  #")[0].split(" # ")[0].strip()
                if line.startswith("sonnys-backoffice"):
                    lines.append((page, line))
    return lines


SHELL_LINES = _shell_lines()


def test_the_shell_examples_are_checked() -> None:
    pages = {page for page, _ in SHELL_LINES}
    assert {"README.md", "docs/cli.md", "docs/guides/troubleshooting.md"} <= pages


@pytest.mark.parametrize(("page", "line"), SHELL_LINES, ids=lambda v: str(v)[:60])
def test_documented_command_lines_parse(page: str, line: str) -> None:
    """Each documented command line names real commands and options (checked with --help):
    the options before the first command are the group's, the others the command's."""
    argv = shlex.split(line.split(">")[0])[1:]
    group_options: list[str] = []
    while argv and argv[0].startswith("-"):
        option = argv.pop(0)
        group_options.append(option)
        if option == "--sandbox-state" and argv:
            argv.pop(0)  # its FILE
    words = [a for a in argv if a.startswith("-") or not re.search(r"[./=]|^\d|^[A-Z]", a)]
    commands = [w for w in words if not w.startswith("-")]
    options = {w.split("=")[0] for w in words if w.startswith("-")}
    top = CliRunner().invoke(cli, ["--help"]).output
    for option in group_options:
        assert option in top, f"{page}: {line}: {option} is not a global option"
    if not commands:
        return
    result = CliRunner().invoke(cli, [*commands, "--help"])
    assert result.exit_code == 0, f"{page}: {line}\n{result.output}"
    for option in options:
        assert option in result.output, f"{page}: {line}: {option} not in --help"


def test_no_page_sets_a_real_tenant_s_password() -> None:
    """Examples read credentials from the environment, never a literal password."""
    for blocks in BLOCKS.values():
        for block in blocks:
            assert not re.search(r"password\s*=\s*['\"][^'\"]+['\"]", block.source), block.where
