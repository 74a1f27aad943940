"""MFA commands."""

from __future__ import annotations

import click

from aws_client_auth.domain.user import MfaType
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.output import describe_mfa_setup, mfa_setup_data, setup_secrets


@click.command("enable-mfa")
@click.option("--sms", "kind", flag_value="sms", help="Codes by SMS to the user's phone number.")
@click.option("--totp", "kind", flag_value="totp", help="Codes from an authenticator app.")
@pass_cli
def enable_mfa(cli: Cli, kind: str | None) -> None:
    """Turn on MFA for the signed-in user."""
    if kind is None:
        raise click.UsageError("Choose --sms or --totp.")
    setup = cli.auth.enable_mfa(MfaType.parse(kind))
    if setup is None:
        cli.say("SMS MFA is on: sign-ins now ask for a code sent by SMS.", {"mfa": "sms", "enabled": True})
        return
    shown = setup_secrets(setup)  # the user must copy the secret: the one secret this command prints
    if cli.json_output:
        cli.say("", {"mfa": "totp", "enabled": False, **mfa_setup_data(setup)}, revealed=shown)
        return
    lines = ["Add this secret to your authenticator app:", *describe_mfa_setup(setup)]
    cli.show("\n".join([*lines, "Then confirm with: client-auth verify-mfa <CODE>"]), revealed=shown)


@click.command("verify-mfa")
@click.argument("code")
@pass_cli
def verify_mfa(cli: Cli, code: str) -> None:
    """Finish TOTP set-up with a code from the authenticator app."""
    cli.auth.verify_mfa(code)
    cli.say(
        "TOTP MFA is on: sign-ins now ask for a code from your authenticator app.", {"mfa": "totp", "enabled": True}
    )


@click.command("disable-mfa")
@pass_cli
def disable_mfa(cli: Cli) -> None:
    """Turn MFA off for the signed-in user."""
    cli.auth.disable_mfa()
    cli.say("MFA is off.", {"mfa": None, "enabled": False})


COMMANDS = [enable_mfa, verify_mfa, disable_mfa]
