"""``python -m aws_client_auth.entrypoints.rpc``: the server without the CLI around it (``client-auth serve
--stdio`` is the same server, with the CLI's global options)."""

from __future__ import annotations

import argparse
import logging

from aws_client_auth.entrypoints.rpc.logs import log_to_stderr
from aws_client_auth.entrypoints.rpc.server import Options, serve_stdio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m aws_client_auth.entrypoints.rpc", description=__doc__)
    parser.add_argument("--config", action="append", default=[], help="A settings file (repeatable).")
    parser.add_argument("--profile", help="The session profile.")
    parser.add_argument("--o3de-project", help="Read an O3DE project's settings.")
    parser.add_argument("-v", "--verbose", action="store_true", help="Log what happens (on standard error).")
    args = parser.parse_args(argv)
    log_to_stderr(logging.INFO if args.verbose else logging.WARNING)
    serve_stdio(Options(tuple(args.config), args.profile, args.o3de_project))


if __name__ == "__main__":
    main()
