"""An identity in a Cognito identity pool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    identity_pool_id: str
    identity_id: str
    logins: frozenset[str]
    """Identity-pool login keys (``www.amazon.com``, ``accounts.google.com``, ...) linked to this identity."""
    authenticated: bool
