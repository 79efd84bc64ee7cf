"""Turning a public method's arguments (or a bulk item) into its validated request model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ..core.text import digits
from ..errors import FieldIssue, InputValidationError

__all__ = ["as_request", "employee_key", "item_key", "request_from"]

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


def employee_key(item: Any) -> str:
    """An employee item's key: its POS User ID, else its e-mail, else ``first last [phone]``
    (text case-folded, phone as its last 10 digits), as the lookups compare them."""
    pos_user_id = item_key(item, "pos_user_id", required=False)
    if pos_user_id:
        return pos_user_id
    email = item_key(item, "email", required=False)
    if email:
        return email.casefold()
    name = f"{item_key(item, 'first_name')} {item_key(item, 'last_name')}".casefold()
    phone = digits(item_key(item, "phone", required=False))[-10:]
    return f"{name} {phone}" if phone else name
