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
    echo_tokens: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class PostResult:
    """Outcome of a form POST: redirect target, whether it failed, and the flash."""

    location: str
    failed: bool = False
    flash: Flash | None = None


def ok(location: str, message: str | None = None) -> PostResult:
    return PostResult(location, False, Flash("success", (message,)) if message else None)


def fail(location: str, errors: list[str], echo: frozenset[str] | None = None) -> PostResult:
    return PostResult(location, True, Flash("danger", tuple(errors), echo))
