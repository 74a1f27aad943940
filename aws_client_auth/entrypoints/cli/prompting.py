"""On a terminal, ``sign-in`` answers its own challenges, as ``gh auth login`` does.

It asks for the code (SMS, authenticator app, email), a new password (without echo, twice), an MFA method, and
goes on until the user is signed in or stops (Ctrl-D leaves the challenge pending: exit 3; Ctrl-C exits 130).
Without a terminal, with ``--no-prompt`` or with ``--json``, the challenge is reported and the command exits 3:
``confirm-sign-in`` answers it, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click

from aws_client_auth.domain.errors import CodeMismatch, InvalidInput, InvalidPassword
from aws_client_auth.domain.sign_in import Answer, Challenge, SignInStep
from aws_client_auth.entrypoints.cli.app import Cli, error_line, read_secret
from aws_client_auth.entrypoints.cli.output import (
    PASSWORD_ANSWERS,
    SECRET_ANSWERS,
    challenge_secrets,
    describe_challenge,
)

_NO_PROMPT = "client_auth_no_prompt"
RETRYABLE = (CodeMismatch, InvalidPassword, InvalidInput)
"""Answers the user can correct at once: the challenge stays pending, so it is asked again."""


def _remember_no_prompt(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[_NO_PROMPT] = value


no_prompt_option = click.option(
    "--no-prompt",
    is_flag=True,
    expose_value=False,
    callback=_remember_no_prompt,
    help="Never ask on the terminal: report a challenge and exit 3 (answer it with confirm-sign-in).",
)


def prompting(cli: Cli) -> bool:
    """Whether challenges are asked for here: a person at a terminal, no --json, no --no-prompt."""
    ctx = click.get_current_context(silent=True)
    no_prompt = bool(ctx.meta.get(_NO_PROMPT)) if ctx is not None else False
    return not (no_prompt or cli.json_output) and sys.stdin.isatty()


metadata_option = click.option(
    "--metadata",
    multiple=True,
    metavar="KEY=VALUE",
    help="Client metadata for the pool's Lambda triggers, with each call of this command (repeatable).",
)


def metadata_pairs(words: tuple[str, ...]) -> dict[str, str] | None:
    """``--metadata`` words as pairs (a word without '=' is a usage error that does not echo the word)."""
    if not words:
        return None
    from aws_client_auth.application.services.client_metadata import parse_pairs

    try:
        return parse_pairs(words)
    except InvalidInput as error:
        raise click.UsageError(str(error)) from None


def answer_on_terminal(cli: Cli, step: SignInStep, *, client_metadata: Mapping[str, str] | None = None) -> SignInStep:
    """``step`` answered on the terminal until signed in; the challenge itself when not prompting or when the user
    stops (end of input), for the caller to report (exit 3)."""
    if not prompting(cli):
        return step
    while isinstance(step, Challenge):
        cli.show(describe_challenge(step, hint=False), revealed=challenge_secrets(step))
        try:
            answer = ask(step)
        except click.Abort as stopped:
            if isinstance(stopped.__cause__ or stopped.__context__, KeyboardInterrupt):
                raise
            click.echo("", err=True)
            return step  # end of input: the challenge stays pending for confirm-sign-in
        try:
            step = cli.auth.confirm_sign_in(answer, client_metadata=client_metadata)
        except RETRYABLE as error:
            pending = cli.auth.pending()
            if not isinstance(pending, Challenge):
                raise
            cli.show(error_line(str(error)), err=True)
            step = pending
    return step


def ask(challenge: Challenge) -> str:
    """One answer: a password without echo and twice, an MFA method from the offered ones, or a code."""
    if challenge.kind in PASSWORD_ANSWERS:
        return read_secret(challenge.kind.prompt, False, confirm=True)
    if challenge.kind in SECRET_ANSWERS:
        return read_secret(challenge.prompt, False)
    if challenge.answer is Answer.PASSKEY:
        return ""  # the authenticator answers: it shows its own prompt ("touch your security key")
    kind: Any = None
    if challenge.answer is Answer.MFA_TYPE and challenge.options:
        kind = click.Choice([option.value for option in challenge.options])
    if challenge.answer is Answer.FACTOR and challenge.factors:
        kind = click.Choice([factor.value for factor in challenge.factors])
    value: str = click.prompt(challenge.prompt, type=kind)
    return value.strip()
