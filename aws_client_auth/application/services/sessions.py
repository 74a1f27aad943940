"""The session store as the use cases see it: locked read-change-write, and a change counter."""

from __future__ import annotations

from contextlib import AbstractContextManager

from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.session import Session


class Sessions:
    """Wraps the store so that every save in this process bumps ``generation``.

    The credential service keeps its in-memory copy only while the generation is the one it saw, so any
    sign-in, refresh or sign-out in this process invalidates it without a callback web.
    """

    def __init__(self, store: SessionStore) -> None:
        self._store = store
        self.generation = 0

    @property
    def profile(self) -> str:
        return self._store.profile

    def lock(self) -> AbstractContextManager[None]:
        return self._store.lock()

    def load(self) -> Session:
        return self._store.load()

    def save(self, session: Session) -> None:
        self._store.save(session)
        self.generation += 1

    def clear(self) -> None:
        with self._store.lock():
            self._store.clear()
            self.generation += 1
