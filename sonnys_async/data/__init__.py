"""Bundled sample CSVs: ``sample_hires.csv`` (50 hires) and ``sample_leavers.csv``.

They feed ``sonnys-backoffice demo`` and show the documented columns (docs/cli.md).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["sample_path"]


def sample_path(name: str) -> Path:
    """Path of a bundled sample file.

    Args:
        name: ``"sample_hires.csv"`` or ``"sample_leavers.csv"``.

    Returns:
        Where the installed package keeps it (valid from any working directory).
    """
    # Installed as plain files (wheel or editable), so the resource has a real path.
    return Path(str(resources.files(__name__).joinpath(name)))
