"""AWS credentials for the shell, the AWS CLI (credential_process) and other SDKs."""

from __future__ import annotations

import json

import click

from aws_client_auth.adapters.aws_sdk import credential_process_json
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.fast import Light
from aws_client_auth.entrypoints.cli.output import credentials_data, credentials_env, when


@click.command("credentials")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "env", "process"]),
    default="json",
    show_default=True,
    help="json: all fields; env: export lines for a shell; process: the AWS credential_process answer.",
)
@click.option("--refresh", is_flag=True, help="Fetch new credentials even if the cached ones are fresh.")
@pass_cli
def credentials(cli: Cli, output: str, refresh: bool) -> None:
    """Print AWS credentials: authenticated while signed in, else guest. This command shows secrets."""
    cached = None if refresh else Light.of(cli).credentials()  # fresh in the store: no facade, no SDK
    creds = cached if cached is not None else cli.auth.get_credentials(force_refresh=refresh)
    if output == "process":
        # For the AWS CLI and SDKs, which read stdout and drop stderr: no note, as the quick path writes none.
        click.echo(json.dumps(credential_process_json(creds)))
        return
    if output == "env":
        click.echo(credentials_env(creds))
    else:
        click.echo(json.dumps(credentials_data(creds)))
    kind = "authenticated" if creds.authenticated else "guest"
    cli.note(f"{kind} credentials for {server_text(creds.identity_id)}, until {when(creds.expiration)}")


@click.command("link-identities")
@pass_cli
def link_identities(cli: Cli) -> None:
    """Link every signed-in provider into one identity."""
    identity = cli.auth.link_identities()
    cli.say(
        f"Linked into {server_text(identity.identity_id)}: {server_text(', '.join(sorted(identity.logins)))}",
        {"identity_id": identity.identity_id, "logins": sorted(identity.logins)},
    )


@click.command("reset")
@pass_cli
def reset(cli: Cli) -> None:
    """Forget everything this profile holds (tokens, identities, credentials)."""
    cli.auth.reset()
    cli.say("Profile reset.", {"reset": True})


COMMANDS = [credentials, link_identities, reset]
