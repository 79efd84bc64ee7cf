"""What an invalid CSV row still says: the fields that are valid on their own.

A row that fails validation is never run, but its other cells are still checked in the same
pass (every problem of every row reported at once): its unique values against the other rows
(a duplicate POS User ID, e-mail...) and its names against the tenant (sites, departments,
templates). Each field is validated alone, with the request model's own field type, so a
value is compared exactly as a valid row's would be (a phone normalised, an e-mail
case-folded by the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

__all__ = ["partial_request", "partial_rows", "valid_fields"]

#: The request models' string handling (they strip whitespace; data is never echoed).
_CONFIG = ConfigDict(str_strip_whitespace=True, hide_input_in_errors=True)


class _Row(Protocol):
    @property
    def row(self) -> int: ...

    @property
    def cells(self) -> Mapping[str, str]: ...


@lru_cache(maxsize=256)
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    kind: Any = info.annotation
    if info.metadata:
        kind = Annotated[(kind, *info.metadata)]
    return TypeAdapter(kind, config=_CONFIG)


def valid_fields(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``data`` (converted CSV cells) that ``model`` accepts on their own,
    validated (and normalised) as the model would; unknown and invalid ones left out."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in model.model_fields:
            continue
        try:
            out[name] = _adapter(model, name).validate_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
    return out


def partial_request(model: type[BaseModel], data: Mapping[str, Any]) -> SimpleNamespace:
    """An invalid row as a stand-in request: every field of ``model``, ``None`` unless given
    and valid on its own (read with ``getattr`` by the duplicate and name checks)."""
    fields: dict[str, Any] = dict.fromkeys(model.model_fields)
    fields.update(valid_fields(model, data))
    return SimpleNamespace(**fields)


def partial_rows(
    rows: Iterable[_Row],
    model: type[BaseModel],
    to_fields: Callable[[Mapping[str, str]], dict[str, Any]],
    *,
    valid: set[int],
) -> list[tuple[int, SimpleNamespace]]:
    """``(row, stand-in request)`` of each row not in ``valid`` (the rows that will not run:
    invalid shape, duplicates), for the tenant's name checks."""
    return [(r.row, partial_request(model, to_fields(r.cells))) for r in rows if r.row not in valid]
