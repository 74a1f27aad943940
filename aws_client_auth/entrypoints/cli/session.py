"""Sign-in, challenges, refresh, sign-out and status."""

from __future__ import annotations

import os
import sys
import threading

import click

from aws_client_auth.application.queries import Status, status_of
from aws_client_auth.application.services.providers import SignInMethod
from aws_client_auth.domain.errors import DeviceFlowPending
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    ChallengeKind,
    DeviceAuthorization,
    SignedIn,
    SignInStep,
)
from aws_client_auth.entrypoints.cli.app import EXIT_PENDING, Cli, pass_cli, read_secret
from aws_client_auth.entrypoints.cli.browser import browser_sign_in, browser_sign_out, refuse_with_browser
from aws_client_auth.entrypoints.cli.devices import remember_device_option, remember_if_asked
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.fast import Light, stored_session
from aws_client_auth.entrypoints.cli.output import (
    PASSWORD_ANSWERS,
    SECRET_ANSWERS,
    challenge_data,
    challenge_secrets,
    describe_challenge,
    describe_device,
    device_data,
    tokens_data,
    tokens_until,
    when,
)
from aws_client_auth.entrypoints.cli.prompting import (
    answer_on_terminal,
    metadata_option,
    metadata_pairs,
    no_prompt_option,
)
from aws_client_auth.entrypoints.shapes import status_data

PROVIDER_HELP = "cognito (the user pool, default), lwa, google, or a custom provider's name."


def report_step(cli: Cli, step: SignInStep) -> None:
    """Signed in: exit 0. A challenge: say what to answer, exit 3."""
    if isinstance(step, SignedIn):
        # The user name may be a provider's unverified email claim: shown as data, never as terminal control.
        who = f" as {server_text(step.tokens.username)}" if step.tokens.username else ""
        remembered, device = remember_if_asked(cli, step)  # sign-in --remember-device, confirm-sign-in too
        data = {"status": "signed_in", **tokens_data(step.tokens), **device}
        cli.say(f"Signed in to {step.tokens.provider}{who}.{remembered}", data)
        return
    cli.say(describe_challenge(step), challenge_data(step), revealed=challenge_secrets(step))
    click.get_current_context().exit(EXIT_PENDING)


@click.command("sign-in")
@click.argument("username", required=False)
@click.option("--provider", default="cognito", show_default=True, help=PROVIDER_HELP)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@remember_device_option
@click.option("--no-wait", is_flag=True, help="Device flow: show the code and return; finish with confirm-sign-in.")
@click.option("--timeout", type=float, help="Device flow or --browser: give up waiting after this many seconds.")
@click.option("--browser", "use_browser", is_flag=True, help="Sign in to the user pool in a web browser.")
@click.option("--identity-provider", help="--browser: go straight to this identity provider of the pool (Google, ...).")
@click.option("--no-browser", is_flag=True, help="--browser: print the address, read where the browser ended on stdin.")
@click.option(
    "--factor",
    type=click.Choice([factor.value for factor in AuthFactor], case_sensitive=False),
    help="Cognito choice-based sign-in with this first factor (only password asks for the password).",
)
@click.option("--custom", is_flag=True, help="Cognito custom challenges, defined by the pool's Lambda triggers.")
@click.option("--with-password", is_flag=True, help="--custom: prove the password first (SRP), as the pool expects.")
@metadata_option
@no_prompt_option
@pass_cli
def sign_in(
    cli: Cli,
    username: str | None,
    provider: str,
    password_stdin: bool,
    no_wait: bool,
    timeout: float | None,
    use_browser: bool,
    identity_provider: str | None,
    no_browser: bool,
    factor: str | None,
    custom: bool,
    with_password: bool,
    metadata: tuple[str, ...],
) -> None:
    """Sign in with a password (Cognito), a chosen first factor (--factor: email-otp, sms-otp, passkey), custom
    challenges (--custom), in a web browser (--browser), or through the device flow (lwa, google, custom)."""
    if use_browser or identity_provider or no_browser:
        given = {"USERNAME": username, "--provider": provider != "cognito", "--password-stdin": password_stdin}
        refuse_with_browser(**given, **{"--no-wait": no_wait, "--factor": bool(factor), "--custom": custom})
        report_step(cli, browser_sign_in(cli, identity_provider, no_browser, timeout))
        return
    if factor and custom:
        raise click.UsageError("Give --factor or --custom, not both.")
    if with_password and not custom:
        raise click.UsageError("--with-password goes with --custom.")
    pairs = metadata_pairs(metadata)
    method = cli.auth.sign_in_method(provider)
    if method is not SignInMethod.DEVICE:
        if not username:
            raise click.UsageError(f"{provider} signs in with a username: client-auth sign-in USERNAME")
        wants_password = _wants_password(method, factor, custom, with_password or password_stdin)
        secret = read_secret("Password", password_stdin) if wants_password else None
        if password_stdin and not wants_password:
            raise click.UsageError(f"--factor {factor} takes no password: leave out --password-stdin.")
        step = cli.auth.sign_in(
            username, secret, provider=provider, factor=factor, custom=custom, client_metadata=pairs
        )
        report_step(cli, answer_on_terminal(cli, step, client_metadata=pairs))
        return
    if factor or custom:
        raise click.UsageError(f"{provider} signs in through the device flow: --factor and --custom are Cognito's.")
    authorization = cli.auth.start_device_sign_in(provider)
    if cli.json_output or no_wait:
        cli.say(describe_device(authorization), device_data(authorization))
    else:
        cli.show(describe_device(authorization), err=True)
    if no_wait:
        cli.note("Once approved, finish with: client-auth confirm-sign-in")
        click.get_current_context().exit(EXIT_PENDING)
    report_step(cli, wait_for_device(cli, authorization, timeout))


def _wants_password(method: SignInMethod, factor: str | None, custom: bool, asked: bool) -> bool:
    """Whether this sign-in starts with the password: the password factor, a custom sign-in that proves it first,
    or the configured password flow (not choice-based sign-in, which offers the factors first)."""
    if custom:
        return asked
    if factor is not None:
        return AuthFactor.parse(factor) is AuthFactor.PASSWORD
    return method is SignInMethod.PASSWORD or asked


def wait_for_device(cli: Cli, authorization: DeviceAuthorization, timeout: float | None) -> SignedIn:
    done = threading.Event()
    ticker = None
    if sys.stderr.isatty() and not cli.json_output:
        ticker = threading.Thread(target=_countdown, args=(authorization, done), daemon=True)
        ticker.start()
    try:
        return cli.auth.complete_device_sign_in(wait=True, timeout=timeout)
    finally:
        done.set()
        if ticker is not None:
            ticker.join()
            click.echo("", err=True)


def _countdown(authorization: DeviceAuthorization, done: threading.Event) -> None:
    from datetime import UTC, datetime

    while not done.wait(1.0):
        left = max(0, int((authorization.expires_at - datetime.now(UTC)).total_seconds()))
        click.echo(f"\rWaiting for approval... {left // 60}:{left % 60:02d} left ", err=True, nl=False)


@click.command("confirm-sign-in")
@click.argument("answer", required=False)
@click.option("--answer-stdin", is_flag=True, help="Read the answer (a code, a password) from standard input.")
@remember_device_option
@metadata_option
@pass_cli
def confirm_sign_in(cli: Cli, answer: str | None, answer_stdin: bool, metadata: tuple[str, ...]) -> None:
    """Answer the pending challenge, or check once whether a device code was approved.

    A code may be given as ANSWER; a new password never is (other users can read command lines): it is asked
    for twice without echo, or read from standard input with --answer-stdin.
    """
    pending = cli.auth.pending()
    if isinstance(pending, DeviceAuthorization):
        check_device(cli, pending)
        return
    pairs = metadata_pairs(metadata)
    if pending is None:  # nothing to ask for: the sign-in use case says what is missing
        report_step(cli, cli.auth.confirm_sign_in(answer or "", client_metadata=pairs))
        return
    step = cli.auth.confirm_sign_in(challenge_answer(pending, answer, answer_stdin), client_metadata=pairs)
    report_step(cli, answer_on_terminal(cli, step, client_metadata=pairs))


def check_device(cli: Cli, pending: DeviceAuthorization) -> None:
    """One poll: signed in, or still waiting (exit 3)."""
    try:
        step = cli.auth.complete_device_sign_in(wait=False)
    except DeviceFlowPending as waiting:
        cli.say(server_text(waiting), {"status": "pending", **device_data(pending)})
        click.get_current_context().exit(EXIT_PENDING)
    report_step(cli, step)


def challenge_answer(challenge: Challenge, answer: str | None, from_stdin: bool) -> str:
    """The answer from the argument, standard input or a prompt; a password only from the last two."""
    prompt = challenge.prompt
    if challenge.kind in (ChallengeKind.PASSKEY, ChallengeKind.PASSWORD):
        return _choice_answer(challenge, answer, from_stdin)
    if challenge.kind in PASSWORD_ANSWERS:
        if answer is not None:
            raise click.UsageError(
                "A new password is never given on the command line: run 'client-auth confirm-sign-in' to be "
                "asked for it, or pipe it into 'client-auth confirm-sign-in --answer-stdin'."
            )
        return read_secret(prompt, from_stdin, confirm=True)
    if answer is not None and from_stdin:
        raise click.UsageError("Give the answer as an argument or with --answer-stdin, not both.")
    if answer is not None:
        return answer
    if from_stdin:
        return read_secret(prompt, True)
    if challenge.kind in SECRET_ANSWERS:
        return read_secret(prompt, False)  # a custom answer may be a ticket: asked without echo
    value: str = click.prompt(prompt)
    return value


def _choice_answer(challenge: Challenge, answer: str | None, from_stdin: bool) -> str:
    """A passkey step takes no answer (the authenticator answers); the password step is asked without echo or read
    from standard input, never taken from the command line."""
    if challenge.kind is ChallengeKind.PASSKEY:
        if answer is not None or from_stdin:
            raise click.UsageError("A passkey challenge takes no answer: your authenticator answers it.")
        return ""
    if answer is not None:
        raise click.UsageError(
            "A password is never given on the command line: run 'client-auth confirm-sign-in' to be asked for "
            "it, or pipe it into 'client-auth confirm-sign-in --answer-stdin'."
        )
    return read_secret(challenge.prompt, from_stdin)


@click.command("refresh")
@click.option("--provider", default="cognito", show_default=True, help=PROVIDER_HELP)
@pass_cli
def refresh(cli: Cli, provider: str) -> None:
    """Refresh a provider's tokens now."""
    tokens = cli.auth.refresh_tokens(provider)
    cli.say(
        f"Refreshed {provider}: valid until {when(tokens.expires_at)}.", {"status": "refreshed", **tokens_data(tokens)}
    )


@click.command("sign-out")
@click.option("--provider", help=PROVIDER_HELP)
@click.option("--all", "everything", is_flag=True, help="Sign out of every provider (the default).")
@click.option("--global", "globally", is_flag=True, help="Also revoke the refresh tokens on every device.")
@click.option("--browser", "use_browser", is_flag=True, help="Also end the browser's managed-login session.")
@click.option("--no-browser", is_flag=True, help="--browser: print the logout address instead of opening it.")
@pass_cli
def sign_out(
    cli: Cli, provider: str | None, everything: bool, globally: bool, use_browser: bool, no_browser: bool
) -> None:
    """Sign out and forget the tokens (and the identity, once no provider is left)."""
    if provider and everything:
        raise click.UsageError("Give --provider or --all, not both.")
    if use_browser or no_browser:
        browser_sign_out(cli, provider, globally, no_browser)
        return
    local = None if globally else Light.of(cli).sign_out(provider)  # nothing to revoke: no facade, no SDK
    unconfigured = {p.provider for p in cli.auth.status().providers if not p.configured} if local is None else set()
    names = local if local is not None else cli.auth.sign_out(provider, globally=globally)
    where = " everywhere" if globally else ""
    text = f"Signed out of {', '.join(names)}{where}." if names else "Nobody was signed in."
    local_only = [name for name in names if name in unconfigured]
    cli.say(text, {"signed_out": list(names), "global": globally, "not_configured": local_only})
    if local_only:
        cli.note(
            f"Not configured: {', '.join(local_only)}. Their tokens were removed from this machine only; "
            "they could not be revoked."
        )


@click.command("status")
@pass_cli
def status(cli: Cli) -> None:
    """Who is signed in, token and credential expiry, identity ids. Never a secret."""
    stored = stored_session(cli.config, cli.profile, cli.o3de_project, os.environ)  # no facade: a quick answer
    s = status_of(*stored) if stored is not None else cli.auth.status()
    cli.say("\n".join(status_lines(s)), status_data(s))


def status_lines(s: Status) -> list[str]:
    """The status for a person. User names, identity ids and the pending step (a provider's user code and URI)
    came from servers: each is one inert line."""
    lines = [f"Profile: {s.profile}"]
    lines += [
        f"Signed in: {p.provider} as {server_text(p.username or '?')} ({tokens_until(p.expires_at)})"
        + ("" if p.configured else " - not configured: client-auth sign-out --provider " + p.provider)
        for p in s.providers
    ]
    if not s.providers:
        lines.append("Signed in: nobody (guest)")
    if s.pending:
        lines.append(f"Pending: {server_text(s.pending, 600)}")
    if s.authenticated_identity_id:
        lines.append(f"Identity: {server_text(s.authenticated_identity_id)}")
    if s.guest_identity_id:
        lines.append(f"Guest identity: {server_text(s.guest_identity_id)}")
    if s.credentials_expiration:
        kind = "authenticated" if s.credentials_authenticated else "guest"
        lines.append(f"Credentials: {kind}, until {when(s.credentials_expiration)}")
    if s.linked_logins:
        lines.append(f"Linked logins: {server_text(', '.join(s.linked_logins))}")
    return lines


COMMANDS = [sign_in, confirm_sign_in, refresh, sign_out, status]
