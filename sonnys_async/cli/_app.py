"""The ``sonnys-backoffice`` click group: global options, credentials, client, exit codes.

Credentials never come from argv (they would land in shell history and ``ps``): the tenant
comes from ``SONNYS_BASE_URL`` or ``SONNYS_SUBDOMAIN``, the bot login from
``SONNYS_BOT_USERNAME`` / ``SONNYS_BOT_PASSWORD``, and whatever is missing is prompted for
(the password with hidden input). ``--sandbox`` replaces all of that with an in-process
sandbox tenant.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import anyio
import click
from click.core import ParameterSource
from rich.console import Console
from rich.text import Text

from .. import AsyncBackofficeClient
from ..errors import (
    AuthenticationError,
    BackofficeError,
    InputValidationError,
    TransportError,
)
from ..redaction import RedactingFilter, redact_text
from ..sandbox import Sandbox, SandboxOptions, StateFileInUseError, persisted
from ._output import make_console
from ._safety import plain, visible

__all__ = [
    "EXIT_FAILED_ROWS",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_STOPPED",
    "EXIT_UNREACHABLE",
    "AppState",
    "Credentials",
    "cli",
    "fail",
    "main",
    "open_client",
    "open_sandbox_state",
    "run_async",
]

T = TypeVar("T")

#: Exit codes (documented in docs/cli.md).
EXIT_OK = 0
EXIT_FAILED_ROWS = 1  # at least one row failed, or the server refused the operation
EXIT_INVALID_INPUT = 2  # bad CSV rows / bad arguments: nothing was written
EXIT_UNREACHABLE = 3  # could not log in or reach the Backoffice (also: login refused mid-run)
EXIT_STOPPED = 4  # stopped mid-run: the Backoffice stopped answering; re-run to resume
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Where and as whom to log in (the password never appears in the repr)."""

    base_url: str | None
    subdomain: str | None
    username: str
    password: str = field(repr=False)


@dataclass(slots=True)
class AppState:
    """Per-invocation state (``ctx.obj``). Tests may preset ``sandbox_instance``."""

    use_sandbox: bool = False
    sandbox_instance: Sandbox | None = None
    #: ``--sandbox-state``: the file that keeps the sandbox tenant between commands.
    sandbox_state: Path | None = None
    env: Mapping[str, str] | None = None
    #: Extra client constructor arguments (tests pass ``retry=RetryPolicy.no_wait()``); with
    #: ``--sandbox`` they may also replace the sandbox's ``transport``, ``username`` or
    #: ``password`` (a wrapped transport, a wrong password).
    client_options: dict[str, Any] = field(default_factory=dict)
    console: Console = field(default_factory=make_console)
    err: Console = field(default_factory=lambda: make_console(stderr=True))
    #: What the command holds until it ends (the state file and its lock).
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def sandbox(self) -> Sandbox:
        """The in-process sandbox (created on first use): the tenant kept in
        ``--sandbox-state`` (saved when the command ends), else a fresh one."""
        if self.sandbox_instance is None:
            if self.sandbox_state is not None:
                self.sandbox_instance = self.resources.enter_context(
                    open_sandbox_state(self, self.sandbox_state)
                )
            else:
                self.sandbox_instance = Sandbox()
        return self.sandbox_instance

    def credentials(self) -> Credentials | None:
        """Credentials from the environment, prompting for what is missing.

        Returns:
            ``None`` with ``--sandbox`` (the sandbox supplies its own).
        """
        if self.use_sandbox:
            return None
        env = os.environ if self.env is None else self.env
        base_url = env.get("SONNYS_BASE_URL") or None
        subdomain = env.get("SONNYS_SUBDOMAIN") or None
        if base_url is None and subdomain is None:
            subdomain = self._ask(
                "Backoffice subdomain (<subdomain>.sonnyscontrols.com)",
                "tenant",
                "SONNYS_BASE_URL or SONNYS_SUBDOMAIN",
            )
        username = env.get("SONNYS_BOT_USERNAME") or self._ask(
            "Backoffice username", "bot username", "SONNYS_BOT_USERNAME"
        )
        password = env.get("SONNYS_BOT_PASSWORD") or self._ask(
            "Backoffice password", "bot password", "SONNYS_BOT_PASSWORD", hide_input=True
        )
        return Credentials(base_url, subdomain, username, password)

    def _ask(self, prompt: str, what: str, variable: str, *, hide_input: bool = False) -> str:
        """Prompt for a credential; a closed standard input (a cron job, CI, ``< /dev/null``)
        cannot log in: exit 3 naming the variable to set (Ctrl-C at the prompt: 130)."""
        try:
            return str(click.prompt(prompt, hide_input=hide_input))
        except click.Abort as exc:
            # click turns both EOF and Ctrl-C into Abort; the original is the context.
            if isinstance(exc.__context__, KeyboardInterrupt):
                raise SystemExit(EXIT_INTERRUPTED) from None
            self.err.print()  # end the prompt's line
            fail(
                self,
                f"no {what}: standard input is closed, so it cannot be asked for; set {variable}",
                EXIT_UNREACHABLE,
            )


@contextlib.contextmanager
def open_sandbox_state(
    state: AppState, path: Path, options: SandboxOptions | None = None
) -> Iterator[Sandbox]:
    """:func:`sonnys_async.sandbox.persisted`, its refusals as exit 2 (nothing was sent)."""
    with contextlib.ExitStack() as stack:
        try:
            sandbox = stack.enter_context(persisted(path, options))
        except (StateFileInUseError, ValueError) as exc:
            fail(state, f"--sandbox-state: {exc}", EXIT_INVALID_INPUT)
        except OSError as exc:
            fail(state, f"--sandbox-state: {exc.strerror or exc}: {path}", EXIT_INVALID_INPUT)
        yield sandbox


def pass_state(f: Callable[..., T]) -> Callable[..., T]:
    """Decorator: pass the :class:`AppState` as the first argument."""
    return click.pass_obj(f)


@contextlib.asynccontextmanager
async def open_client(
    state: AppState,
    credentials: Credentials | None,
    *,
    max_concurrency: int | None = None,
    max_per_second: float | None = None,
    sessions: int | None = None,
) -> AsyncIterator[AsyncBackofficeClient]:
    """An entered client for the tenant (or the sandbox).

    Args:
        state: The CLI state (``--sandbox``).
        credentials: From :meth:`AppState.credentials` (read before the event loop starts,
            since prompting blocks).
        max_concurrency: Client-wide limit of requests in flight (``None``: the client's
            default).
        max_per_second: Client-wide request rate limit.
        sessions: Number of independent logins (``None``: the client's default).
    """
    options: dict[str, Any] = {"max_per_second": max_per_second, **state.client_options}
    if max_concurrency is not None:
        options["max_concurrency"] = max_concurrency
    if sessions is not None:
        options["sessions"] = sessions
    client: AsyncBackofficeClient
    if credentials is None:
        sb = state.sandbox()
        sandboxed = {"username": sb.username, "password": sb.password, **options}
        sandboxed.setdefault("transport", sb.transport())
        client = AsyncBackofficeClient(sb.base_url, **sandboxed)
    else:
        client = AsyncBackofficeClient(
            credentials.base_url,
            subdomain=credentials.subdomain,
            username=credentials.username,
            password=credentials.password,
            **options,
        )
    async with client:
        yield client


def fail(state: AppState, message: str, code: int) -> NoReturn:
    """Print ``message`` on stderr (as plain text: it may quote data; secrets it quotes, such
    as a session cookie or a form's password, masked) and exit with ``code``."""
    text = plain(redact_text(message))
    state.err.print(Text.assemble(("error:", "bold red"), " ", text), soft_wrap=True)
    raise SystemExit(code)


def run_async(
    state: AppState,
    fn: Callable[[], Awaitable[T]],
    *,
    on_interrupt: Callable[[], None] | None = None,
) -> T:
    """Run a coroutine function to completion, translating library errors to exit codes.

    Ctrl-C cancels the run (bulk runs finish the items in flight and journal them first)
    and exits with 130.

    Args:
        state: The CLI state (where messages go).
        fn: The coroutine function.
        on_interrupt: Called after Ctrl-C once the run has wound down, before exiting with
            130: bulk commands print what was done and how to resume.
    """
    try:
        return anyio.run(fn)
    except KeyboardInterrupt:
        if on_interrupt is not None:
            on_interrupt()
        state.err.print("interrupted: items in flight were finished and recorded")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except AuthenticationError as exc:
        fail(state, f"login refused: {exc}", EXIT_UNREACHABLE)
    except TransportError as exc:
        fail(state, f"cannot reach the Backoffice: {exc}", EXIT_UNREACHABLE)
    except InputValidationError as exc:
        fail(state, str(exc), EXIT_INVALID_INPUT)
    except BackofficeError as exc:
        fail(state, f"{type(exc).__name__}: {exc}", EXIT_FAILED_ROWS)
    except OSError as exc:  # a file the run reads or writes (disk full, permissions...)
        where = f": {exc.filename}" if exc.filename else ""
        fail(state, f"{exc.strerror or exc}{where}", EXIT_FAILED_ROWS)


class _VisibleFormatter(logging.Formatter):
    """Log lines quote names and page text: show their control characters as escapes. A
    traceback (``exc_info``) or stack is redacted and escaped line by line too: the
    :class:`RedactingFilter` only sees the message."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return visible(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        return _visible_lines(redact_text(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> str:
        return _visible_lines(redact_text(super().formatStack(stack_info)))

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text
        if record.exc_info:
            record.exc_text = None  # rendered by formatException above, never as cached
        elif cached:
            record.exc_text = _visible_lines(redact_text(cached))
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def _visible_lines(text: str) -> str:
    return "\n".join(visible(line) for line in text.split("\n"))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _configure_logging(verbose: int) -> None:
    logger = logging.getLogger("sonnys_async")
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_VisibleFormatter("%(levelname)s %(name)s: %(message)s"))
        # A second line of defence: the library already logs through redaction helpers.
        handler.addFilter(RedactingFilter())
        logger.addHandler(handler)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--sandbox",
    is_flag=True,
    help="Run against an in-process sandbox tenant instead of a real Backoffice. Each command "
    "gets a fresh tenant (its changes are gone when it ends) unless --sandbox-state keeps one.",
)
@click.option(
    "--sandbox-state",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SONNYS_SANDBOX_STATE",
    show_envvar=True,
    metavar="FILE",
    help="Keep the sandbox tenant in FILE between commands: created on first use, saved when "
    "each command ends, so onboard, export and offboard see each other's changes (mode 0600: "
    "it holds the sandbox's PINs and passwords). Given here it implies --sandbox; from the "
    "environment it only names the file for --sandbox runs and `sandbox`.",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v: info, -vv: debug).")
@click.version_option(package_name="sonnys-async", prog_name="sonnys-backoffice")
@click.pass_context
def cli(ctx: click.Context, sandbox: bool, sandbox_state: Path | None, verbose: int) -> None:
    """Onboard, change, offboard and rehire Sonny's Backoffice employees, and manage
    Backoffice logins, in bulk, safely.

    Credentials come from SONNYS_BASE_URL or SONNYS_SUBDOMAIN, SONNYS_BOT_USERNAME and
    SONNYS_BOT_PASSWORD (or a prompt) - never from the command line.
    """
    state = ctx.ensure_object(AppState)
    # A file named on the command line means a sandbox run; the variable alone never turns
    # a real-tenant command into one (nor the other way round).
    given = ctx.get_parameter_source("sandbox_state") is ParameterSource.COMMANDLINE
    state.use_sandbox = state.use_sandbox or sandbox or (sandbox_state is not None and given)
    state.sandbox_state = state.sandbox_state or sandbox_state
    ctx.call_on_close(state.resources.close)
    _configure_logging(verbose)


def main(argv: list[str] | None = None, **extra: Any) -> None:
    """Entry point of the ``sonnys-backoffice`` console script."""
    cli.main(args=argv, prog_name="sonnys-backoffice", **extra)
