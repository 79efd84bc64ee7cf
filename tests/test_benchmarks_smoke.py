"""Smoke test: every benchmark module still imports and runs, at a tiny size.

Benchmarks are not tests: nothing here looks at a timing or a ratio. This only keeps
``python -m benchmarks`` from rotting when the library changes under it.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# ``benchmarks`` lives next to the package, not inside it: importable from an editable install
# (the repo root is on sys.path) and, for any other install, through the repo root added here.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "benchmarks"
NAMES = sorted(
    m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_")
)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"benchmarks.{name}")


def _run_parse(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    best = module._best_ms
    monkeypatch.setattr(module, "_best_ms", lambda fn, repeat=1: best(fn, 1))
    module.main()


def _run_sync(module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    measure = module.measure
    monkeypatch.setattr(module, "measure", lambda: measure(cached_calls=3, http_calls=2))
    module.main()


# Modules written before the smoke sizes existed take no argument; they are shrunk here.
SMALL = {"bench_parse": _run_parse, "bench_sync": _run_sync}

# One line each benchmark must print (a table header or a summary line), to catch a silent
# no-op run.
EXPECTED = {
    "bench_bulk": "/ bound (3 req)",
    "bench_cpu": "ms per create",
    "bench_lookups": "is_email_available(refresh=True)",
    "bench_memory": "peak RSS MiB",
    "bench_parse": "parse_user_permissions",
    "bench_requests": "create_employee + linked BO user",
    "bench_sync": "portal overhead per call",
}


def test_every_benchmark_has_a_smoke_run() -> None:
    assert sorted(EXPECTED) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_runs_at_smoke_size(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _module(name)
    if name in SMALL:
        SMALL[name](module, monkeypatch)
    else:
        module.main(smoke=True)
    out = capsys.readouterr().out
    assert EXPECTED[name] in out
    assert "Traceback" not in out


def test_runner_rejects_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    runner = importlib.import_module("benchmarks.__main__")
    assert runner.main(["no_such_benchmark"]) == 2
    assert "unknown benchmark(s): bench_no_such_benchmark" in capsys.readouterr().out


def test_the_doc_is_written_with_every_section_and_verdict(tmp_path: Path) -> None:
    # Smoke-size sections through the doc writer (no benchmark rerun, no plot needed).
    from benchmarks import bench_bulk, bench_cpu
    from benchmarks.__main__ import write_docs
    from benchmarks._report import Section, Verdict

    point = bench_bulk.Point(50.0, 16, 16, 500, 3)
    run = bench_bulk.Run(5.0, 500, 1500, 1.5, 1.0, 16, 16)
    bulk = bench_bulk.report([bench_bulk.Result(point, (run, run, run))])
    cpu = bench_cpu.report(bench_cpu.Measured(10, 3.5, 2.0, 6.0, 3.0, {"HTTP stack": 1.0}, 5.0))
    other = Section("other", "text", [Verdict("a goal", None, "not run")])
    doc = tmp_path / "benchmarks.md"
    write_docs(doc, [bulk, cpu, other], 0.0, "test machine")
    text = doc.read_text(encoding="utf-8")
    assert "**met**: at 50 ms with 16 sessions" in text  # 100 hires/s of a 107/s bound
    assert "**met**: at most 4 ms of client CPU" in text
    assert "**not measured**: a goal" in text
    assert "from its documentation" in text


def test_requests_benchmark_covers_every_reference_row() -> None:
    # The reference table (reference-library-api.md) lists these operations; a row dropped
    # from the benchmark would silently stop comparing it.
    from benchmarks.bench_requests import _ops

    names = {name for name, *_ in _ops()}
    for op in (
        "list_sites",
        "list_departments",
        'list_permissions("pos")',
        'list_permissions("backoffice")',
        "is_email_available",
        "is_phone_available",
        "pos_user_id_exists",
        "list_employees",
        "get_employee",
        "create_employee",
        "create_employee + linked BO user",
        "create_backoffice_user standalone",
        "create_backoffice_user linked",
        "disable_employee by POS id",
        "disable_employee by email",
        "modify_employee everything",
    ):
        assert op in names
