"""Logging for the server: on standard error only (standard output is the protocol's), redacted and one line a
message, as the CLI logs."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.text import clean
from aws_client_auth.entrypoints.cli.display import LINE_LIMIT, redacted_traceback


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.msg, record.args = clean(redact(record.getMessage()), LINE_LIMIT), None
        return super().format(record)

    def formatException(  # noqa: N802 - logging's name
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        return redacted_traceback(ei[1]) if ei[1] is not None else ""


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Our own loggers only: botocore's debug output would print request bodies, passwords included."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("aws_client_auth")
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False
