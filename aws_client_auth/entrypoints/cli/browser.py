"""``sign-in --browser`` and ``sign-out --browser``: Cognito's managed login in a web browser (issue 16)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from aws_client_auth.domain.sign_in import SignedIn
from aws_client_auth.entrypoints.cli.app import Cli

BROWSER_TIMEOUT = 300.0
"""Seconds to wait for the browser by default: long enough to type a password and an MFA code."""


def browser_url_shown(cli: Cli, pasting: bool) -> Callable[[str, bool], None]:
    """How the sign-in (or sign-out) address is put to the person: on stderr, whole. Nothing in it is a secret
    (the PKCE verifier never is in it), and it must survive the masking of secrets by value: a short password
    or code this process holds could otherwise mask a part of it (``response_type=code``) and break it."""

    def show(url: str, opened: bool) -> None:
        if pasting:
            text = (
                f"Open this address in a browser on any computer:\n  {url}\nWhen it is done, the browser ends on an "
                "address it cannot open: paste that whole address here (or only its code)."
            )
        elif opened:
            text = f"Your browser was opened. If it did not open, visit:\n  {url}"
        else:
            text = f"Open this address in a browser on this computer:\n  {url}"
        cli.show(text, err=True, revealed=[url])

    return show


def read_pasted() -> str:
    """``--no-browser``: the address (or code) the user pastes, from a prompt or standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("Address (or code)", prompt_suffix=": "))
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError("--no-browser: nothing on standard input; paste the address the browser ended on.")
    return line


def refuse_with_browser(**given: object) -> None:
    """A USERNAME, a provider other than cognito, --password-stdin or --no-wait with --browser: a usage error."""
    wrong = [name for name, value in given.items() if value]
    if wrong:
        raise click.UsageError(
            f"--browser signs in to the user pool (cognito) in the browser, where the name and password are typed: "
            f"leave out {', '.join(wrong)}."
        )


def browser_sign_in(cli: Cli, identity_provider: str | None, no_browser: bool, timeout: float | None) -> SignedIn:
    """``sign-in --browser [--identity-provider NAME] [--no-browser] [--timeout S]``."""
    return cli.auth.sign_in_with_browser(
        identity_provider=identity_provider,
        paste=read_pasted if no_browser else None,
        show_url=browser_url_shown(cli, no_browser),
        timeout=BROWSER_TIMEOUT if timeout is None else timeout,
    )


def browser_sign_out(cli: Cli, provider: str | None, globally: bool, no_browser: bool) -> None:
    """``sign-out --browser [--no-browser]`` (with --provider, --all and --global as without --browser)."""
    names = cli.auth.sign_out_of_browser(
        provider, globally=globally, open_browser=not no_browser, show_url=browser_url_shown(cli, False)
    )
    where = " everywhere" if globally else ""
    text = f"Signed out of {', '.join(names)}{where}." if names else "Nobody was signed in here."
    ended = (
        "Open the address above in that browser to end its managed-login session."
        if no_browser
        else "The browser's managed-login session is ended."
    )
    cli.say(f"{text} {ended}", {"signed_out": list(names), "global": globally})
