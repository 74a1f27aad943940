"""The session store as the use cases see it: one locked update, and a change counter."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.errors import CorruptSession
from aws_client_auth.domain.session import Session


@dataclass(frozen=True, slots=True)
class Updated:
    """What an update found in the store, and what it left there."""

    before: Session
    after: Session


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
        """Held across a remote call whose outcome must land on the session it was made from (a refresh, a
        revocation, a credential fetch); the store's lock is re-entrant, so :meth:`update` works inside it."""
        return self._store.lock()

    def load(self) -> Session:
        return self._store.load()

    def update(self, change: Callable[[Session], Session], *, replace_corrupt: bool = False) -> Updated:
        """The one read-modify-write: lock, load, apply ``change``, save, unlock.

        ``change`` gets the stored session and returns the one to store; what it raises goes on, and nothing is
        saved. An unchanged session is not written again. ``replace_corrupt`` lets a change start from an empty
        session when the stored one cannot be read (a sign-in replaces it; the store keeps the bad copy aside).
        """
        with self._store.lock():
            before = self._load(replace_corrupt)
            after = change(before)
            if after != before:
                self._store.save(after)
                self.generation += 1
        return Updated(before, after)

    def save(self, session: Session) -> None:
        """Store ``session`` outright, whatever is stored: for setting up a known state. A change to the stored
        session goes through :meth:`update`, which sees the latest one."""
        with self._store.lock():
            self._store.save(session)
            self.generation += 1

    def clear(self) -> None:
        with self._store.lock():
            self._store.clear()
            self.generation += 1

    def _load(self, replace_corrupt: bool) -> Session:
        try:
            return self._store.load()
        except CorruptSession:
            if replace_corrupt:
                return Session()
            raise
