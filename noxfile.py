"""Developer tasks: ``nox`` runs lint, typecheck and tests; ``faults``, ``bench``, ``docs`` (the
site, built with --strict) and ``demo`` on demand."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (in-process sandbox, no network beyond 127.0.0.1)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check + ruff format --check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and the type-only API file."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict")


@nox.session
def faults(session: nox.Session) -> None:
    """The fault suite alone; rewrites the measured table in docs/reliability.md."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "-m",
        "faults",
        "tests/faults",
        *session.posargs,
        env={"SONNYS_FAULTS_REPORT": "docs/reliability.md"},
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (issue 11): measured against the served sandbox, written to
    docs/benchmarks.md with the plot and a verdict per goal (nothing asserted).

    ``nox -s bench -- bulk cpu`` runs only those and writes no doc.
    """
    session.install("-e", ".[bench]")
    if session.posargs:
        session.run("python", "-m", "benchmarks", *session.posargs)
    else:
        session.run("python", "-m", "benchmarks", "--docs", "docs/benchmarks.md")


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site with --strict (and its API reference checked), and its code examples run
    against the sandbox."""
    session.install("-e", ".[docs,test]")
    session.run("pytest", "tests/test_docs.py", *session.posargs)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
    session.run("python", "scripts/check_docs_site.py", "site")


@nox.session
def demo(session: nox.Session) -> None:
    """The README's main job: bulk onboarding against the built-in sandbox."""
    session.install("-e", ".")
    session.run("sonnys-backoffice", "demo", *session.posargs)
