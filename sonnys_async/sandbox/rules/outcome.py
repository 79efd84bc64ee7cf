"""The outcome of a form POST and the one-shot alert it leaves for the next page (§2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Flash", "PostResult", "fail", "ok"]


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-shot alert for the next page (§2.5), plus optional echoed input."""

    kind: Literal["danger", "success"]
    messages: tuple[str, ...]
    #: Grants of a rejected BO access save, shown checked on the re-rendered page (§13.4).
    echo_tokens: frozenset[str] | None = None
    #: Posted values a rejected form's page re-fills, by field name (§11.3: the user create
    #: form's ``employee[email]`` and ``user[username]``; never a password).
    echo_fields: tuple[tuple[str, str], ...] = ()

    def echoed(self, name: str) -> str:
        """The re-filled value of field ``name`` (empty when the flash carries none)."""
        return dict(self.echo_fields).get(name, "")


@dataclass(frozen=True, slots=True)
class PostResult:
    """Outcome of a form POST: redirect target, whether it failed, and the flash."""

    location: str
    failed: bool = False
    flash: Flash | None = None


def ok(location: str, message: str | None = None) -> PostResult:
    return PostResult(location, False, Flash("success", (message,)) if message else None)


def fail(
    location: str,
    errors: list[str],
    echo: frozenset[str] | None = None,
    fields: tuple[tuple[str, str], ...] = (),
) -> PostResult:
    return PostResult(location, True, Flash("danger", tuple(errors), echo, fields))
