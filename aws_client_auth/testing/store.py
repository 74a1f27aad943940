"""A session store in memory that counts its reads and writes."""

from __future__ import annotations

from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.domain.session import Session


class CountingStore(MemorySessionStore):
    """The in-memory store (locked like the others), counting saves and loads: ``saves`` tells whether anything
    was written at all, ``loads`` how often it was read."""

    def __init__(self, profile: str = "default") -> None:
        super().__init__(profile)
        self.saves = 0
        self.loads = 0

    def load(self) -> Session:
        self.loads += 1
        return super().load()

    def save(self, session: Session) -> None:
        self.saves += 1
        super().save(session)
