"""Run one operation over many items: bounded, polite, resumable, one outcome per item.

:func:`run_each` borrows aiometer's vocabulary (``max_at_once``, ``max_per_second``) and its
backpressure: it waits for a free slot *before* pulling the next item, so a generator of
10,000 rows never becomes 10,000 tasks or 10,000 results in memory. Each item ends as an
:class:`Outcome` (``ok`` with the result, ``failed`` with the error when nothing was applied,
``unknown`` with the error when it may have been applied, ``skipped`` when a journal says it
was done by an earlier run), streamed as it completes::

    with Journal("hires.jsonl") as journal:
        async with run_each(client.create_employee_from, rows, key=lambda r: r.pos_user_id,
                            max_at_once=4, journal=journal) as outcomes:
            async for outcome in outcomes:
                print(outcome.key, outcome.status)
    print(outcomes.summary)

A failed item never stops the others (unless ``fail_fast``), except a refused login (the run
stops: ``summary.stopped == "authentication"``) and a Backoffice that stopped answering
(``unreachable_after`` items in a row failed with a transport error: ``"unreachable"``). When
the items have run out, each ``unknown`` item is settled once more with ``resolve`` (a
second outcome, ``ok`` and ``resolved``, if it was applied). Errors the operation raises that
are not :class:`~sonnys_async.errors.BackofficeError` (programming errors) end their item
(it gets an ``unknown`` outcome), stop the run and, after the items in flight have finished,
are raised plainly (never wrapped in an ``ExceptionGroup``), like errors of the item source,
of the journal and of ``on_outcome``. The run's tasks never raise into the caller's code.

Cancellation (Ctrl-C, a cancelled task scope): no new item starts; items already sent run to
completion inside a shielded scope (``shield=True``, the default) so a write is never cut in
half on our side, and each one's fate is recorded in the journal. If the process dies anyway,
the journal's ``started`` entry marks the item as ambiguous and the next run resolves it with
``resolve(item)``, which reads server state, before deciding whether to send it again.
"""

from __future__ import annotations

# The layout: ``outcomes`` (what a run reports: Outcome, BulkSummary...), ``engine`` (the run
# itself: Bulk and run_each), ``_attempt`` (one item's attempt and its journal entries),
# ``_items`` (sync and async item sources). Item
# starts are paced by the transport's rate limiter (``_transport/ratelimit.py``).
from .engine import Bulk, run_each
from .outcomes import (
    BulkSummary,
    Failure,
    Outcome,
    Status,
    is_ambiguous,
    is_refused_login,
    is_unreachable,
    summarize,
)
from .outcomes import StopReason as StopReason

__all__ = [
    "Bulk",
    "BulkSummary",
    "Failure",
    "Outcome",
    "Status",
    "is_ambiguous",
    "is_refused_login",
    "is_unreachable",
    "run_each",
    "summarize",
]
