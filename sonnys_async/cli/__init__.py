"""The ``sonnys-backoffice`` command line (placeholder until the CLI lands)."""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``sonnys-backoffice`` console script."""
    raise SystemExit("sonnys-backoffice: not implemented yet")
