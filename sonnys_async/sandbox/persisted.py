"""A sandbox tenant kept in a file across commands (the CLI's ``--sandbox-state FILE``).

:func:`persisted` loads the tenant a file holds (or starts a new one), holds the file
exclusively while the block runs, and saves the tenant when the block ends, also after an
error or Ctrl-C: whatever the simulated server stored, it keeps, as a real one would.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from sonnys_async.sandbox.app import Sandbox
from sonnys_async.sandbox.options import SandboxOptions
from sonnys_async.sandbox.snapshot import require_regular

if sys.platform != "win32":
    import fcntl

__all__ = ["StateFileInUseError", "persisted"]


class StateFileInUseError(RuntimeError):
    """Another command (or a served sandbox) is using the state file."""


@contextlib.contextmanager
def persisted(
    path: str | os.PathLike[str], options: SandboxOptions | None = None
) -> Iterator[Sandbox]:
    """The sandbox kept in ``path``, saved back when the block ends.

    Args:
        path: The state file; created (mode 0600) with a new tenant when it does not exist or
            is empty.
        options: Latency, faults and switches for this use. For a new file they shape the new
            tenant too; an existing file keeps its tenant's shape, roster, seed, bot login and
            ``today`` (:meth:`Sandbox.load`).

    Yields:
        The sandbox.

    Raises:
        StateFileInUseError: Another process holds the file (POSIX only; no lock on Windows).
        ValueError: The file is not a sandbox state file, or is damaged, or is not a regular
            file (a device, FIFO, folder or symbolic link is never opened for writing nor
            replaced).
        OSError: The file cannot be read or written.
    """
    target = Path(path)
    require_regular(target)
    # O_NOFOLLOW and O_NONBLOCK: a link or FIFO swapped in after the check is not followed
    # nor waited on; fstat then tells what was opened.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError:
        if os.path.islink(target):
            raise ValueError(f"{target} is a symbolic link: name a sandbox state file") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{target} is not a regular file: name a sandbox state file")
        if sys.platform != "win32":
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StateFileInUseError(
                    f"{target} is in use by another command or a served sandbox"
                ) from None
        fresh = os.fstat(fd).st_size == 0
        sandbox = Sandbox(options) if fresh else Sandbox.load(target, options)
        try:
            yield sandbox
        finally:
            sandbox.save(target)
    finally:
        os.close(fd)  # releases the lock
