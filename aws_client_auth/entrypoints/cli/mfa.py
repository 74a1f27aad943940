"""MFA commands: turn a method on or off, verify TOTP, show or set the preferred method."""

from __future__ import annotations

from typing import Any

import click

from aws_client_auth.domain.user import MfaPreferences, MfaType
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.output import describe_mfa_setup, mfa_setup_data, setup_secrets

MFA_TYPE = click.Choice([kind.value for kind in MfaType], case_sensitive=False)
_NAMES = {MfaType.SMS: "SMS", MfaType.TOTP: "TOTP", MfaType.EMAIL: "Email"}
_ON = {
    MfaType.SMS: "SMS MFA is on: sign-ins now ask for a code sent by SMS.",
    MfaType.EMAIL: "Email MFA is on: sign-ins now ask for a code sent by email.",
}


def preferences_text(preferences: MfaPreferences) -> str:
    enabled = ", ".join(sorted(kind.value for kind in preferences.enabled)) or "none"
    preferred = preferences.preferred.value if preferences.preferred else "none"
    return f"MFA methods on: {enabled}. Preferred: {preferred}."


def preferences_data(preferences: MfaPreferences) -> dict[str, Any]:
    return {
        "enabled": sorted(kind.value for kind in preferences.enabled),
        "preferred": preferences.preferred.value if preferences.preferred else None,
    }


@click.command("enable-mfa")
@click.argument("mfa_type", required=False, type=MFA_TYPE)
@click.option("--sms", "kind", flag_value="sms", help="Codes by SMS to the user's phone number.")
@click.option("--totp", "kind", flag_value="totp", help="Codes from an authenticator app.")
@click.option("--email", "kind", flag_value="email", help="Codes by email (the pool needs its email configuration).")
@pass_cli
def enable_mfa(cli: Cli, mfa_type: str | None, kind: str | None) -> None:
    """Turn on an MFA method for the signed-in user: sms, totp or email (MFA_TYPE, or --sms, --totp, --email)."""
    if mfa_type and kind and mfa_type.lower() != kind:
        raise click.UsageError("Give the MFA type once: as an argument or as an option.")
    chosen = mfa_type or kind
    if chosen is None:
        raise click.UsageError("Choose the MFA type: client-auth enable-mfa sms|totp|email.")
    method = MfaType.parse(chosen)
    setup = cli.auth.enable_mfa(method)
    if setup is None:
        cli.say(_ON[method], {"mfa": method.value, "enabled": True})
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
@click.argument("mfa_type", required=False, type=MFA_TYPE)
@pass_cli
def disable_mfa(cli: Cli, mfa_type: str | None) -> None:
    """Turn off one MFA method (MFA_TYPE), or every one."""
    left = cli.auth.disable_mfa(mfa_type)
    what = f"{_NAMES[MfaType.parse(mfa_type)]} MFA is off." if mfa_type else "MFA is off."
    text = what if not left.enabled else f"{what} {preferences_text(left)}"
    cli.say(text, {"mfa": mfa_type.lower() if mfa_type else None, "enabled": False, **_left(left)})


def _left(preferences: MfaPreferences) -> dict[str, Any]:
    data = preferences_data(preferences)
    return {"remaining": data["enabled"], "preferred": data["preferred"]}


@click.command("mfa-preference")
@click.argument("mfa_type", required=False, type=MFA_TYPE)
@pass_cli
def mfa_preference(cli: Cli, mfa_type: str | None) -> None:
    """Show the MFA methods on and the preferred one; with MFA_TYPE, prefer that one (it must be on)."""
    preferences = cli.auth.set_mfa_preference(mfa_type) if mfa_type else cli.auth.mfa_preference()
    cli.say(preferences_text(preferences), preferences_data(preferences))


COMMANDS = [enable_mfa, verify_mfa, disable_mfa, mfa_preference]
