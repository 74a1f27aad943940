"""Sessions in JSON files: directory 0700, files 0600, atomic replace, and a lock file for writers.

A reader never sees a half-written file (the new one is renamed over the old), and a writer killed at any
point leaves the previous file readable. The lock serialises read-change-write across threads and processes.
"""

from __future__ import annotations

import json
import os
import re
import stat
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from aws_client_auth.adapters.stores import codec
from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.errors import InvalidInput, StorageError
from aws_client_auth.domain.session import Session

if TYPE_CHECKING:
    from filelock import FileLock

_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOCK_TIMEOUT = 60.0


def check_profile(profile: str) -> str:
    if not _PROFILE.match(profile):
        raise InvalidInput(f"Profile name {profile!r} is not allowed: use up to 64 letters, digits, '.', '_' or '-'.")
    return profile


class FileSessionStore(SessionStore):
    def __init__(self, directory: Path, profile: str = "default", lock_timeout: float = LOCK_TIMEOUT) -> None:
        self._profile = check_profile(profile)
        self._directory = directory
        self.path = directory / f"{profile}.json"
        self._lock_path = directory / f".{profile}.lock"
        self._lock_timeout = lock_timeout
        self._lock: FileLock | None = None

    @property
    def profile(self) -> str:
        return self._profile

    def load(self) -> Session:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Session()
        except (OSError, UnicodeDecodeError) as error:
            raise StorageError(f"Cannot read the session file {self.path} ({type(error).__name__}).") from None
        try:
            return codec.decode(json.loads(text))
        except (ValueError, StorageError) as error:
            raise StorageError(
                f"The session file {self.path} is corrupt ({error}): run 'client-auth reset' to start afresh."
            ) from None

    def save(self, session: Session) -> None:
        data = json.dumps(codec.encode(session), separators=(",", ":"))
        with self.lock():
            self._write(data)

    def lock(self) -> AbstractContextManager[None]:
        self._ensure_directory()
        if self._lock is None:
            from filelock import FileLock  # not on the read-only path credential_process takes

            self._lock = FileLock(self._lock_path, timeout=self._lock_timeout)
        return Locked(self._lock, self.path)

    def clear(self) -> None:
        with self.lock():
            self.path.unlink(missing_ok=True)

    def _ensure_directory(self) -> None:
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            mode = stat.S_IMODE(self._directory.stat().st_mode)
            if mode & 0o077:
                self._directory.chmod(0o700)
        except OSError as error:
            raise StorageError(f"Cannot use {self._directory} for sessions ({error.strerror}).") from None

    def _write(self, data: str) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
            _fsync_directory(self._directory)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise StorageError(f"Cannot write the session file {self.path} ({error.strerror}).") from None


class Locked(AbstractContextManager[None]):
    def __init__(self, lock: FileLock, path: Path) -> None:
        self._lock = lock
        self._path = path

    def __enter__(self) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise StorageError(f"Another process holds the lock on {self._path}; try again.") from None

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
