"""The user's attributes: ``attributes``, ``attributes set|send-code|verify|delete`` (issue 14)."""

from __future__ import annotations

import click

from aws_client_auth.entrypoints.cli.app import Cli, pass_cli
from aws_client_auth.entrypoints.cli.display import server_text
from aws_client_auth.entrypoints.cli.output import delivery_text
from aws_client_auth.entrypoints.shapes import attribute_delivery_data


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.UsageError(f"Give attributes as NAME=VALUE, not {server_text(value, 80)!r}.")
        pairs[name.strip()] = text
    return pairs


@click.group("attributes", invoke_without_command=True)
@pass_cli
@click.pass_context
def attributes(ctx: click.Context, cli: Cli) -> None:
    """List your attributes (standard and custom:); subcommands set, verify and delete them."""
    if ctx.invoked_subcommand is not None:
        return
    values = dict(sorted(cli.auth.attributes().items()))
    lines = [f"{server_text(name, 80)}: {server_text(value)}" for name, value in values.items()]
    cli.say("\n".join(lines) if lines else "No attributes.", {"attributes": values})


@attributes.command("set")
@click.argument("values", nargs=-1, required=True, metavar="NAME=VALUE...")
@pass_cli
def set_attributes(cli: Cli, values: tuple[str, ...]) -> None:
    """Set attributes; a changed email or phone number gets a code: verify it with 'attributes verify'."""
    pairs = _pairs(values)
    deliveries = cli.auth.update_attributes(pairs)
    lines = [f"Updated {', '.join(server_text(name, 80) for name in pairs)}."]
    for delivery in deliveries:
        what = server_text(delivery.attribute or "the attribute", 80)
        lines.append(
            f"A code for {what} was sent ({delivery_text(delivery)}): client-auth attributes verify {what} <CODE>"
        )
    cli.say("\n".join(lines), {"updated": list(pairs), "deliveries": [attribute_delivery_data(d) for d in deliveries]})


@attributes.command("send-code")
@click.argument("name")
@pass_cli
def send_code(cli: Cli, name: str) -> None:
    """Send a verification code for an attribute (email, phone_number) again."""
    delivery = cli.auth.send_attribute_code(name)
    where = f" ({delivery_text(delivery)})" if delivery else ""
    cli.say(
        f"A code was sent{where}: client-auth attributes verify {server_text(name, 80)} <CODE>",
        {"attribute": name, "delivery": attribute_delivery_data(delivery) if delivery else None},
    )


@attributes.command("verify")
@click.argument("name")
@click.argument("code")
@pass_cli
def verify(cli: Cli, name: str, code: str) -> None:
    """Verify an attribute with the code sent to it."""
    cli.auth.verify_attribute(name, code)
    cli.say(f"Verified {server_text(name, 80)}.", {"attribute": name, "verified": True})


@attributes.command("delete")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@pass_cli
def delete(cli: Cli, names: tuple[str, ...]) -> None:
    """Delete attributes."""
    deleted = cli.auth.delete_attributes(*names)
    cli.say(f"Deleted {', '.join(server_text(name, 80) for name in deleted)}.", {"deleted": list(deleted)})


COMMANDS = [attributes]
