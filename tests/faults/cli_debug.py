"""Run ``sonnys-backoffice`` with every logger (httpx, httpcore, ...) at DEBUG into a file.

``python cli_debug.py LOGFILE ARGS...`` is the console script ``sonnys-backoffice ARGS...``
plus a root handler at DEBUG, as a host application logging everything would have: the
secrets scan reads that file next to the command's stdout and stderr. (The CLI's ``-vv``
sets only the ``sonnys_async`` logger to DEBUG.)
"""

from __future__ import annotations

import logging
import sys

from sonnys_async.cli import main


def run() -> None:
    """Configure the root logger, then hand over to the CLI's entry point."""
    handler = logging.FileHandler(sys.argv[1], encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    main(sys.argv[2:])


if __name__ == "__main__":
    run()
