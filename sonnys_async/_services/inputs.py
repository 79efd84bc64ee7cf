"""Turning a public method's arguments (or a bulk item) into its validated request model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ..errors import FieldIssue, InputValidationError

__all__ = ["as_request", "item_key", "request_from"]

M = TypeVar("M", bound=BaseModel)


def request_from(model: type[M], arguments: Mapping[str, Any]) -> M:
    """``model`` built from a public method's arguments (its ``locals()`` before any other
    name is bound): each keyword parameter carries the name of the field it fills.

    Raises:
        InputValidationError: Every invalid field, named.
    """
    return model(**{name: arguments[name] for name in model.model_fields})


def as_request(model: type[M], item: Any) -> M:
    """A bulk item as ``model``: the model itself, or a mapping validated into one.

    Raises:
        InputValidationError: The mapping is invalid, or the item is neither.
    """
    if isinstance(item, model):
        return item
    if isinstance(item, Mapping):
        return model.model_validate(dict(item))
    raise InputValidationError([FieldIssue("item", f"expected {model.__name__} or a mapping")])


def item_key(item: Any, name: str, *, required: bool = True) -> str:
    """The text of field ``name`` of a bulk item (mapping or model); ``""`` when missing."""
    value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
    if value is None and required:
        return ""
    return "" if value is None else str(value)
