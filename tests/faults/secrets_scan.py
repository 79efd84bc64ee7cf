"""The secrets scan: no PIN, password, bot password or PHPSESSID value in what a run printed
or logged (stdout, stderr, and every logger at DEBUG)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Secrets", "scan"]

_SESSION_COOKIE = re.compile(r"PHPSESSID=([A-Za-z0-9]{8,})")
_SECRET_KEYS = ("pos_pin", "backoffice_password", "password", "pin")


@dataclass(slots=True)
class Secrets:
    """Every secret value one scenario handled."""

    pins: set[str] = field(default_factory=set)
    passwords: set[str] = field(default_factory=set)
    session_ids: set[str] = field(default_factory=set)

    def add_journal(self, path: Path) -> None:
        """PINs and passwords the journal holds (any key named like one)."""
        if not path.exists():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                self._walk(json.loads(line))
            except ValueError:
                continue

    def add_results(self, rows: Iterable[dict[str, str]]) -> None:
        """PINs and passwords of results rows."""
        for row in rows:
            if row.get("pos_pin"):
                self.pins.add(row["pos_pin"].lstrip("'"))
            if row.get("backoffice_password"):
                self.passwords.add(row["backoffice_password"].lstrip("'"))

    def _walk(self, value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self._walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                self._walk(v, key)
        elif value not in (None, "") and key.lower() in _SECRET_KEYS:
            (self.pins if "pin" in key.lower() else self.passwords).add(str(value))


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _excused_number(text: str, start: int) -> bool:
    """A five-digit number that is a port after an IP address, or a decimal fraction."""
    before = text[max(0, start - 16) : start]
    return bool(re.search(r"\d+\.\d+\.\d+\.\d+:$", before) or re.search(r"\d\.$", before))


def scan(files: Iterable[Path], secrets: Secrets) -> list[str]:
    """Findings, at most one per file and kind: ``file: kind at offset: context`` (masked)."""
    findings: list[str] = []
    tokens = {p: "password" for p in secrets.passwords if p.isalnum() and len(p) >= 6}
    tokens.update(dict.fromkeys(secrets.session_ids, "PHPSESSID"))
    phrases = [p for p in secrets.passwords if not p.isalnum() and len(p) >= 6]
    for path in files:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        seen: set[str] = set()

        def note(
            kind: str,
            where: int,
            secret: str,
            path: Path = path,
            text: str = text,
            seen: set[str] = seen,
        ) -> None:
            if kind in seen:
                return
            seen.add(kind)
            context = text[max(0, where - 60) : where + len(secret) + 20].replace(secret, "<*>")
            findings.append(f"{path.name}: {kind} at {where}: ...{context!r}...")

        for m in _TOKEN.finditer(text):
            token = m.group()
            kind = tokens.get(token)
            if kind is not None:
                note(kind, m.start(), token)
            elif len(token) == 5 and token in secrets.pins and not _excused_number(text, m.start()):
                note("PIN", m.start(), token)
        for phrase in phrases:
            where = text.find(phrase)
            if where >= 0:
                note("password", where, phrase)
        for m in _SESSION_COOKIE.finditer(text):
            if "*" not in m.group(1):
                note("PHPSESSID", m.start(1), m.group(1))
    return findings
