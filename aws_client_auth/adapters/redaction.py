"""Scrubbing of secrets from text a remote service sent back.

Services sometimes echo what they were sent (moto puts the session or SECRET_HASH in its messages): every
secret value this process holds is masked (by value, :func:`aws_client_auth.domain.secret.scrub`), and any
long run of token characters is replaced too, before the text reaches an error or a log.
"""

from __future__ import annotations

import re

from aws_client_auth.domain.secret import scrub

_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/=_\-.~]{24,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _TOKEN_LIKE.sub(REDACTED, scrub(text))
