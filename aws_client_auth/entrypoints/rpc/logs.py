"""Logging for the server: on standard error only (standard output is the protocol's), each line redacted (secrets
by value, token-like runs by pattern) and inert, as the CLI logs."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Final

from aws_client_auth.adapters.redaction import masked, redact
from aws_client_auth.domain.text import clean

LINE_LIMIT: Final = 4000


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.msg, record.args = clean(masked(record), LINE_LIMIT), None
        return super().format(record)

    def formatException(  # noqa: N802 - logging's name
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        """The traceback as Python prints it, each line redacted: frames and messages quote what was sent."""
        return "\n".join(clean(redact(line), LINE_LIMIT) for line in super().formatException(ei).splitlines())


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Our own loggers only: botocore's debug output would print request bodies, passwords included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("aws_client_auth")
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False
