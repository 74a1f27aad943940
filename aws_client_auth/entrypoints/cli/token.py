"""``token``: print a token for an ``Authorization`` header (this command exists to show a secret), as
``gh auth token`` does: ``curl -H "Authorization: Bearer $(client-auth token)" ...``."""

from __future__ import annotations

from datetime import datetime

import click

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, MachineToken
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.fast import Light
from aws_client_auth.entrypoints.cli.output import when


def machine_token_data(token: MachineToken) -> dict[str, object]:
    """``token --client-credentials --json`` (the JSON-RPC method ``machine_token`` answers the same)."""
    return {
        "access_token": token.access_token.reveal(),
        "token_type": token.token_type,
        "expires_at": when(token.expires_at),
        "scopes": sorted(token.scopes),
    }


def _printed(secret: Secret) -> None:
    """The token alone on stdout, for a shell's ``$(...)``: a JWT is printable ASCII, anything else is refused."""
    value = secret.reveal()
    if not value.isascii() or not value.isprintable():
        raise click.ClickException("The token is not printable text, so it is not printed.")
    click.echo(value)


@click.command("token")
@click.option("--provider", help="Whose token (default: cognito, the user pool).")
@click.option("--type", "kind", type=click.Choice(["access", "id"]), help="The access token (default) or the ID token.")
@click.option("--client-credentials", is_flag=True, help="A machine-to-machine token ([machine] settings), no user.")
@click.option(
    "--scope", "scopes", multiple=True, help="--client-credentials: a scope (repeatable); default: [machine] scopes."
)
@click.option("--refresh", is_flag=True, help="Refresh (or fetch anew) even if the token is fresh.")
@pass_cli
def token(
    cli: Cli, provider: str | None, kind: str | None, client_credentials: bool, scopes: tuple[str, ...], refresh: bool
) -> None:
    """Print a fresh token (refreshed first if needed): the signed-in user's, or with --client-credentials the
    machine's own. This command shows a secret."""
    if client_credentials:
        if provider or kind:
            raise click.UsageError(
                "--client-credentials gets the machine's own token: leave out --provider and --type."
            )
        machine = cli.auth.machine_token(scopes or None, force_refresh=refresh)
        if cli.json_output:
            cli.say("", machine_token_data(machine), revealed=[machine.access_token])
        else:
            _printed(machine.access_token)
        scopes_text = " ".join(sorted(machine.scopes)) or "the scopes the client is allowed"
        cli.note(f"{machine.token_type} token for {scopes_text}, until {when(machine.expires_at)}.")
        return
    if scopes:
        raise click.UsageError("--scope goes with --client-credentials (a user's token has the scopes it was given).")
    name, which = provider or COGNITO, kind or "access"
    kept = None if refresh else Light.of(cli).tokens(name)  # fresh in the store: no facade, no SDK
    chosen = None if kept is None else kept.id_token if which == "id" else kept.access_token
    expires_at: datetime | None
    if kept is not None and chosen is not None:
        value, expires_at = chosen, kept.expires_at
    else:
        if refresh:
            cli.auth.refresh_tokens(name)
        value = cli.auth.bearer_token(which, provider=name)
        expires_at = cli.auth.get_tokens(name).expires_at if cli.json_output else None  # fresh: read, not refreshed
    if cli.json_output:
        data = {"provider": name, "type": which, "token": value.reveal(), "expires_at": when(expires_at)}
        cli.say("", data, revealed=[value])
    else:
        _printed(value)
