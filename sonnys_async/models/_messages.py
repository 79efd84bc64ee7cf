"""pydantic's own error messages, worded as ours.

The field rules of :mod:`sonnys_async.models.fields` raise messages in the package's voice
("must be ..."); the type checks pydantic makes before them (a string, a number, a date, a
known field) speak in pydantic's ("Input should be a valid date or datetime, input is too
short"). :func:`our_message` rewords those by error type, so no message of pydantic's reaches a
user, and none quotes the value.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["our_message"]

_DATE = "must be a date (YYYY-MM-DD)"
_NUMBER = "must be a number"
_WHOLE = "must be a whole number"
_LIST = "must be a list"

#: pydantic error type -> our message (types whose message needs no detail of the error).
_BY_TYPE: Mapping[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field this takes",
    "string_type": "must be text",
    "string_unicode": "must be text",
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "int_parsing_size": _WHOLE,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": "must be a finite number",
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_max_digits": "has too many digits",
    "decimal_max_places": "has too many decimal places",
    "decimal_whole_digits": "has too many digits",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "must be a date without a time of day",
    "datetime_type": "must be a date and time",
    "datetime_parsing": "must be a date and time",
    "datetime_from_date_parsing": "must be a date and time",
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "iterable_type": _LIST,
    "dict_type": "must be a mapping",
    "mapping_type": "must be a mapping",
    "model_type": "must be a mapping of field names to values",
    "model_attributes_type": "must be a mapping of field names to values",
    "dataclass_type": "must be a mapping of field names to values",
    "none_required": "must be empty",
    "frozen_instance": "cannot be changed",
    "frozen_field": "cannot be changed",
}


def our_message(kind: str, message: str, ctx: Mapping[str, object] | None = None) -> str:
    """The message to show for one pydantic error.

    Args:
        kind: The error's ``type`` (``"date_from_datetime_parsing"``, ``"value_error"``...).
        message: Its ``msg``: for our own rules (``value_error``, ``field_issue``), our words
            behind pydantic's ``"Value error, "`` prefix.
        ctx: Its ``ctx`` (the limits of a length error, the choices of a literal).

    Returns:
        Our wording; never the value.
    """
    ctx = ctx or {}
    if kind in _BY_TYPE:
        return _BY_TYPE[kind]
    if kind in ("literal_error", "enum"):
        return f"must be {ctx.get('expected', 'one of the allowed values')}"
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        unit = "characters" if kind == "string_too_short" else "entries"
        return "must not be empty" if least == 1 else f"must have at least {least} {unit}"
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "entries"
        return f"must have at most {ctx.get('max_length')} {unit}"
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should be "):  # a type we have no words for yet
        return "must be " + message.removeprefix("Input should be ").split(",", 1)[0]
    return message
