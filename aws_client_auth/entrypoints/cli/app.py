"""The ``client-auth`` command group: global options, output, and how failures reach the user."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

import click

from aws_client_auth.adapters.redaction import masked
from aws_client_auth.domain.errors import ClientAuthError, DeviceFlowPending
from aws_client_auth.domain.secret import Secret, remember, scrub
from aws_client_auth.domain.text import clean
from aws_client_auth.entrypoints.cli.display import (
    LINE_LIMIT,
    for_json,
    for_terminal,
    one_line,
    redacted_traceback,
    server_text,
    shown_on_purpose,
)

if TYPE_CHECKING:
    from aws_client_auth.domain.events import PreviousUserForgotten
    from aws_client_auth.entrypoints.scripting import ClientAuth

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PENDING = 3
EXIT_INTERRUPTED = 130
_OUR_LOGGERS = ("aws_client_auth",)


@dataclass
class Cli:
    """What every subcommand gets: the options, the facade (built on first use) and output helpers."""

    config: tuple[str, ...] = ()
    profile: str | None = None
    o3de_project: str | None = None
    json_output: bool = False
    debug: bool = False
    _auth: ClientAuth | None = field(default=None, repr=False)

    @property
    def auth(self) -> ClientAuth:
        if self._auth is None:
            # Imported here: --help and the commands that need no facade do not load the SDK and the DI framework.
            from aws_client_auth.domain.events import PreviousUserForgotten
            from aws_client_auth.entrypoints.scripting import ClientAuth

            self._auth = ClientAuth.from_config(
                *self.config,
                profile=self.profile,
                o3de_project=self.o3de_project,
                passkey_notice=_passkey_notice,
                passkey_pin=_passkey_pin,
            )
            self._auth.subscribe(PreviousUserForgotten, _say_previous_user_forgotten)
        return self._auth

    def say(self, text: str, data: dict[str, Any] | None = None, *, revealed: Collection[Secret] = ()) -> None:
        """A human line, or with --json the data as one JSON object; ``revealed`` secrets are shown on purpose,
        any other secret is masked."""
        if self.json_output:
            payload = data if data is not None else {"message": text}
            click.echo(json.dumps(for_json(payload, [s.reveal() for s in revealed]), default=str))
        else:
            self.show(text, revealed=revealed)

    def note(self, text: str) -> None:
        """Guidance for a person (stderr), never mixed into --json output."""
        if not self.json_output:
            self.show(text, err=True)

    @staticmethod
    def show(text: str, *, err: bool = False, revealed: Collection[Secret | str] = ()) -> None:
        """Human text: every line passes display.for_terminal, whatever servers put into it. ``revealed`` values
        are shown even if a secret's value happens to be part of them (a plain string is not made a secret, so
        it is not masked in later messages either)."""
        shown = [shown_on_purpose(s) if isinstance(s, Secret) else s for s in revealed]
        click.echo(for_terminal(text, shown), err=err)


def _say_previous_user_forgotten(event: PreviousUserForgotten) -> None:
    """On stderr even with --json: someone else's session on this profile was just dropped."""
    Cli.show(
        f"Note: {server_text(event.previous_user)} was signed in with {event.provider} on this profile; their "
        "session, identity and linked logins were dropped.",
        err=True,
    )


class RedactingFilter(logging.Filter):
    """Log messages quote servers too: masked by value and by pattern, one line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = clean(masked(record), LINE_LIMIT)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """A logged exception's traceback goes through the same redaction as --debug's."""

    def formatException(  # noqa: N802 - logging's name
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        return redacted_traceback(ei[1]) if ei[1] is not None else ""


def configure_logging(verbose: bool, debug: bool) -> None:
    """Our own loggers only: botocore's DEBUG output would print request bodies, passwords included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    for name in _OUR_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


def hoist_global_options(args: list[str], params: list[click.Parameter]) -> list[str]:
    """``args`` with the group's own options moved before the subcommand, wherever they were on the line, as the
    AWS CLI and gh take them (``client-auth status --json``). ``--help`` and ``--version`` stay where they are
    (after a subcommand, ``--help`` is that command's), and nothing after ``--`` moves."""
    with_value: set[str] = set()
    flags: set[str] = set()
    for param in params:
        if isinstance(param, click.Option) and not param.is_eager:
            (flags if param.is_flag or param.count else with_value).update(param.opts + param.secondary_opts)
    head: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # the options already before it
        head.append(args[i])
        if args[i] in with_value and i + 1 < len(args):
            head.append(args[i + 1])
            i += 1
        i += 1
    hoisted: list[str] = []
    rest: list[str] = []
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in flags:
            hoisted.append(arg)
        elif arg.partition("=")[0] in with_value:
            hoisted.append(arg)
            if "=" not in arg and i + 1 < len(args):
                hoisted.append(args[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return head + hoisted + rest


def error_line(message: str) -> str:
    """Every error the CLI reports starts the same way, on one line."""
    return f"error: {one_line(message)}"


class Group(click.Group):
    """Global options anywhere on the line; typed errors as one clear line and exit 1 (3 for a device code still
    pending, 2 for a usage error, 130 for Ctrl-C wherever it comes); a traceback only with --debug."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(args, self.get_params(ctx))
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """As a program: always exits, with one ``error:`` line for any failure. A caller that asks for
        ``standalone_mode=False`` (the demo runs the commands in-process) gets click's own behaviour."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as error:
            if error.ctx is not None:
                click.echo(error.ctx.get_usage(), err=True)
                if error.ctx.command.get_help_option(error.ctx) is not None:
                    click.echo(f"Try '{error.ctx.command_path} --help' for help.", err=True)
            click.echo(error_line(error.format_message()), err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(error_line(error.format_message()), err=True)
            sys.exit(error.exit_code)
        except click.Abort as error:
            if isinstance(error.__cause__ or error.__context__, KeyboardInterrupt):  # Ctrl-C, in a prompt too
                _interrupted()
            click.echo(error_line("aborted: no answer was given."), err=True)
            sys.exit(EXIT_FAILURE)
        except KeyboardInterrupt:
            _interrupted()
        except OSError as error:  # a closed pipe on stdout (client-auth status | head): no traceback
            import errno

            if error.errno != errno.EPIPE:
                raise
            sys.exit(EXIT_FAILURE)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClientAuthError as error:
            fail(ctx, str(error), error)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _interrupted()
        except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback for users
            fail(ctx, f"Unexpected failure ({type(error).__name__}); run again with --debug for details.", error)


def _interrupted() -> NoReturn:
    click.echo("\nInterrupted.", err=True)
    sys.exit(EXIT_INTERRUPTED)


def fail(ctx: click.Context, message: str, error: BaseException) -> NoReturn:
    """One line on stderr (a JSON object with --json), after a redacted traceback with --debug. A device code
    still pending when the wait ends exits 3, as ``sign-in --no-wait`` does: ``confirm-sign-in`` finishes it."""
    cli = ctx.find_object(Cli)
    if cli is not None and cli.debug:
        click.echo(redacted_traceback(error), err=True)
    if cli is not None and cli.json_output:
        code = error.code if isinstance(error, ClientAuthError) else "unexpected"
        click.echo(json.dumps({"error": code, "message": scrub(message)}), err=True)
    else:
        click.echo(error_line(message), err=True)
    ctx.exit(EXIT_PENDING if isinstance(error, DeviceFlowPending) else EXIT_FAILURE)


def read_secret(prompt: str, from_stdin: bool, *, confirm: bool = False) -> str:
    """A password from stdin (one line) or a prompt without echo; never from an argument.

    The value is remembered as a secret at once, so that it is masked wherever a server echoes it, even if
    it fails validation before the domain wraps it.
    """
    if from_stdin:
        value = _stdin_line(prompt)
    else:
        if not sys.stdin.isatty():
            # getpass would warn and read the secret from stdin with echo: say how to pass it instead.
            raise click.UsageError(f"{prompt}: no terminal to ask on; pipe it in with {_stdin_option()}.")
        value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    remember(value)
    return str(value)


def _stdin_option() -> str:
    """The running command's option that reads a secret from standard input (--password-stdin, --answer-stdin)."""
    ctx = click.get_current_context(silent=True)
    names = [
        name
        for param in (ctx.command.params if ctx is not None else [])
        for name in getattr(param, "opts", [])
        if name.endswith("-stdin")
    ]
    return names[0] if names else "--password-stdin"


def _stdin_line(prompt: str) -> str:
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        # The decoder's message would quote the offending bytes of the secret: say what is wrong, not where.
        raise click.UsageError(f"{prompt}: standard input is not valid UTF-8 text.") from None
    if not line:
        raise click.UsageError(f"{prompt}: nothing on standard input.")
    return line.rstrip("\r\n")


pass_cli = click.make_pass_decorator(Cli)


def _passkey_notice(text: str) -> None:
    """The authenticator's prompts ("touch your security key"), for the person at the terminal: on stderr."""
    from aws_client_auth.entrypoints.cli.display import for_terminal

    click.echo(for_terminal(text), err=True)


def _passkey_pin() -> str | None:
    """A security key's PIN, asked without echo on a terminal (never read from a pipe: None, and the key says so)."""
    if not sys.stdin.isatty():
        return None
    value = str(click.prompt("Security key PIN", hide_input=True, err=True))
    remember(value)
    return value
