"""The ``sonnys-backoffice`` command line (click + rich).

``main`` is the console-script entry point; ``cli`` is the click group (tests drive it with
``click.testing.CliRunner``, passing ``obj=AppState(...)`` to inject a sandbox).
"""

from __future__ import annotations

# Each command module registers its commands on the group when imported.
from . import (  # noqa: F401
    _demo,
    _modify,
    _offboard,
    _offline,
    _onboard,
    _sync,
    _sync_apply,
    _tenant,
    _users,
)
from ._app import AppState, cli, main

__all__ = ["AppState", "cli", "main"]
