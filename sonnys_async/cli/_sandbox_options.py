"""The ``sandbox`` command's options, made from :class:`SandboxOptions` itself.

One click option per field (``latency_ms`` -> ``--latency-ms``), typed from the field's
annotation and described by the ``Args:`` entry of the class docstring, so every fault, tenant
and realism switch of ``docs/sandbox.md`` is on the command line and stays in step with the
class. A few fields cannot be (:data:`NOT_ON_THE_COMMAND_LINE` says why).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import NoneType, UnionType
from typing import Any, Literal, TypeVar

import click

from ..sandbox import SandboxOptions

__all__ = [
    "NOT_ON_THE_COMMAND_LINE",
    "OPTION_NAMES",
    "options_from",
    "sandbox_options",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Fields with no option, and why.
NOT_ON_THE_COMMAND_LINE: Mapping[str, str] = {
    "clock": "a Python callable (tests pass a FakeClock)",
    "base_url": "the in-process URL; a served sandbox is at --host and --port",
    "password": "never on a command line; the bot's fixed sandbox password is printed",
}
#: Fields whose option is not spelt like the field.
OPTION_NAMES: Mapping[str, str] = {"username": "--bot-username"}
_ARG = re.compile(r"^ {8}(\w+): (.*)$")
_MORE = re.compile(r"^ {12}(.*)$")


def _docs() -> dict[str, str]:
    """Each field's text in the ``Args:`` section of the SandboxOptions docstring."""
    out: dict[str, str] = {}
    name: str | None = None
    for line in (inspect.getdoc(SandboxOptions) or "").split("\n"):
        line = " " * 4 + line  # getdoc removed the class body's indent
        arg, more = _ARG.match(line), _MORE.match(line)
        if arg:
            name = arg.group(1)
            out[name] = arg.group(2)
        elif more and name is not None:
            out[name] += " " + more.group(1)
        elif line.strip():
            name = None
    texts = {k: " ".join(v.replace("``", "").split()) for k, v in out.items()}
    return {k: v[:1].upper() + v[1:] for k, v in texts.items()}


def _throttle(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, float] | None:
    """``ATTEMPTS,SECONDS`` (``login_throttle``)."""
    if value is None:
        return None
    attempts, sep, window = value.partition(",")
    try:
        if not sep:
            raise ValueError
        return (int(attempts), float(window))
    except ValueError:
        raise click.BadParameter(
            f"expected ATTEMPTS,SECONDS such as 5,60, got {value!r}", ctx, param
        ) from None


def _plain(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether ``None`` was allowed."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, UnionType) and NoneType in args:
        rest = [a for a in args if a is not NoneType]
        return rest[0], True
    return annotation, False


def _option(f: dataclasses.Field[Any], kind: Any, text: str) -> Callable[[F], F]:
    """One click option for a field."""
    name = OPTION_NAMES.get(f.name, "--" + f.name.replace("_", "-"))
    plain, _ = _plain(kind)
    default = f.default
    if plain is bool:
        flags = f"{name}/--no-{name.removeprefix('--')}"
        return click.option(flags, f.name, default=default, help=text, show_default=True)
    if typing.get_origin(plain) is Literal:
        choice = click.Choice([str(v) for v in typing.get_args(plain)])
        return click.option(
            name, f.name, type=choice, default=default, help=text, show_default=True
        )
    if typing.get_origin(plain) is tuple:
        return click.option(name, f.name, callback=_throttle, metavar="ATTEMPTS,SECONDS", help=text)
    if plain is date:
        dates = click.DateTime(formats=["%Y-%m-%d"])
        return click.option(name, f.name, type=dates, default=None, help=text)
    if plain in (int, float, str):
        return click.option(name, f.name, type=plain, default=default, help=text, show_default=True)
    raise TypeError(
        f"SandboxOptions.{f.name}: no command-line type for {kind!r}"
    )  # pragma: no cover


def sandbox_options(command: F) -> F:
    """Decorator: one option per :class:`SandboxOptions` field (but the ones that cannot be)."""
    hints = typing.get_type_hints(SandboxOptions)
    docs = _docs()
    for f in reversed(dataclasses.fields(SandboxOptions)):
        if f.name in NOT_ON_THE_COMMAND_LINE:
            continue
        command = _option(f, hints[f.name], docs.get(f.name, ""))(command)
    return command


def options_from(values: Mapping[str, Any]) -> SandboxOptions:
    """The :class:`SandboxOptions` of the command's option values (others are ignored)."""
    fields = {f.name for f in dataclasses.fields(SandboxOptions)}
    given = {k: v for k, v in values.items() if k in fields}
    if isinstance(given.get("today"), datetime):
        given["today"] = given["today"].date()
    return SandboxOptions(**given)
