"""The form engine's shape: one-way module layers, no page or endpoint knowledge (issue 9)."""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import sonnys_async.core.forms as forms

PACKAGE = Path(forms.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def _sibling_imports(tree: ast.Module) -> set[str]:
    return {
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    }


def test_engine_modules_import_each_other_in_one_direction_only() -> None:
    graph = {
        path.stem: _sibling_imports(ast.parse(path.read_text(encoding="utf-8"))) for path in MODULES
    }
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:  # pragma: no cover - the failure message is the point
        raise AssertionError(f"import cycle in core/forms: {error.args[1]}") from None
    assert graph["_encode"] == set()  # the bottom layers import no sibling
    assert graph["_model"] == set()
    assert [name for name, deps in graph.items() if "_parse" in deps] == ["__init__"]


def test_engine_imports_only_at_module_top_level() -> None:
    # No import hidden in a function body or behind `if TYPE_CHECKING:` to dodge a cycle.
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        nested = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top
        ]
        assert nested == [], f"{path.name}: imports below module level at lines {nested}"
        assert "TYPE_CHECKING" not in path.read_text(encoding="utf-8"), path.name


def test_engine_names_no_backoffice_page_or_endpoint() -> None:
    pattern = re.compile(r"employee|/user|backoffice", re.IGNORECASE)
    for path in MODULES:
        hits = [
            f"{path.name}:{n}: {line.strip()}"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)
        ]
        assert hits == []


def test_no_engine_module_exceeds_500_lines() -> None:
    for path in MODULES:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path.name
