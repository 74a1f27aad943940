"""Sessions in JSON files: one file per profile, holding one session per configuration scope (see ``codec``).

The store trusts no one, as OpenSSH's StrictModes and git's credential cache do:

- the folder must be a directory owned by this user and writable by no one else; folders it creates are 0700
  whatever the umask, and a folder that fails the check is refused with the fix, never silently used (a planted
  ``default.json`` in someone else's folder must never be served to the AWS CLI);
- the session file is opened without following symlinks, must be a regular file owned by this user, and is
  capped in size and nesting depth (a 200 MB file or a 100 000-level-deep JSON is "corrupt", a FIFO is refused:
  never a hang, a ``RecursionError`` or, where the host raised the recursion limit, a crashed interpreter);
- writes go to a ``mkstemp`` file in the folder (random name, ``O_EXCL``, 0600), fsynced, then renamed over the
  old file, and the folder is fsynced: a reader never sees a half-written file, and a writer killed at any point
  leaves the previous file; its leftover temporary file is removed by the next writer, under the lock;
- the lock file (0600, never followed if it is a symlink) serialises read-change-write across threads and
  processes;
- a folder that cannot be written gives one message on every path that writes (lock, save, clear), never a raw
  ``PermissionError``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.json_limits import SESSION_MAX_BYTES, SESSION_MAX_DEPTH, too_deep
from aws_client_auth.adapters.stores import codec
from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.domain.errors import CorruptSession, InvalidInput, StorageError
from aws_client_auth.domain.session import Session

if TYPE_CHECKING:
    from filelock import FileLock

_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOCK_TIMEOUT = 60.0
MAX_BYTES = SESSION_MAX_BYTES
MAX_DEPTH = SESSION_MAX_DEPTH
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted at the session path must not block the open
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_RESET_HINT = "run 'client-auth reset' to start afresh"
KEEP_SET_ASIDE = 3
"""How many ``.corrupt-<time>`` copies of a profile's session file are kept (the newest)."""


def check_profile(profile: str) -> str:
    if not _PROFILE.match(profile):
        raise InvalidInput(f"Profile name {profile!r} is not allowed: use up to 64 letters, digits, '.', '_' or '-'.")
    return profile


class FileSessionStore(SessionStore):
    def __init__(
        self, directory: Path, profile: str = "default", scope: str = "", lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        self._profile = check_profile(profile)
        self._scope = scope
        self._directory = directory
        self.path = directory / f"{profile}.json"
        self._lock_path = directory / f".{profile}.lock"
        self._lock_timeout = lock_timeout
        self._lock: FileLock | None = None
        # exactly the names mkstemp gives this profile's temporary files (a random part without dots), so another
        # profile's (for "default.json.x", ".default.json.x.json.<random>.tmp") is never taken for a leftover
        self._temporary = re.compile(rf"^\.{re.escape(self.path.name)}\.[^.]+\.tmp$")

    @property
    def profile(self) -> str:
        return self._profile

    def load(self) -> Session:
        if not self._directory.exists():
            return Session()
        check_directory(self._directory)
        document = self._read_document()
        if document is None:
            return Session()
        return self._scoped(document)

    def save(self, session: Session) -> None:
        self._replace(session)

    def lock(self) -> AbstractContextManager[None]:
        """Every change of the file happens under it, so a folder this user cannot write fails here, with the same
        message whichever path got here, even where an earlier lock file would still open."""
        ensure_directory(self._directory)
        if not _writable(self._directory):
            raise read_only(self._directory, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
        if self._lock is None:
            from filelock import FileLock  # not on the read-only path credential_process takes

            self._lock = FileLock(self._lock_path, timeout=self._lock_timeout, mode=0o600)
        return Locked(self._lock, self._lock_path)

    def clear(self) -> None:
        self._replace(None)

    def _replace(self, session: Session | None) -> None:
        """Read-modify-write of the profile's document: only this scope's entry changes.

        What cannot be read (the whole file, or only this scope's entry) is replaced, as a new sign-in or a reset
        means to, but first kept beside the file under a ``.corrupt-<timestamp>`` name, so nothing is lost. What
        is not ours to replace (a symlink, a FIFO, another user's file) is refused.
        """
        with self.lock():
            self._remove_leftovers()
            try:
                document = self._read_document()  # refuses what is not ours (StorageError) before parsing
            except CorruptSession:
                document = self._set_aside(None)
            else:
                if document is not None and not codec.is_readable(document, self._scope):
                    document = self._set_aside(document)
            updated = codec.write_scoped(document, self._scope, session)
            if updated is None:
                self._unlink()
            else:
                self._write(json.dumps(updated, separators=(",", ":")))

    def _scoped(self, document: Any) -> Session:
        try:
            return codec.read_scoped(document, self._scope)
        except StorageError as error:
            raise CorruptSession(f"The session file {self.path} is corrupt ({error}): {_RESET_HINT}.") from None

    def _read_document(self) -> Any:
        """The parsed file, None if there is none; refuses anything but a small regular file of ours."""
        data = read_own_file(self.path, "session file", MAX_BYTES)
        if data is None:
            return None
        if len(data) > MAX_BYTES:
            raise CorruptSession(f"The session file {self.path} is corrupt (too large): {_RESET_HINT}.")
        try:
            text = data.decode("utf-8")
            if too_deep(text, MAX_DEPTH):
                raise RecursionError
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            what = "nested too deeply" if isinstance(error, RecursionError) else "not JSON"
            raise CorruptSession(f"The session file {self.path} is corrupt ({what}): {_RESET_HINT}.") from None

    def _set_aside(self, document: Any) -> Any:
        """Keeps the session file as ``<name>.corrupt-<timestamp>`` (0600) before it is replaced, and returns what
        of it the replacement keeps: ``document`` when only this scope's entry was unreadable, so the other
        configurations' sessions stay; None when the whole file was.

        A hard link keeps the file in place until the new one is renamed over it, so a reader beside this writer
        never finds the other sessions missing; where links are not supported, the file is moved instead.
        """
        if document is not None and not codec.is_readable(document):
            document = None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            try:
                os.link(self.path, aside)  # a regular file of ours: _read_document checked it, under the lock
            except OSError as error:
                if error.errno in _READ_ONLY and error.errno != errno.EPERM:
                    raise
                os.replace(self.path, aside)  # no hard links here (EPERM is what Linux says for some of these)
            os.chmod(aside, 0o600)
        except OSError as error:
            raise self._failed("set the corrupt session file aside", error) from None
        import logging

        logging.getLogger(__name__).warning("The unreadable session file was kept as %s.", aside)
        self._prune_set_aside()
        return document

    def _prune_set_aside(self) -> None:
        """Only the newest ``KEEP_SET_ASIDE`` copies stay (they may hold tokens, and a loop of bad writes must not
        fill the folder); only regular files of this user are removed, never through a link."""
        copies = sorted(self.path.parent.glob(f"{self.path.name}.corrupt-*"), key=lambda p: p.name, reverse=True)
        for old in copies[KEEP_SET_ASIDE:]:
            try:
                info = os.lstat(old)
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                    os.unlink(old)
            except OSError:
                continue  # another writer removed it, or it is not ours to remove

    def _remove_leftovers(self) -> None:
        """Temporary files of a writer killed before its rename: they may hold tokens, so they go (under the lock,
        so no writer of this profile is between its write and its rename)."""
        try:
            names = os.listdir(self._directory)
        except OSError:
            return
        for name in names:
            if not self._temporary.match(name):
                continue
            leftover = self._directory / name
            try:
                if stat.S_ISREG(leftover.lstat().st_mode):
                    leftover.unlink()
            except OSError:
                continue

    def _unlink(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            raise self._failed("remove the session file", error) from None

    def _write(self, data: str) -> None:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self._directory)
        except OSError as error:
            raise self._failed("write the session file", error) from None
        temporary = Path(name)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # mkstemp's 0600 is masked by the umask, which may take the owner's bits too
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
            _fsync_directory(self._directory)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise self._failed("write the session file", error) from None

    def _failed(self, action: str, error: OSError) -> StorageError:
        if error.errno in _READ_ONLY:
            return read_only(self._directory, error)
        return StorageError(f"Cannot {action} {self.path} ({error.strerror}).")


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
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise StorageError(
                    f"The lock file {self._path} is a symbolic link, which is never followed: remove it."
                ) from None
            if error.errno in _READ_ONLY:
                raise read_only(self._path.parent, error) from None
            raise StorageError(f"Cannot lock {self._path} ({error.strerror}).") from None

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def ensure_directory(directory: Path) -> None:
    """Creates the folder (and missing parents) 0700 whatever the umask, checks it as :func:`check_directory`,
    and takes away the read bits of others from a folder that passed (no one else may list the profiles)."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()]
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask; chmod's is not
    except OSError as error:
        raise StorageError(f"Cannot create the session folder {directory} ({error.strerror}).") from None
    check_directory(directory)
    try:
        if stat.S_IMODE(directory.stat().st_mode) & 0o077:  # readable by others, ours, and writable only by us
            os.chmod(directory, 0o700)
    except OSError as error:
        raise StorageError(f"Cannot use {directory} for sessions ({error.strerror}).") from None


def check_directory(directory: Path) -> None:
    """Refuses a session folder that someone else could have prepared or can change."""
    try:
        info = os.stat(directory)  # the folder itself, even when the configured path is a link to it
    except OSError as error:
        raise StorageError(f"Cannot use {directory} for sessions ({error.strerror}).") from None
    if not stat.S_ISDIR(info.st_mode):
        raise StorageError(f"The session folder {directory} is not a folder: choose another [storage] path.")
    check_owner(directory, info)
    if stat.S_IMODE(info.st_mode) & 0o022:
        raise StorageError(
            f"The session folder {directory} is writable by other users, so its sessions cannot be trusted: "
            f"run 'chmod 700 {directory}'."
        )


def read_only(directory: Path, error: OSError) -> StorageError:
    """The one message for a session folder this user cannot write, whichever step found out."""
    return StorageError(
        f"The session folder {directory} is read-only for you ({error.strerror}), so no session can be saved or "
        f"removed there: run 'chmod 700 {directory}', or choose another [storage] path."
    )


def _writable(directory: Path) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(directory, os.W_OK | os.X_OK, effective_ids=effective)


def check_owner(path: Path, info: os.stat_result) -> None:
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # Windows: ownership is an ACL matter, not checked here
        return
    if info.st_uid != geteuid():
        raise StorageError(
            f"{path} belongs to another user (uid {info.st_uid}), so it is not used: remove it, or choose another "
            "[storage] path."
        )


def read_own_file(path: Path, what: str, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of ``path`` (one more than allowed, so the caller can tell too large), None
    when there is no file. Refuses, naming ``what``, what is not ours to read: a symbolic link (never followed), a
    FIFO or anything but a regular file (opened without blocking), another user's file."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StorageError(f"The {what} {path} is a symbolic link, which is never followed: remove it.") from None
        raise StorageError(f"Cannot read the {what} {path} ({error.strerror}).") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StorageError(f"The {what} {path} is not a regular file: remove it.")
        check_owner(path, info)
        return _read_at_most(fd, limit + 1)
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
