"""Run an async object's coroutines from plain threads, through one long-lived blocking portal.

The sync facade (:mod:`sonnys_async.sync`) is a list of one-line wrappers built with
:func:`blocking` and :func:`blocking_iter`; this module holds the machinery so the facade stays
easy to read and to extend.

Design (style guide §8): one event loop per sync client, running in a daemon thread for the
client's whole life (``anyio.from_thread.BlockingPortal``). The async object is created, entered
and closed *on that loop*, because connection pools and locks belong to one loop. Every call from
any thread is handed to the loop with ``portal.call``, so it works from a plain script, from
several threads at once, and from a thread whose own event loop is busy (a Jupyter cell).
The thread is a daemon so that a script which forgets ``close()`` still exits.
"""

from __future__ import annotations

# The layout: ``loop`` (the daemon thread and its portal), ``owner`` (PortalOwner: lifecycle,
# calls, close), ``iterator`` (BlockingIterator), ``wrappers`` (blocking, blocking_iter and the
# sync return annotations).
from .iterator import BlockingIterator
from .owner import PortalOwner
from .wrappers import SYNC_RETURN_NAMES, blocking, blocking_iter, sync_annotation, sync_returns

__all__ = [
    "SYNC_RETURN_NAMES",
    "BlockingIterator",
    "PortalOwner",
    "blocking",
    "blocking_iter",
    "sync_annotation",
    "sync_returns",
]
