"""An append-only JSONL journal that makes bulk runs resumable.

Every item of a bulk run leaves lines in the journal, keyed by the item's key:

``started``
    written *before* the operation is sent, with the item itself (including credentials the
    caller generated for it: POS PIN, Backoffice password), so a run killed mid-write loses
    no credential.
``ok``
    the operation succeeded; ``result`` holds what it returned (ids, PIN, password).
``failed``
    the operation was refused and nothing was applied (``error`` says why).
``unknown``
    the operation may or may not have been applied (a dropped connection after an insert,
    a partial write).

Re-running with the same journal skips keys whose latest entry is ``ok``, retries keys whose
latest entry is ``failed`` and resolves *ambiguous* keys (a ``started`` entry with no final
entry, or ``unknown``) by reading server state (see :func:`sonnys_async.bulk.run_each`).
Whether *any* attempt of a key was, or may have been, applied (:attr:`KeyState.maybe_applied`)
is read from its whole history: a key whose attempts were all refused (``failed``) never was,
so nothing on the server can be an earlier attempt of it.

A journal **bound to a tenant** (``Journal(path, tenant=JournalTenant(url, user))``) records
it in a line without ``event`` (``{"v":1,"ts":...,"tenant":{"base_url":...,"username":...}}``),
and opening it for another tenant or bot user raises :class:`JournalTenantError` before
anything is written: a rehearsal's journal never makes a real run skip rows as done. A journal
from before bindings (entries, no tenant line) is bound by its first bound opening
(``Journal.adopted``; a warning is logged): refusing it would strand an interrupted real run.

Because the journal stores credentials it is created with mode ``0600`` (owner read/write
only), like every other file of this package that holds credentials (:func:`open_private`).
Each line is flushed as soon as it is written; ``fsync=True`` also forces it to disk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final, Literal, NamedTuple

from ._files import PrivateFile, open_private, to_jsonable
from .errors import FieldIssue, InputValidationError

__all__ = [
    "JOURNAL_VERSION",
    "Journal",
    "JournalContents",
    "JournalEntry",
    "JournalTenant",
    "JournalTenantError",
    "KeyState",
    "PrivateFile",
    "open_private",
    "read_journal",
    "to_jsonable",
]

_log = logging.getLogger("sonnys_async.journal")

#: Version written into every entry (``"v"``), bumped if the line format ever changes.
JOURNAL_VERSION: Final = 1

#: Events that end an item's attempt (everything except ``started``).
Event = Literal["started", "ok", "failed", "unknown"]
_EVENTS: Final = frozenset({"started", "ok", "failed", "unknown"})

#: What the latest entries of one key say about it.
KeyStatus = Literal["done", "failed", "ambiguous"]


@dataclasses.dataclass(frozen=True, slots=True)
class JournalEntry:
    """One line of a journal (as read back)."""

    key: str
    event: Event
    ts: str
    item: Any = None
    result: Any = None
    error: Any = None
    resolved: bool = False

    def __repr__(self) -> str:
        # Items and results carry credentials: never print them.
        return f"JournalEntry(key={self.key!r}, event={self.event!r}, ts={self.ts!r})"


@dataclasses.dataclass(slots=True)
class KeyState:
    """What the journal knows about one key: its latest event and the data recorded for it."""

    key: str
    last_event: Event
    #: The item as journaled by its latest ``started`` entry (credentials included), while the
    #: key is not done (a done key drops it: its result is what a re-run needs).
    item: Any = None
    #: The result of the ``ok`` entry, when the key is done.
    result: Any = None
    #: The error of the latest ``failed`` / ``unknown`` entry.
    error: Any = None
    resolved: bool = False
    #: The error of the latest ``unknown`` entry since the key was last done, also when a later
    #: attempt was refused (its ``partial`` may name what that attempt made).
    unknown_error: Any = None
    #: An earlier entry shows an attempt that was, or may have been, applied (``ok``,
    #: ``unknown``, or a ``started`` entry followed by another ``started``: interrupted).
    applied_before: bool = False

    @property
    def status(self) -> KeyStatus:
        """``done`` (skip it), ``failed`` (retry it) or ``ambiguous`` (resolve it first)."""
        if self.last_event == "ok":
            return "done"
        if self.last_event == "failed":
            return "failed"
        return "ambiguous"

    @property
    def maybe_applied(self) -> bool:
        """Whether an attempt of this key was, or may have been, applied: it was done, or an
        attempt was left ambiguous (``unknown``, or interrupted: a ``started`` entry with no
        final entry), also when a later attempt was refused. ``False``: every attempt was
        refused (``failed``), so nothing on the server is an earlier attempt of this key."""
        return self.applied_before or self.last_event != "failed"

    def __repr__(self) -> str:
        return f"KeyState(key={self.key!r}, last_event={self.last_event!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class JournalTenant:
    """The tenant (base URL) and bot user a journal's entries were written against."""

    base_url: str
    username: str

    def same_as(self, other: JournalTenant) -> bool:
        """Same tenant and user (case and a trailing ``/`` aside, as the Backoffice's names)."""
        mine, theirs = (self.base_url, self.username), (other.base_url, other.username)
        return [v.strip().rstrip("/").casefold() for v in mine] == [
            v.strip().rstrip("/").casefold() for v in theirs
        ]

    def __str__(self) -> str:
        return f"{self.base_url} as {self.username!r}"


class JournalTenantError(InputValidationError):
    """The journal is bound to another tenant or bot user (``recorded``, not ``tenant``)."""

    def __init__(self, path: Path, recorded: JournalTenant, tenant: JournalTenant) -> None:
        why = f"{path} was written for {recorded}, not {tenant}; a journal belongs to one "
        super().__init__([FieldIssue("journal", why + "tenant and bot user")])
        self.recorded, self.tenant = recorded, tenant


#: Event codes of the index (2 bits of a packed slot).
_CODES: Final[dict[str, int]] = {"started": 0, "ok": 1, "failed": 2, "unknown": 3}
_EVENT_OF: Final[tuple[Event, ...]] = ("started", "ok", "failed", "unknown")
#: Bits of one byte offset in a packed slot (offsets up to 1 TiB).
_OFFSET_BITS: Final = 40
_NO_LINE: Final = (1 << _OFFSET_BITS) - 1
#: The slot's bit saying an earlier attempt was, or may have been, applied; the offsets follow.
_APPLIED: Final = 1 << 2
_OFFSETS: Final = 3


class _Slot(NamedTuple):
    """One key's index slot, unpacked: latest event code, the applied-before bit and the byte
    offsets of its latest ``started``, final and ``unknown`` lines (``_NO_LINE``: none)."""

    code: int
    applied: bool
    started: int
    final: int
    unknown: int

    def pack(self) -> int:
        offsets = self.started | (self.final << _OFFSET_BITS) | (self.unknown << 2 * _OFFSET_BITS)
        return self.code | (_APPLIED if self.applied else 0) | (offsets << _OFFSETS)

    @classmethod
    def unpack(cls, slot: int) -> _Slot:
        at = slot >> _OFFSETS
        lines = (at & _NO_LINE, (at >> _OFFSET_BITS) & _NO_LINE, at >> 2 * _OFFSET_BITS)
        return cls(slot & 3, bool(slot & _APPLIED), *lines)


_NEW_KEY: Final = _Slot(0, False, _NO_LINE, _NO_LINE, _NO_LINE)


class JournalContents:
    """What a journal file holds, read without changing it (:func:`read_journal`).

    Memory does not grow with what the rows hold: per key only its latest event and the byte
    offsets of the two lines a re-run needs (its latest ``started`` entry, with the item and its
    credentials, and its latest final entry, with the result or the error) are kept, packed in
    one integer (with its latest ``unknown`` line and one bit of history); :meth:`state` reads
    those lines back from the file. A run of 10,000 rows keeps about 140 bytes per key instead
    of the rows themselves.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: dict[str, int] = {}
        #: The tenant the journal is bound to (``None``: unbound, or no file).
        self.tenant: JournalTenant | None = None
        self.torn_at: int | None = None  # offset of a last line cut short by a killed process
        self.needs_newline = False  # the last line is complete but lacks its newline

    def state(self, key: str) -> KeyState | None:
        """What the journal knows about ``key`` (``None``: never seen), read from the file."""
        slot = self._index.get(key)
        if slot is None:
            return None
        with self.path.open("rb") as file:
            return self._state(file, key, slot)

    def _state(self, file: IO[bytes], key: str, packed: int) -> KeyState:
        slot = _Slot.unpack(packed)
        state = KeyState(key, _EVENT_OF[slot.code], applied_before=slot.applied)
        if slot.started != _NO_LINE:
            state.item = _entry_at(file, slot.started).item
        if slot.final != _NO_LINE:
            entry = _entry_at(file, slot.final)
            if entry.event == "ok":
                state.result, state.resolved = entry.result, entry.resolved
            else:
                state.error = entry.error
        if slot.unknown != _NO_LINE:
            state.unknown_error = _entry_at(file, slot.unknown).error
        return state

    def __iter__(self) -> Iterator[KeyState]:
        """Every key's state, in the order the keys were first journaled (read from the file)."""
        slots = list(self._index.items())
        if not slots:
            return
        with self.path.open("rb") as file:
            for key, slot in slots:
                yield self._state(file, key, slot)

    def __len__(self) -> int:
        """Number of keys the journal knows."""
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def counts(self) -> dict[KeyStatus, int]:
        """How many keys are ``done``, ``failed`` and ``ambiguous``."""
        counts: dict[KeyStatus, int] = {"done": 0, "failed": 0, "ambiguous": 0}
        for slot in self._index.values():
            code = slot & 3
            counts["done" if code == 1 else "failed" if code == 2 else "ambiguous"] += 1
        return counts

    def check_tenant(self, tenant: JournalTenant) -> None:
        """Raise :class:`JournalTenantError` if bound to another tenant or user."""
        if self.tenant is not None and not self.tenant.same_as(tenant):
            raise JournalTenantError(self.path, self.tenant, tenant)

    def apply(self, entry: JournalEntry, offset: int) -> None:
        """Replay one entry, the line at byte ``offset``. A done key keeps the line of its
        result (``Outcome.recorded`` fills the results row); an unfinished key the lines of its
        latest attempt's item (its credentials), of its latest error and of its latest
        ``unknown`` entry. Whether an earlier attempt was, or may have been, applied is kept
        as one bit (a later refusal does not clear it)."""
        packed = self._index.get(entry.key)
        slot = _Slot.unpack(packed) if packed is not None else _NEW_KEY
        started, final, unknown = slot.started, slot.final, slot.unknown
        # An attempt that ended ``ok`` or ``unknown``, or that a new ``started`` entry
        # interrupts (it got no final entry), was or may have been applied.
        interrupted = packed is not None and slot.code == _CODES["started"]
        applied = slot.applied or entry.event in ("ok", "unknown")
        if entry.event == "started":
            applied = applied or interrupted
            started, final = offset, _NO_LINE
        elif entry.event == "ok":
            started, final, unknown = _NO_LINE, offset, _NO_LINE
        else:
            final = offset
            if entry.event == "unknown":
                unknown = offset
        self._index[entry.key] = _Slot(_CODES[entry.event], applied, started, final, unknown).pack()

    def _read(self) -> None:
        # Bytes, line by line: a line cut short by a killed process may end inside a multi-byte
        # character (names like "José" are written as UTF-8, ensure_ascii=False), and the cut
        # must be found by byte offset (text mode would also turn "\r\n" into one character).
        try:
            file = self.path.open("rb")
        except FileNotFoundError:
            return
        with file:
            offset = 0
            number = 0
            complete = True
            for raw in file:
                number += 1
                start, offset = offset, offset + len(raw)
                complete = raw.endswith(b"\n")
                try:
                    line = raw.decode("utf-8")
                    parsed = _parse_line(line) if line.strip() else None
                except (ValueError, KeyError):  # UnicodeDecodeError, JSONDecodeError too
                    if not complete:
                        self.torn_at = start  # the previous run died mid-line
                        return
                    why = f"{self.path}: line {number} is not a journal entry"
                    raise InputValidationError([FieldIssue("journal", why)]) from None
                if isinstance(parsed, JournalTenant):
                    self.tenant = self.tenant or parsed
                elif parsed is not None:
                    self.apply(parsed, start)
            self.needs_newline = number > 0 and not complete


def _entry_at(file: IO[bytes], offset: int) -> JournalEntry:
    file.seek(offset)
    parsed = _parse_line(file.readline().decode("utf-8"))
    if not isinstance(parsed, JournalEntry):  # pragma: no cover - the index points at entries
        raise ValueError(f"no journal entry at offset {offset}")
    return parsed


def read_journal(path: str | os.PathLike[str]) -> JournalContents:
    """Read a journal without changing it (a missing file reads as an empty journal): its
    tenant and what it knows of each key, before a run commits to anything.

    Raises:
        InputValidationError: A line other than the last one is not a journal entry.
    """
    contents = JournalContents(Path(path))
    contents._read()
    return contents


class Journal(PrivateFile, JournalContents):
    """An append-only JSONL journal of a bulk run (see the module docstring for the format).

    Opening a journal reads what earlier runs recorded, then appends to the same file. A last
    line cut short by a killed process is ignored; any other unreadable line is an error, because
    silently dropping a ``started`` entry could hide a write that was applied.

    Use it as a context manager, or call :meth:`close`.
    """

    kind = "journal"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: bool = False,
        tenant: JournalTenant | None = None,
    ) -> None:
        """Open (or create, mode ``0600``) the journal at ``path``.

        Args:
            path: The JSONL file.
            fsync: Force every entry to disk (slower; flushing alone survives a killed process,
                ``fsync`` also survives a power cut).
            tenant: Bind the journal to this tenant and bot user (see the module docstring).

        Raises:
            JournalTenantError: Bound to another tenant or user (nothing was written).
            InputValidationError: A line other than the last one is not a journal entry.
        """
        JournalContents.__init__(self, Path(path))
        self._fsync = fsync
        self._read()
        if tenant is not None:
            self.check_tenant(tenant)
        #: An unbound journal with entries, bound by this opening (written before bindings).
        self.adopted = tenant is not None and self.tenant is None and bool(self._index)
        if self.torn_at is not None:
            # The previous run died mid-line: drop the fragment so our entries start on a
            # clean line (it held nothing usable).
            _log.warning("journal %s: dropping a truncated last line", self.path)
            os.truncate(self.path, self.torn_at)
        PrivateFile.__init__(self, self.path, append=True)
        #: Byte offset of the next line written (the file's size: it is only appended to).
        self._end = self.path.stat().st_size
        if self.needs_newline:
            # The last line is complete JSON but its newline never made it: add it.
            self._writable().write("\n")
            self._end += 1
        if tenant is not None and self.tenant is None:
            if self.adopted:
                _log.warning("journal %s records no tenant; binding it to %s", self.path, tenant)
            self._write_line({"tenant": {"base_url": tenant.base_url, "username": tenant.username}})
            self.tenant = tenant
        self._writable().flush()

    def __bool__(self) -> bool:
        # An open journal is a journal, even an empty one (`if journal:` must not mean "has
        # keys"; use len() for that).
        return True

    # -- writing -------------------------------------------------------------------------------

    def record_started(self, key: str, item: object) -> None:
        """Record that ``item`` is about to be sent (with its credentials)."""
        self._write(JournalEntry(key, "started", _now(), item=to_jsonable(item)))

    def record_ok(self, key: str, result: object, *, resolved: bool = False) -> None:
        """Record a success (``resolved``: established by reading server state afterwards)."""
        self._write(JournalEntry(key, "ok", _now(), result=to_jsonable(result), resolved=resolved))

    def record_failed(self, key: str, error: BaseException) -> None:
        """Record a refusal: nothing was applied, a re-run retries the item."""
        self._write(JournalEntry(key, "failed", _now(), error=_error_data(error)))

    def record_unknown(self, key: str, error: BaseException) -> None:
        """Record an ambiguous outcome: a re-run resolves the item before retrying it."""
        self._write(JournalEntry(key, "unknown", _now(), error=_error_data(error)))

    def _write(self, entry: JournalEntry) -> None:
        data: dict[str, Any] = {
            "v": JOURNAL_VERSION,
            "ts": entry.ts,
            "key": entry.key,
            "event": entry.event,
        }
        if entry.event == "started":
            data["item"] = entry.item
        elif entry.event == "ok":
            data["result"] = entry.result
            if entry.resolved:
                data["resolved"] = True
        else:
            data["error"] = entry.error
        offset = self._write_line(data)
        self.apply(entry, offset)

    def _write_line(self, data: dict[str, Any]) -> int:
        """Append one line; return its byte offset."""
        # One write per line, then flush: a killed process loses at most the line in progress
        # (which reading tolerates).
        file = self._writable()
        if "event" not in data:
            data = {"v": JOURNAL_VERSION, "ts": _now(), **data}
        line = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
        file.write(line)
        file.flush()
        if self._fsync:
            os.fsync(file.fileno())
        offset = self._end
        self._end += len(line.encode("utf-8"))
        return offset

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, keys={len(self._index)})"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error_data(error: BaseException) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    partial = getattr(error, "partial", None)
    if partial is not None:
        # What a partial write achieved (e.g. the created employee's ids), to resolve it later.
        data["partial"] = to_jsonable(partial)
    return data


def _parse_line(line: str) -> JournalEntry | JournalTenant | None:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    event = data.get("event")
    key = data.get("key")
    if event not in _EVENTS or not isinstance(key, str):
        if "event" in data:
            raise ValueError("unknown event")
        tenant = data.get("tenant")
        if isinstance(tenant, dict):
            return JournalTenant(str(tenant["base_url"]), str(tenant["username"]))
        return None  # a future header/metadata line: nothing to replay
    return JournalEntry(
        key=key,
        event=event,
        ts=str(data.get("ts", "")),
        item=data.get("item"),
        result=data.get("result"),
        error=data.get("error"),
        resolved=bool(data.get("resolved", False)),
    )
