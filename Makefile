# Two entry points for a fresh machine (only python3 and make needed):
#   make demo   bulk-onboard the bundled sample hires into an in-process sandbox
#   make test   lint + typecheck + tests (what CI runs)
PY ?= python3
VENV := .venv

$(VENV)/.ready: pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

.PHONY: demo test bench
demo: $(VENV)/.ready
	$(VENV)/bin/sonnys-backoffice demo

# Same checks as `nox` (sessions lint, typecheck, tests), run in one environment.
test: $(VENV)/.ready
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict
	$(VENV)/bin/pytest

bench: $(VENV)/.ready
	$(VENV)/bin/python -m benchmarks
