"""Account commands: sign-up, confirmation, password reset and change, deleting the account."""

from __future__ import annotations

import sys

import click

from aws_client_auth.domain.sign_in import CodeDelivery
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli, read_secret
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.output import delivery_text
from aws_client_auth.entrypoints.cli.prompting import metadata_option, metadata_pairs

password_stdin = click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")


def _sent(delivery: CodeDelivery | None) -> str:
    return f"A code was sent ({delivery_text(delivery)})." if delivery else "A code was sent."


def _delivery(delivery: CodeDelivery | None) -> dict[str, str] | None:
    return {"medium": delivery.medium, "destination": delivery.destination} if delivery else None


@click.command("sign-up")
@click.argument("username")
@click.option("--email", help="Sign up with this email address.")
@click.option("--phone", help="Sign up with this phone number, in E.164 form (+14155550100).")
@password_stdin
@pass_cli
def sign_up(cli: Cli, username: str, email: str | None, phone: str | None, password_stdin: bool) -> None:
    """Create a user in the Cognito user pool."""
    secret = read_secret("Password", password_stdin, confirm=True)
    result = cli.auth.sign_up(username, secret, email=email, phone=phone)
    cli.say(
        f"Signed up {username}. {_sent(result.delivery)} Confirm with: client-auth confirm-sign-up {username} <CODE>",
        {
            "username": username,
            "user_sub": result.user_sub,
            "confirmed": result.confirmed,
            "delivery": _delivery(result.delivery),
        },
    )


@click.command("confirm-sign-up")
@click.argument("username")
@click.argument("code")
@click.option(
    "--sign-in", "then_sign_in", is_flag=True, help="Then sign in at once, without the password (choice-based sign-in)."
)
@metadata_option
@pass_cli
def confirm_sign_up(cli: Cli, username: str, code: str, then_sign_in: bool, metadata: tuple[str, ...]) -> None:
    """Confirm a sign-up with the code that was sent."""
    from aws_client_auth.entrypoints.cli.session import report_step

    step = cli.auth.confirm_sign_up(username, code, sign_in=then_sign_in, client_metadata=metadata_pairs(metadata))
    if step is not None:
        report_step(cli, step)
        return
    if then_sign_in:
        cli.note("Cognito gave no session to sign in with (the app client does not allow choice-based sign-in).")
    cli.say(
        f"Confirmed {username}. Sign in with: client-auth sign-in {username}", {"username": username, "confirmed": True}
    )


@click.command("resend-code")
@click.argument("username")
@pass_cli
def resend_code(cli: Cli, username: str) -> None:
    """Send the sign-up confirmation code again."""
    delivery = cli.auth.resend_confirmation_code(username)
    cli.say(_sent(delivery), {"username": username, "delivery": _delivery(delivery)})


@click.command("forgot-password")
@click.argument("username")
@pass_cli
def forgot_password(cli: Cli, username: str) -> None:
    """Ask for a password-reset code."""
    delivery = cli.auth.forgot_password(username)
    cli.say(
        f"{_sent(delivery)} Set a new password with: client-auth confirm-forgot-password {username} <CODE>",
        {"username": username, "delivery": _delivery(delivery)},
    )


@click.command("confirm-forgot-password")
@click.argument("username")
@click.argument("code")
@password_stdin
@pass_cli
def confirm_forgot_password(cli: Cli, username: str, code: str, password_stdin: bool) -> None:
    """Set a new password with the reset code."""
    secret = read_secret("New password", password_stdin, confirm=True)
    cli.auth.confirm_forgot_password(username, code, secret)
    cli.say(f"Password reset for {username}.", {"username": username, "password_reset": True})


@click.command("change-password")
@password_stdin
@pass_cli
def change_password(cli: Cli, password_stdin: bool) -> None:
    """Change the signed-in user's password (stdin: the current one, then the new one, a line each)."""
    old = read_secret("Current password", password_stdin)
    new = read_secret("New password", password_stdin, confirm=True)
    cli.auth.change_password(old, new)
    cli.say("Password changed.", {"password_changed": True})


@click.command("delete-account")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts): the deletion cannot be undone.")
@pass_cli
def delete_account(cli: Cli, yes: bool) -> None:
    """Delete the signed-in user from the Cognito user pool, then this configuration's session.

    Asks for confirmation on a terminal; without one, --yes is required (exit 2 otherwise).
    """
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("Deleting the account cannot be undone: confirm with --yes (no terminal to ask on).")
        status = cli.auth.status()
        who = next((p.username for p in status.providers if p.provider == "cognito" and p.username), None)
        name = f" {server_text(who)}" if who else ""
        click.confirm(f"Delete the account{name} from the user pool? This cannot be undone", abort=True, err=True)
    username = cli.auth.delete_account()
    name = f" {server_text(username)}" if username else ""
    cli.say(
        f"Deleted the account{name}; this configuration's session is gone.", {"deleted": True, "username": username}
    )


COMMANDS = [
    sign_up,
    confirm_sign_up,
    resend_code,
    forgot_password,
    confirm_forgot_password,
    change_password,
    delete_account,
]
