"""What the staff-lifecycle bulk streams remember between runs, and the checks that make a
re-run change only what differs.

:class:`Priors` reads what a journal knew about each key *before* this run journals it again
(the ``started`` entry of this run would hide it): whether an earlier attempt of the key was,
or may have been, applied (a refused attempt was not: it never makes a record "ours"), and the
record id it found. :func:`wage_in_place` tells whether a wage change is already the latest
wage record (a wage record is appended, never replaced: adding it twice makes two records).
:func:`with_secret` fixes a password before an item is journaled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from .._secrets import generate_backoffice_password
from ..core.text import norm
from ..errors import InputValidationError
from ..journal import Journal, KeyState
from ..models import EmployeeCompensation, default_overtime
from .inputs import as_request, item_key

__all__ = [
    "Prior",
    "Priors",
    "casefolded_key",
    "partial_id",
    "recorded_id",
    "wage_in_place",
    "with_secret",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Prior:
    """What a journal knew about one key before this run.

    ``maybe_applied``: an earlier attempt was done, or was left ambiguous (interrupted, or
    ``unknown``), so a record on the server may be its work. Attempts that were all refused
    (``failed``) leave it ``False``: a refusal proves nothing of ours was made, and must never
    let a re-run adopt (or change) a record someone else holds. ``known_id``: the record id an
    earlier attempt reported, in its result or in what an ambiguous attempt had made
    (``None``: none).
    """

    maybe_applied: bool
    known_id: int | None


class Priors:
    """Snapshots of a journal's knowledge per key, taken when an item is pulled (before
    ``run_each`` writes this run's ``started`` entry for it).

    Args:
        journal: The run's journal (``None``: nothing is known).
        key: The run's key function.
        id_field: The result field holding the record id (``pos_user_id``, ``user_id``).
    """

    def __init__(self, journal: Journal | None, key: Callable[[Any], str], id_field: str) -> None:
        self._journal = journal
        self._key = key
        self._id_field = id_field
        self._seen: dict[str, Prior] = {}

    def capture(self, item: Any) -> Any:
        """Remember what the journal knows about ``item``'s key; return ``item``."""
        if self._journal is None:
            return item
        key = self._key(item)
        if key not in self._seen:
            state = self._journal.state(key)
            applied = state is not None and state.maybe_applied
            self._seen[key] = Prior(applied, recorded_id(state, self._id_field))
        return item

    def of(self, item: Any) -> Prior:
        """What the journal knew about ``item``'s key before this run."""
        return self._seen.get(self._key(item), Prior(False, None))


def recorded_id(state: KeyState | None, field: str) -> int | None:
    """The id an earlier attempt found: its result, else what its partial write reported
    (the latest error's, else the latest ``unknown`` entry's, kept past a later refusal)."""
    if state is None:
        return None
    errors = [e for e in (state.error, state.unknown_error) if isinstance(e, Mapping)]
    for data in (state.result, *(e.get("partial") for e in errors)):
        found = partial_id(data, field)
        if found is not None:
            return found
    return None


def partial_id(data: object, field: str) -> int | None:
    """``data``'s ``field`` when it is an id (``data``: a mapping or a model; else ``None``)."""
    found = data.get(field) if isinstance(data, Mapping) else getattr(data, field, None)
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    return None


def casefolded_key(*fields: str) -> Callable[[Any], str]:
    """A key function: the first of ``fields`` the item has, as text (case-folded; an int
    field as its digits), else ``""``."""

    def key(item: Any) -> str:
        for name in fields:
            value = item_key(item, name, required=False)
            if value:
                return value.casefold()
        return ""

    return key


def wage_in_place(
    compensation: EmployeeCompensation,
    wage_rate: Decimal | None,
    overtime_wage_rate: Decimal | None,
) -> str | None:
    """Why a wage change needs no new record (``None``: it does).

    It does not when the latest record (by effective date; a record an earlier run added is
    the latest) is hourly and already has the requested rate and, if given, overtime rate. A
    salaried latest record is left to ``modify_employee``, which refuses it before writing.
    """
    history = compensation.history
    if not history or (wage_rate is None and overtime_wage_rate is None):
        return None
    latest = max(history, key=lambda w: (w.effective_date or date.min, w.is_current))
    if norm(latest.wage_type) == "salary":
        return None
    current = compensation.current
    rate = wage_rate if wage_rate is not None else (current.rate if current else None)
    if rate is None or latest.rate != rate:
        return None
    if overtime_wage_rate is not None and (
        not latest.overtime_eligible or latest.overtime_rate != overtime_wage_rate
    ):
        return None
    since = f" since {latest.effective_date:%m/%d/%Y}" if latest.effective_date else ""
    overtime = ""
    if latest.overtime_eligible and latest.overtime_rate is not None:
        overtime = f" (overtime {latest.overtime_rate})"
        if overtime_wage_rate is None and latest.overtime_rate != default_overtime(rate):
            overtime += ", kept"
    return f"the wage is already {rate}{overtime}{since}: no wage record was added"


def with_secret(
    model: type[M],
    item: Any,
    field: str,
    *,
    journal: Journal | None,
    key: str,
    needed: Callable[[M], bool],
) -> Any:
    """``item`` as a ``model`` whose password ``field`` is fixed before it is journaled.

    A missing password is the one the journal's last ``started`` entry for ``key`` holds (the
    password of an attempt that may have been applied), else generated. An item that does not
    validate, or that needs no password (``needed``), is passed on (to fail alone, or as is).
    """
    try:
        req = as_request(model, item)
    except InputValidationError:
        return item
    if getattr(req, field) is not None or not needed(req):
        return req
    state = journal.state(key) if journal is not None else None
    recorded = state.item if state is not None and isinstance(state.item, Mapping) else {}
    password = recorded.get(field) or generate_backoffice_password()
    try:
        return model.model_validate({**dict(req), field: password})
    except InputValidationError:  # a journal edited by hand: draw a fresh one
        return req.model_copy(update={field: generate_backoffice_password()})
