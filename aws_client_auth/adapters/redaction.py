"""Scrubbing of token-like strings from text a remote service sent back.

Services sometimes echo what they were sent (moto puts the session or SECRET_HASH in its messages), so any
long run of token characters in a service's message is replaced before it reaches an error or a log.
"""

from __future__ import annotations

import re

_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/=_\-.~]{24,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _TOKEN_LIKE.sub(REDACTED, text)
