"""The ``client-auth`` command group: global options, output, and how failures reach the user."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NoReturn

import click

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import PreviousUserForgotten
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
from aws_client_auth.entrypoints.scripting import ClientAuth

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PENDING = 3
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
            self._auth = ClientAuth.from_config(*self.config, profile=self.profile, o3de_project=self.o3de_project)
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
    def show(text: str, *, err: bool = False, revealed: Collection[Secret] = ()) -> None:
        """Human text: every line passes display.for_terminal, whatever servers put into it."""
        click.echo(for_terminal(text, [shown_on_purpose(s) for s in revealed]), err=err)


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
        record.msg = clean(redact(record.getMessage()), LINE_LIMIT)
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


class Group(click.Group):
    """Turns typed errors into one clear line and exit 1; a traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClientAuthError as error:
            fail(ctx, str(error), error)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback for users
            fail(ctx, f"Unexpected failure ({type(error).__name__}); run again with --debug for details.", error)


def fail(ctx: click.Context, message: str, error: BaseException) -> NoReturn:
    """One line on stderr (a JSON object with --json), after a redacted traceback with --debug."""
    cli = ctx.find_object(Cli)
    if cli is not None and cli.debug:
        click.echo(redacted_traceback(error), err=True)
    if cli is not None and cli.json_output:
        code = error.code if isinstance(error, ClientAuthError) else "unexpected"
        click.echo(json.dumps({"error": code, "message": scrub(message)}), err=True)
    else:
        click.echo(f"error: {one_line(message)}", err=True)
    ctx.exit(EXIT_FAILURE)


def read_secret(prompt: str, from_stdin: bool, *, confirm: bool = False) -> str:
    """A password from stdin (one line) or a prompt without echo; never from an argument.

    The value is remembered as a secret at once, so that it is masked wherever a server echoes it, even if
    it fails validation before the domain wraps it.
    """
    value = _stdin_line(prompt) if from_stdin else click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    remember(value)
    return str(value)


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
