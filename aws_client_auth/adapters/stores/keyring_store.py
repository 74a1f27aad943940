"""Sessions in the OS keychain through ``keyring``, one entry per profile (holding one session per configuration
scope, see ``codec``), with a lock file for writers.

On machines with no real keychain (headless Linux, CI) keyring offers only its "fail" backend, and a user may
have chosen the "null" one, which accepts and forgets everything: then this store says so, and falls back to the
file store only when configured to.
"""

from __future__ import annotations

import contextlib
import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from filelock import FileLock

from aws_client_auth.adapters.stores import codec
from aws_client_auth.adapters.stores.file import FileSessionStore, Locked, check_profile, ensure_directory
from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.errors import ConfigurationError, CorruptSession, StorageError
from aws_client_auth.domain.session import Session

SERVICE = "aws-client-auth"


def has_real_backend(backend: Any) -> bool:
    """False for keyring's "fail" backend (no keychain), its "null" one (stores nothing) and an empty chain."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(has_real_backend(b) for b in backend.backends)
    return True


class KeyringSessionStore(SessionStore):
    def __init__(self, backend: Any, lock_directory: Path, profile: str = "default", scope: str = "") -> None:
        self._backend = backend
        self._profile = check_profile(profile)
        self._scope = scope
        self._directory = lock_directory
        self._lock_path = lock_directory / f".{profile}.keyring.lock"
        self._lock = FileLock(self._lock_path, timeout=60, mode=0o600)

    @property
    def profile(self) -> str:
        return self._profile

    def load(self) -> Session:
        document = self._document()
        if document is None:
            return Session()
        try:
            return codec.read_scoped(document, self._scope)
        except StorageError as error:
            raise self._corrupt(error) from None

    def save(self, session: Session) -> None:
        self._replace(session)

    def lock(self) -> AbstractContextManager[None]:
        ensure_directory(self._directory)
        return Locked(self._lock, self._lock_path)

    def clear(self) -> None:
        self._replace(None)

    def _replace(self, session: Session | None) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        with self.lock():
            try:
                document = self._document()
            except CorruptSession:
                document = None  # a new session replaces what cannot be read
            if document is not None and not codec.is_readable(document):
                document = None  # nor what is in a format this version does not read (a bad entry of this scope
                # alone is replaced by write_scoped, and the other configurations' sessions stay)
            updated = codec.write_scoped(document, self._scope, session)
            try:
                if updated is not None:
                    self._backend.set_password(SERVICE, self._profile, json.dumps(updated))
                else:
                    with contextlib.suppress(PasswordDeleteError):  # nothing stored is fine
                        self._backend.delete_password(SERVICE, self._profile)
            except KeyringError as error:
                raise StorageError(f"The OS keychain refused the session ({type(error).__name__}).") from None

    def _document(self) -> Any:
        from keyring.errors import KeyringError

        try:
            text = self._backend.get_password(SERVICE, self._profile)
        except KeyringError as error:
            raise StorageError(f"The OS keychain could not be read ({type(error).__name__}).") from None
        if text is None:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise self._corrupt("not JSON") from None

    def _corrupt(self, why: object) -> CorruptSession:
        return CorruptSession(
            f"The session in the OS keychain ({SERVICE}/{self._profile}) is corrupt ({why}): "
            "run 'client-auth reset' to start afresh."
        )


def keyring_store(
    home: Path, profile: str, fallback_to_file: bool, backend: Any = None, scope: str = ""
) -> SessionStore:
    """The keychain store, or, without a real keychain, the file store if allowed, else a clear error."""
    if backend is None:
        import keyring

        backend = keyring.get_keyring()
    if has_real_backend(backend):
        return KeyringSessionStore(backend, home, profile, scope)
    if fallback_to_file:
        import logging

        logging.getLogger(__name__).warning("No OS keychain is available: sessions are kept in files under %s", home)
        return FileSessionStore(home, profile, scope)
    raise ConfigurationError(
        "No OS keychain that can keep a session is available here (keyring has no backend, or only one that "
        'stores nothing): set [storage] backend = "file", or keyring_fallback_to_file = true.'
    )
