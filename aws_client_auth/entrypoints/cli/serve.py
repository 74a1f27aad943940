"""``client-auth serve --stdio``: the JSON-RPC server (docs/json-rpc.md), with the global options as defaults."""

from __future__ import annotations

import click

from aws_client_auth.entrypoints.cli.app import Cli, pass_cli


@click.command("serve")
@click.option(
    "--stdio", is_flag=True, required=True, help="JSON-RPC 2.0 on standard input and output (the only transport)."
)
@pass_cli
def serve(cli: Cli, stdio: bool) -> None:
    """Serve the library to an editor in any language: JSON-RPC 2.0 over standard input and output.

    --config, --profile and --o3de-project apply until the client's initialize names others. Logs go to
    standard error (-v, --debug); standard output carries only the protocol.
    """
    from aws_client_auth.entrypoints.rpc.server import Options, serve_stdio  # the facade: not for other commands

    serve_stdio(Options(cli.config, cli.profile, cli.o3de_project))
