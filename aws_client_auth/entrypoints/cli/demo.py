"""``client-auth demo``: the whole mission on a local emulator, with no AWS account and no configuration."""

from __future__ import annotations

import click

from aws_client_auth.entrypoints.cli.app import Cli, pass_cli


@click.command("demo")
@click.option("--keep-running", is_flag=True, help="Start the emulator, print its configuration and wait for Ctrl-C.")
@pass_cli
def demo(cli: Cli, keep_running: bool) -> None:
    """Run sign-up, SRP sign-in, TOTP MFA, AWS credentials, refresh and sign-out against a local emulator (with
    --json: one JSON object per step)."""
    try:
        import moto  # noqa: F401
    except ImportError:
        raise click.ClickException("The demo needs the local emulator: pip install 'aws-client-auth[local]'.") from None
    from aws_client_auth.entrypoints.demo import run_demo

    run_demo(click.echo, keep_running=keep_running, json_output=cli.json_output)
