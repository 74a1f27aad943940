"""Passkeys and sign-in factors: ``passkeys register|list|delete`` and ``auth-factors`` (issue 15)."""

from __future__ import annotations

import click

from aws_client_auth.domain.sign_in import Passkey
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.output import when
from aws_client_auth.entrypoints.shapes import passkey_data


@click.group("passkeys", invoke_without_command=True)
@click.pass_context
def passkeys(ctx: click.Context) -> None:
    """The signed-in user's passkeys (Cognito): list them (the default), register one, delete one."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_passkeys)


@passkeys.command("register")
@pass_cli
def register_passkey(cli: Cli) -> None:
    """Make a passkey with your security key (or the configured authenticator) and register it with the pool."""
    credential_id = cli.auth.register_passkey()
    cli.say(
        f"Registered passkey {server_text(credential_id, 200)}. Sign in with: client-auth sign-in USERNAME "
        "--factor passkey",
        {"registered": True, "credential_id": credential_id},
    )


@passkeys.command("list")
@pass_cli
def list_passkeys(cli: Cli) -> None:
    """The passkeys registered for you (credential ids, names, relying party, when made)."""
    found = cli.auth.passkeys()
    text = "\n".join(_line(passkey) for passkey in found) if found else "No passkeys."
    cli.say(text, {"passkeys": [passkey_data(passkey) for passkey in found]})


@passkeys.command("delete")
@click.argument("credential_id")
@pass_cli
def delete_passkey(cli: Cli, credential_id: str) -> None:
    """Delete one of your passkeys (its id from passkeys list)."""
    cli.auth.delete_passkey(credential_id)
    cli.say(f"Deleted passkey {server_text(credential_id, 200)}.", {"deleted": credential_id})


@click.command("auth-factors")
@pass_cli
def auth_factors(cli: Cli) -> None:
    """The first factors you can sign in with (password, email-otp, sms-otp, passkey)."""
    factors = cli.auth.auth_factors()
    text = "Sign-in factors: " + (", ".join(f.value for f in factors) or "none")
    cli.say(text, {"factors": [f.value for f in factors]})


def _line(passkey: Passkey) -> str:
    made = f", made {when(passkey.created_at)}" if passkey.created_at else ""
    name = f" {server_text(passkey.name, 100)}" if passkey.name else ""
    return f"{server_text(passkey.credential_id, 200)}{name} ({server_text(passkey.relying_party, 200)}{made})"


COMMANDS = [passkeys, auth_factors]
