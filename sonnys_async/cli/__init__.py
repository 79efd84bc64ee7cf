"""The ``sonnys-backoffice`` command line (click + rich).

``main`` is the console-script entry point; ``cli`` is the click group (tests drive it with
``click.testing.CliRunner``, passing ``obj=AppState(...)`` to inject a sandbox).
"""

from __future__ import annotations

from . import _commands  # noqa: F401  (registers every command on the group)
from ._app import AppState, cli, main

__all__ = ["AppState", "cli", "main"]
