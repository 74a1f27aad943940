"""A session store that lives as long as the process (tests, editor tooling that persists elsewhere)."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager

from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.session import Session


class MemorySessionStore(SessionStore):
    def __init__(self, profile: str = "default") -> None:
        self._profile = profile
        self._session = Session()
        self._lock = threading.RLock()

    @property
    def profile(self) -> str:
        return self._profile

    def load(self) -> Session:
        return self._session

    def save(self, session: Session) -> None:
        self._session = session

    def lock(self) -> AbstractContextManager[None]:
        return _Held(self._lock)

    def clear(self) -> None:
        self._session = Session()


class _Held(AbstractContextManager[None]):
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
