"""The command tree: global options, then one module per group of subcommands."""

from __future__ import annotations

import click

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.entrypoints.cli import account, attributes, credentials, devices, mfa, passkeys, session
from aws_client_auth.entrypoints.cli.app import Cli, Group, configure_logging
from aws_client_auth.entrypoints.cli.demo import demo
from aws_client_auth.entrypoints.cli.serve import serve
from aws_client_auth.entrypoints.cli.token import token
from aws_client_auth.entrypoints.environment import (
    ENV_HOME,
    ENV_O3DE_PROJECT,
    ENV_PROFILE,
    check_profile_name,
)

EPILOG = f"""Global options may come anywhere on the line: client-auth status --json.

\b
Environment variables:
  CLIENT_AUTH_CONFIG        settings files, as --config (os.pathsep-separated)
  {ENV_PROFILE:<25} the session profile, as --profile
  {ENV_HOME:<25} where sessions are kept (default: the user data folder)
  {ENV_O3DE_PROJECT:<25} an O3DE project whose settings to read, as --o3de-project
  AWS_REGION                the region, when the settings name none
  AWS_ENDPOINT_URL          a local endpoint (an emulator) for the AWS APIs

\b
Exit codes:
  0    done
  1    failed (one line on stderr starting with "error:"; a JSON object with --json)
  2    usage error (an unknown option, a bad --profile name, no terminal to ask on)
  3    waiting for you: answer with confirm-sign-in (a challenge, a device code still pending)
  130  interrupted (Ctrl-C)

\b
Examples:
  client-auth sign-in alice                   # asks for the password and any code on the terminal
  client-auth status --json
  curl -H "Authorization: Bearer $(client-auth token)" https://api.example.com/
"""


def _profile(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A profile name becomes a file name: one the store would refuse is a usage error (exit 2), up front."""
    if value is None:
        return None
    try:
        return check_profile_name(value)
    except ClientAuthError as error:
        raise click.BadParameter(str(error), ctx, param) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.option(
    "--config", "config", multiple=True, type=click.Path(dir_okay=False), help="A settings file (repeatable)."
)
@click.option(
    "--profile", envvar=ENV_PROFILE, callback=_profile, help="The session profile (several can be signed in at once)."
)
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


for module in (account, session, mfa, credentials, devices, attributes, passkeys):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(token)
