"""The command tree: global options, then one module per group of subcommands."""

from __future__ import annotations

import click

from aws_client_auth.entrypoints.cli import account, attributes, credentials, devices, mfa, session
from aws_client_auth.entrypoints.cli.app import Cli, Group, configure_logging
from aws_client_auth.entrypoints.cli.demo import demo
from aws_client_auth.entrypoints.cli.serve import serve
from aws_client_auth.entrypoints.environment import ENV_O3DE_PROJECT, ENV_PROFILE


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config", multiple=True, type=click.Path(dir_okay=False), help="A settings file (repeatable)."
)
@click.option("--profile", envvar=ENV_PROFILE, help="The session profile (several can be signed in at once).")
@click.option(
    "--o3de-project", envvar=ENV_O3DE_PROJECT, type=click.Path(file_okay=False), help="Read an O3DE project's settings."
)
@click.option("--json", "json_output", is_flag=True, help="Machine-readable output.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.option("--debug", is_flag=True, help="Log in detail and show tracebacks (secrets stay hidden).")
@click.version_option(package_name="aws-client-auth")
@click.pass_context
def cli(
    ctx: click.Context,
    config: tuple[str, ...],
    profile: str | None,
    o3de_project: str | None,
    json_output: bool,
    verbose: bool,
    debug: bool,
) -> None:
    """Sign in to AWS Cognito (user pools, Login with Amazon, Google) and get AWS credentials."""
    configure_logging(verbose, debug)
    ctx.obj = Cli(config=config, profile=profile, o3de_project=o3de_project, json_output=json_output, debug=debug)


for module in (account, session, mfa, credentials, devices, attributes):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(demo)
cli.add_command(serve)
