"""Remembered devices: ``sign-in --remember-device``, ``devices`` and ``devices forget`` (issue 14)."""

from __future__ import annotations

from typing import Any

import click

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.sign_in import SignedIn, SignInStep
from aws_client_auth.domain.user import TrackedDevice
from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.output import when
from aws_client_auth.entrypoints.shapes import tracked_device_data

_REMEMBER = "remember_device"


def _ask_to_remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_REMEMBER] = True
    return value


remember_device_option = click.option(
    "--remember-device",
    is_flag=True,
    expose_value=False,
    callback=_ask_to_remember,
    help="Once signed in, remember this machine (pools where users opt in): later sign-ins may skip MFA.",
)
"""For the commands that may end a sign-in (sign-in, confirm-sign-in); :func:`remember_if_asked` acts on it."""


def remember_if_asked(cli: Cli, step: SignInStep) -> tuple[str, dict[str, Any]]:
    """Remember this machine when the command was given --remember-device and the step signed in: a sentence for
    the sign-in's message and the fields for its --json object (nothing when not asked). A refusal does not undo
    the sign-in: it is said on stderr, and the JSON says ``"device_remembered": false``."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.meta.get(_REMEMBER) or not isinstance(step, SignedIn):
        return "", {}
    try:
        device = cli.auth.remember_device()
    except ClientAuthError as error:
        click.echo(f"warning: this machine was not remembered: {server_text(error, 600)}", err=True)
        return "", {"device_remembered": False}
    return " This machine is remembered.", {"device_remembered": True, "device_key": device.key}


def _device_line(device: TrackedDevice) -> str:
    name = server_text(device.name or "(no name)", 100)
    parts = [f"{server_text(device.key, 100)}  {name}"]
    if device.remembered is not None:
        parts.append("remembered" if device.remembered else "not remembered")
    if device.last_authenticated_at:
        parts.append(f"last sign-in {when(device.last_authenticated_at)}")
    if device.last_ip:
        parts.append(f"from {server_text(device.last_ip, 60)}")
    line = ", ".join(parts)
    return f"{line}  (this machine)" if device.this_device else line


@click.group("devices", invoke_without_command=True)
@pass_cli
@click.pass_context
def devices(ctx: click.Context, cli: Cli) -> None:
    """List the devices the user pool tracks for you (this machine marked); 'devices forget' forgets one."""
    if ctx.invoked_subcommand is not None:
        return
    listed = cli.auth.devices()
    text = "\n".join(_device_line(device) for device in listed) if listed else "No tracked devices."
    cli.say(text, {"devices": [tracked_device_data(device) for device in listed]})


@devices.command("forget")
@click.argument("device_key", required=False)
@pass_cli
def forget(cli: Cli, device_key: str | None) -> None:
    """Forget a device (this machine when no DEVICE_KEY is given): its next sign-in asks for MFA again."""
    key = cli.auth.forget_device(device_key)
    this = device_key is None
    where = "this machine" if this else server_text(key, 100)
    cli.say(f"Forgot {where}.", {"forgotten": key, "this_device": this})


COMMANDS = [devices]
