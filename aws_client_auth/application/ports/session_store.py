"""Persistence of one profile's session (tokens, pending step, identity ids, cached credentials)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from aws_client_auth.domain.session import Session


class SessionStore(Protocol):
    """A store is bound to one profile when it is built; several profiles live side by side."""

    @property
    def profile(self) -> str: ...

    def load(self) -> Session:
        """The stored session, or an empty one. Raises StorageError when the store is unreadable."""
        ...

    def save(self, session: Session) -> None:
        """Replace the stored session atomically."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Exclusive, re-entrant access for a load-change-save, across threads and processes."""
        ...

    def clear(self) -> None:
        """Forget everything held for this profile."""
        ...
