"""The ``client-auth`` command group: global options, output, and how failures reach the user."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, NoReturn

import click

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import PreviousUserForgotten
from aws_client_auth.domain.text import clean
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

    def say(self, text: str, data: dict[str, Any] | None = None) -> None:
        """A human line, or with --json the data as one JSON object."""
        if self.json_output:
            click.echo(json.dumps(data if data is not None else {"message": text}, default=str))
        else:
            click.echo(text)

    def note(self, text: str) -> None:
        """Guidance for a person (stderr), never mixed into --json output."""
        if not self.json_output:
            click.echo(text, err=True)


def _say_previous_user_forgotten(event: PreviousUserForgotten) -> None:
    """On stderr even with --json: someone else's session on this profile was just dropped."""
    click.echo(
        f"Note: {clean(event.previous_user)} was signed in with {event.provider} on this profile; their session, "
        "identity and linked logins were dropped.",
        err=True,
    )


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def configure_logging(verbose: bool, debug: bool) -> None:
    """Our own loggers only: botocore's DEBUG output would print request bodies, passwords included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
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
    cli = ctx.find_object(Cli)
    if cli is not None and cli.debug:
        traceback.print_exception(error, file=sys.stderr)
    if cli is not None and cli.json_output:
        code = error.code if isinstance(error, ClientAuthError) else "unexpected"
        click.echo(json.dumps({"error": code, "message": message}), err=True)
    else:
        click.echo(f"error: {message}", err=True)
    ctx.exit(EXIT_FAILURE)


def read_secret(prompt: str, from_stdin: bool, *, confirm: bool = False) -> str:
    """A password from stdin (one line) or a prompt without echo; never from an argument."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.UsageError(f"{prompt}: nothing on standard input.")
        return line.rstrip("\r\n")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value


pass_cli = click.make_pass_decorator(Cli)
