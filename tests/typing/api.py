"""Type-checked by ``mypy --strict``, never run: the public API as users type it."""

from __future__ import annotations

import sonnys_async

version: str = sonnys_async.__version__
