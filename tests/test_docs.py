"""The README's examples stay true: its Python blocks run, its commands exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonnys_async.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
SHELL_LINES = [
    line.split("#")[0].strip()
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
]


@pytest.mark.parametrize("source", PYTHON_BLOCKS, ids=lambda s: s.splitlines()[0][:40])
def test_readme_python_block_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(source, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    # Secrets are masked in reprs: the first block prints the result object itself.
    assert "pos_pin='***'" in out or "Summary" in out or "ok" in out


def test_readme_has_the_two_quick_start_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in quick.splitlines() if ln.startswith("make ")]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "sonnys-backoffice demo" in makefile
    assert "pytest" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "line", [ln for ln in SHELL_LINES if ln.startswith("sonnys-backoffice")], ids=str
)
def test_readme_cli_lines_parse(line: str) -> None:
    """Each documented command line names real commands and options (checked with --help)."""
    argv = shlex.split(line.split(">")[0])[1:]
    words = [a for a in argv if a.startswith("-") or not re.search(r"[./]|^\d", a)]
    commands = [w for w in words if not w.startswith("-")]
    options = {w for w in words if w.startswith("-")} - {"--sandbox"}
    result = CliRunner().invoke(cli, [*commands, "--help"])
    assert result.exit_code == 0, result.output
    for option in options:
        assert option in result.output, f"{line}: {option} not in --help"
