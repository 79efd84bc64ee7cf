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

$(VENV)/.docs-ready: $(VENV)/.ready pyproject.toml
	$(VENV)/bin/pip install -q -e '.[docs]'
	touch $@

.PHONY: demo test bench docs
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

# The documentation site, as CI builds it: mkdocs --strict into site/, then every client method
# checked for its signature and docstring in the API reference. (The docs' code examples run
# in `make test`: tests/test_docs.py.)
docs: $(VENV)/.docs-ready
	$(VENV)/bin/mkdocs build --strict --site-dir site
	$(VENV)/bin/python scripts/check_docs_site.py site
