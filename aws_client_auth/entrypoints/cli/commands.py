"""The command tree: global options, then one module per group of subcommands, each imported only when one of
its commands runs (or its help is asked for): ``--help`` and ``status`` do not load every command's module, and
the domain model those pull in, before click has read the line."""

from __future__ import annotations

import importlib

import click

from aws_client_auth.entrypoints.cli.app import Cli, Group, configure_logging

ENV_HOME = "CLIENT_AUTH_HOME"  # entrypoints.environment's names (a test holds them equal), without its imports
ENV_PROFILE = "CLIENT_AUTH_PROFILE"
ENV_O3DE_PROJECT = "CLIENT_AUTH_O3DE_PROJECT"
_PACKAGE = "aws_client_auth.entrypoints.cli"

COMMANDS: dict[str, tuple[str, str, str]] = {
    # name: (module of this package, attribute, the first paragraph of its help, whose short form --help lists;
    # tests/e2e/test_lazy_commands.py holds each one to the command's own)
    "attributes": (
        "attributes",
        "attributes",
        "List your attributes (standard and custom:); subcommands set, verify and delete them.",
    ),
    "auth-factors": (
        "passkeys",
        "auth_factors",
        "The first factors you can sign in with (password, email-otp, sms-otp, passkey).",
    ),
    "change-password": (
        "account",
        "change_password",
        "Change the signed-in user's password (stdin: the current one, then the new one, a line each).",
    ),
    "confirm-forgot-password": ("account", "confirm_forgot_password", "Set a new password with the reset code."),
    "confirm-sign-in": (
        "session",
        "confirm_sign_in",
        "Answer the pending challenge, or check once whether a device code was approved.",
    ),
    "confirm-sign-up": ("account", "confirm_sign_up", "Confirm a sign-up with the code that was sent."),
    "credentials": (
        "credentials",
        "credentials",
        "Print AWS credentials: authenticated while signed in, else guest. This command shows secrets.",
    ),
    "delete-account": (
        "account",
        "delete_account",
        "Delete the signed-in user from the Cognito user pool, then this configuration's session.",
    ),
    "demo": (
        "demo",
        "demo",
        (
            "Run sign-up, SRP sign-in, TOTP MFA, AWS credentials, refresh and sign-out against a local "
            "emulator (with --json: one JSON object per step)."
        ),
    ),
    "devices": (
        "devices",
        "devices",
        ("List the devices the user pool tracks for you (this machine marked); 'devices forget' forgets one."),
    ),
    "disable-mfa": ("mfa", "disable_mfa", "Turn off one MFA method (MFA_TYPE), or every one."),
    "enable-mfa": (
        "mfa",
        "enable_mfa",
        ("Turn on an MFA method for the signed-in user: sms, totp or email (MFA_TYPE, or --sms, --totp, --email)."),
    ),
    "forgot-password": ("account", "forgot_password", "Ask for a password-reset code."),
    "link-identities": ("credentials", "link_identities", "Link every signed-in provider into one identity."),
    "mfa-preference": (
        "mfa",
        "mfa_preference",
        "Show the MFA methods on and the preferred one; with MFA_TYPE, prefer that one (it must be on).",
    ),
    "passkeys": (
        "passkeys",
        "passkeys",
        "The signed-in user's passkeys (Cognito): list them (the default), register one, delete one.",
    ),
    "refresh": ("session", "refresh", "Refresh a provider's tokens now."),
    "resend-code": ("account", "resend_code", "Send the sign-up confirmation code again."),
    "reset": ("credentials", "reset", "Forget everything this profile holds (tokens, identities, credentials)."),
    "serve": (
        "serve",
        "serve",
        "Serve the library to an editor in any language: JSON-RPC 2.0 over standard input and output.",
    ),
    "sign-in": (
        "session",
        "sign_in",
        (
            "Sign in with a password (Cognito), a chosen first factor (--factor: email-otp, sms-otp, "
            "passkey), custom challenges (--custom), in a web browser (--browser), or through the device "
            "flow (lwa, google, custom)."
        ),
    ),
    "sign-out": ("session", "sign_out", "Sign out and forget the tokens (and the identity, once no provider is left)."),
    "sign-up": ("account", "sign_up", "Create a user in the Cognito user pool."),
    "status": ("session", "status", "Who is signed in, token and credential expiry, identity ids. Never a secret."),
    "token": (
        "token",
        "token",
        (
            "Print a fresh token (refreshed first if needed): the signed-in user's, or with "
            "--client-credentials the machine's own. This command shows a secret."
        ),
    ),
    "verify-mfa": ("mfa", "verify_mfa", "Finish TOTP set-up with a code from the authenticator app."),
}


class LazyGroup(Group):
    """The global group: a command's module is imported when that command is looked up, not before. The
    top-level help lists every command from :data:`COMMANDS` without importing them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{_PACKAGE}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return command

    def listed(self, cmd_name: str) -> click.Command | None:
        """The command if it is loaded; else a stand-in holding its help's first paragraph, which shortens to the
        same line (``get_short_help_str``)."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in COMMANDS:
            return click.Command(cmd_name, help=COMMANDS[cmd_name][2])
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, from :meth:`listed`."""
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.listed(name)) is not None and not command.hidden
        ]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
            with formatter.section("Commands"):
                formatter.write_dl(rows)


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
    from aws_client_auth.entrypoints.cli.fast import plain_profile

    if plain_profile(value):
        return value  # what the store's check returns for it, without importing the settings model
    from aws_client_auth.domain.errors import ClientAuthError
    from aws_client_auth.entrypoints.environment import check_profile_name

    try:
        return check_profile_name(value)
    except ClientAuthError as error:
        raise click.BadParameter(str(error), ctx, param) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
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
