"""A session store in memory that counts its writes."""

from __future__ import annotations

from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.domain.session import Session


class CountingStore(MemorySessionStore):
    """The in-memory store (locked like the others), counting saves: ``saves`` tells whether anything was
    written at all."""

    def __init__(self, profile: str = "default") -> None:
        super().__init__(profile)
        self.saves = 0

    def save(self, session: Session) -> None:
        self.saves += 1
        super().save(session)
