"""``client-auth``: the command-line entrypoint."""

from __future__ import annotations

import sys

from aws_client_auth.entrypoints.cli.fast import try_fast_path


def main() -> None:
    if try_fast_path():
        sys.exit(0)
    from aws_client_auth.entrypoints.cli.commands import cli

    cli(prog_name="client-auth")


if __name__ == "__main__":  # pragma: no cover
    main()
