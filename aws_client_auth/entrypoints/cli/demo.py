"""``client-auth demo``: the whole mission on a local emulator, with no AWS account and no configuration."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--keep-running", is_flag=True, help="Start the emulator, print its configuration and wait for Ctrl-C.")
def demo(keep_running: bool) -> None:
    """Run sign-up, SRP sign-in, TOTP MFA, AWS credentials, refresh and sign-out against a local emulator."""
    try:
        import moto  # noqa: F401
    except ImportError:
        raise click.ClickException("The demo needs the local emulator: pip install 'aws-client-auth[local]'.") from None
    from aws_client_auth.entrypoints.demo import run_demo

    run_demo(click.echo, keep_running=keep_running)
