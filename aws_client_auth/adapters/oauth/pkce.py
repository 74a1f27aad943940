"""PKCE (RFC 7636) and the other one-time values of an authorization request, from the standard library.

Three lines of ``secrets``, ``hashlib`` and ``base64`` need no library; an OAuth client library would also
bring its own HTTP calls, which must go through :mod:`aws_client_auth.adapters.http` (deadlines, size caps, no
redirects) here.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Final

VERIFIER_BYTES: Final = 64
"""Random bytes of a code verifier: 86 characters once encoded (RFC 7636 wants 43 to 128, 256 bits at least)."""
VALUE_BYTES: Final = 32
"""Random bytes of a ``state`` or ``nonce``: 256 bits, not guessable."""
METHOD: Final = "S256"

RandomBytes = Callable[[int], bytes]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def code_verifier(random_bytes: RandomBytes = secrets.token_bytes) -> str:
    """A high-entropy code verifier: base64url without padding, within RFC 7636's unreserved characters."""
    return _b64url(random_bytes(VERIFIER_BYTES))


def code_challenge(verifier: str) -> str:
    """``S256``: BASE64URL(SHA256(ASCII(verifier))), as RFC 7636 section 4.2 defines it."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def random_value(random_bytes: RandomBytes = secrets.token_bytes) -> str:
    """A ``state`` or ``nonce``: URL-safe, unguessable, and different for every sign-in."""
    return _b64url(random_bytes(VALUE_BYTES))
