"""The event loop of a sync client: one daemon thread running one anyio blocking portal."""

from __future__ import annotations

import queue
import threading

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["on_loop_thread", "running", "start_portal", "stop_portal"]


def start_portal() -> tuple[BlockingPortal, threading.Thread]:
    """Start an event loop in a daemon thread and return its portal (and the thread)."""
    handover: queue.Queue[BlockingPortal | BaseException] = queue.Queue(maxsize=1)

    async def serve() -> None:
        async with BlockingPortal() as portal:
            handover.put(portal)
            await portal.sleep_until_stopped()

    def run() -> None:
        try:
            anyio.run(serve)
        except BaseException as exc:  # pragma: no cover - only if the loop cannot start
            if handover.empty():
                handover.put(exc)
            raise

    thread = threading.Thread(target=run, name="sonnys-async-portal", daemon=True)
    thread.start()
    got = handover.get()
    if isinstance(got, BaseException):  # pragma: no cover
        raise got
    return got, thread


def running(portal: BlockingPortal) -> bool:
    """Whether the portal's event loop is still running."""
    return portal._event_loop_thread_id is not None


def on_loop_thread(portal: BlockingPortal) -> bool:
    """Whether the calling thread is the portal's event loop thread."""
    return threading.get_ident() == portal._event_loop_thread_id


def stop_portal(portal: BlockingPortal) -> None:
    """Stop the portal (and so its loop and thread)."""
    # Safety net only: close() has already stopped every stream and waited for every call, so
    # normally nothing is left to cancel. Whatever is (a stream created while closing) ends
    # with ClientClosedError on its caller's side, never a bare CancelledError.
    portal.call(portal.stop, True)
