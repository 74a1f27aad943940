"""The claims of a JWT read without checking its signature: only for labels and bookkeeping, never for trust.

Cognito ID tokens are verified by ``cognito.id_tokens`` before anything relies on them; the identity pool checks
every provider's token itself. What is read here is text from a server: callers clean it before showing it.
"""

from __future__ import annotations

from typing import Any


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of ``token``, or an empty mapping when it is not a JWT."""
    import jwt  # PyJWT (and cryptography behind it): not on the credential_process path

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}
