"""Sessions in the OS keychain through ``keyring``, one entry per profile, with a lock file for writers.

On machines with no real keychain (headless Linux, CI) keyring offers only its "fail" backend: then this
store says so, and falls back to the file store only when configured to.
"""

from __future__ import annotations

import contextlib
import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from filelock import FileLock

from aws_client_auth.adapters.stores import codec
from aws_client_auth.adapters.stores.file import FileSessionStore, Locked, check_profile
from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.errors import ConfigurationError, StorageError
from aws_client_auth.domain.session import Session

SERVICE = "aws-client-auth"


def has_real_backend(backend: Any) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


class KeyringSessionStore(SessionStore):
    def __init__(self, backend: Any, lock_directory: Path, profile: str = "default") -> None:
        self._backend = backend
        self._profile = check_profile(profile)
        self._directory = lock_directory
        self._lock = FileLock(lock_directory / f".{profile}.keyring.lock", timeout=60)

    @property
    def profile(self) -> str:
        return self._profile

    def load(self) -> Session:
        from keyring.errors import KeyringError

        try:
            text = self._backend.get_password(SERVICE, self._profile)
        except KeyringError as error:
            raise StorageError(f"The OS keychain could not be read ({type(error).__name__}).") from None
        if text is None:
            return Session()
        try:
            return codec.decode(json.loads(text))
        except (ValueError, StorageError) as error:
            raise StorageError(
                f"The session in the OS keychain ({SERVICE}/{self._profile}) is corrupt ({error}): "
                "run 'client-auth reset' to start afresh."
            ) from None

    def save(self, session: Session) -> None:
        from keyring.errors import KeyringError

        with self.lock():
            try:
                self._backend.set_password(SERVICE, self._profile, json.dumps(codec.encode(session)))
            except KeyringError as error:
                raise StorageError(f"The OS keychain refused the session ({type(error).__name__}).") from None

    def lock(self) -> AbstractContextManager[None]:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return Locked(self._lock, self._directory)

    def clear(self) -> None:
        from keyring.errors import PasswordDeleteError

        with self.lock(), contextlib.suppress(PasswordDeleteError):  # nothing stored is fine
            self._backend.delete_password(SERVICE, self._profile)


def keyring_store(home: Path, profile: str, fallback_to_file: bool, backend: Any = None) -> SessionStore:
    """The keychain store, or, without a real keychain, the file store if allowed, else a clear error."""
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    if has_real_backend(backend):
        return KeyringSessionStore(backend, home, profile)
    if fallback_to_file:
        import logging

        logging.getLogger(__name__).warning("No OS keychain is available: sessions are kept in files under %s", home)
        return FileSessionStore(home, profile)
    raise ConfigurationError(
        'No OS keychain is available here (keyring found no backend): set [storage] backend = "file", '
        "or keyring_fallback_to_file = true."
    )
