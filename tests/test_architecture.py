"""The shape of the package, kept true: composition, small modules, one-way imports, a pure core."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import sonnys_async
from sonnys_async import AsyncBackofficeClient, BackofficeClient

PACKAGE = Path(sonnys_async.__file__).parent
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["sonnys_async", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Package modules ``name`` imports anywhere: top level, functions, ``TYPE_CHECKING``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "sonnys_async")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "sonnys_async":
                target = node.module or ""
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield sub if sub in MODULES else target


GRAPH = {
    name: {dep for dep in _imports(name, path) if dep in MODULES and dep != name}
    for name, path in MODULES.items()
}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_in_the_package() -> None:
    assert _cycles() == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_500_lines(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_the_clients_inherit_nothing_from_the_package() -> None:
    for cls in (AsyncBackofficeClient, BackofficeClient):
        own = [
            c
            for c in cls.__mro__[1:]
            if c.__module__.startswith("sonnys_async") and c.__name__ != "PortalOwner"
        ]
        assert own == [], cls.__name__
    assert AsyncBackofficeClient.__mro__ == (AsyncBackofficeClient, object)


def test_services_are_composed_not_inherited() -> None:
    for name in MODULES:
        if not name.startswith("sonnys_async._services."):
            continue
        module = __import__(name, fromlist=["_"])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or issubclass(cls, Exception):
                continue
            bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("sonnys_async")]
            assert bases == [], f"{cls.__qualname__} inherits {bases}"


def test_the_cli_uses_only_the_public_api() -> None:
    private = sorted(
        f"{name} -> {dep}"
        for name, deps in GRAPH.items()
        if name.startswith("sonnys_async.cli")
        for dep in deps
        if not dep.startswith("sonnys_async.cli")
        and any(part.startswith("_") for part in dep.split(".")[1:])
    )
    assert private == []


def test_the_core_does_no_io() -> None:
    """``sonnys_async.core`` imports neither an I/O library nor a package module that does."""
    allowed = ("sonnys_async.core", "sonnys_async.errors", "sonnys_async.domain")
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("sonnys_async.core"):
            continue
        offenders += [f"{name} -> {d}" for d in GRAPH[name] if not d.startswith(allowed)]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            roots = (
                [a.name.split(".")[0] for a in node.names]
                if isinstance(node, ast.Import)
                else [(node.module or "").split(".")[0]]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            offenders += [f"{name} -> {r}" for r in roots if r in {"httpx", "anyio", "asyncio"}]
    assert offenders == []
