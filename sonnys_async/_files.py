"""Files that hold credentials: created ``0600`` (:func:`open_private`), written by
:class:`PrivateFile` subclasses (journals, results CSVs), fed plain JSON data
(:func:`to_jsonable`). Re-exported by :mod:`sonnys_async.journal`, where they were first defined.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Self

__all__ = ["PrivateFile", "open_private", "to_jsonable"]


def open_private(path: str | os.PathLike[str], *, append: bool = False) -> IO[str]:
    """Open a text file for writing, created with mode ``0600`` (owner read/write only).

    Used for every file that holds credentials (journals, results CSVs). An existing file is
    tightened to ``0600`` as well, so a looser file left by another tool is not reused as is.

    Args:
        path: The file to create (or append to).
        append: Append to an existing file instead of truncating it.

    Returns:
        A UTF-8 text stream; the caller closes it.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows the mode argument is all there is
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a" if append else "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise


def to_jsonable(value: object) -> Any:
    """Turn a result or item into plain JSON data, secrets included.

    Pydantic models and dataclasses become objects of their fields (read attribute by
    attribute, so fields whose ``repr`` is masked are still recorded), ``SecretStr`` values are
    unwrapped, ``Decimal`` becomes a string (no float rounding), dates become ISO strings and
    exceptions become ``{"type": ..., "message": ...}``.

    Args:
        value: Any object.

    Returns:
        Data that :func:`json.dumps` accepts.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    secret = getattr(value, "get_secret_value", None)
    if callable(secret):  # pydantic SecretStr / SecretBytes
        return to_jsonable(secret())
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, Mapping):  # pydantic v2 model
        return {name: to_jsonable(getattr(value, name)) for name in fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        items = [to_jsonable(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class PrivateFile:
    """Base of the writers that own a file holding credentials (:func:`open_private`, ``0600``).

    It gives them ``with`` support and an idempotent :meth:`close`; :meth:`_writable` refuses
    writes once closed.
    """

    #: What the file is, for the "closed" error message.
    kind: ClassVar[str] = "file"

    def __init__(self, path: str | os.PathLike[str], *, append: bool = False) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = open_private(self.path, append=append)

    def _writable(self) -> IO[str]:
        if self._file is None:
            raise ValueError(f"{self.kind} is closed")
        return self._file

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
