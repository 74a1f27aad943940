"""Scrubbing of secrets from text a remote service sent back.

Services sometimes echo what they were sent (moto puts the session or SECRET_HASH in its messages): every
secret value this process holds is masked (by value, :func:`aws_client_auth.domain.secret.scrub`), and any
long run of token characters is replaced too, before the text reaches an error or a log.
"""

from __future__ import annotations

import logging
import re

from aws_client_auth.domain.secret import scrub
from aws_client_auth.domain.text import SHOWN_ON_PURPOSE

_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/=_\-.~]{24,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _TOKEN_LIKE.sub(REDACTED, scrub(text))


def masked(record: logging.LogRecord) -> str:
    """A log record's message for a handler: redacted, or, for a message shown on purpose (``SHOWN_ON_PURPOSE``),
    with known secrets masked by value only."""
    message = record.getMessage()
    return scrub(message) if getattr(record, SHOWN_ON_PURPOSE, False) else redact(message)
