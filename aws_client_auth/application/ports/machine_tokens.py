"""Access tokens a client obtains for itself, with no user present (OAuth 2.0 client credentials grant)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from aws_client_auth.domain.tokens import MachineToken


class MachineTokenSource(Protocol):
    def fetch(self, scopes: frozenset[str]) -> MachineToken:
        """A new token for ``scopes`` (the empty set: every scope the client is allowed)."""
        ...


class MachineTokenCache(Protocol):
    """Tokens kept between runs, per profile, configuration and scope set."""

    def lock(self) -> AbstractContextManager[None]:
        """Exclusive, re-entrant access across threads and processes: one fetch at a time."""
        ...

    def load(self, scopes: frozenset[str]) -> MachineToken | None:
        """The kept token for exactly this scope set, or None (also when what is kept cannot be read)."""
        ...

    def save(self, scopes: frozenset[str], token: MachineToken) -> None: ...

    def clear(self) -> None:
        """Forget every token kept for this profile and configuration."""
        ...
