"""Machine tokens kept between runs: one small JSON file per profile in a ``machine-tokens`` folder of the session
folder, holding a token per configuration (token URL and client id) and scope set.

The folder and file get the session store's care (:mod:`aws_client_auth.adapters.stores.file`): folders 0700 and
refused when someone else could have prepared or can change them; the file opened without following symlinks,
a regular file of this user's, capped in size and depth, written whole (temporary file, fsync, rename) under a
lock file that also makes the fetch one at a time across processes. What is cached is only a cache: a file that
cannot be read is replaced by the next fetch (with a warning), never an error.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import stat
import tempfile
import threading
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from aws_client_auth.adapters.json_limits import too_deep
from aws_client_auth.adapters.stores.file import (
    Locked,
    check_directory,
    check_profile,
    ensure_directory,
    read_only,
    read_own_file,
)
from aws_client_auth.application.ports.machine_tokens import MachineTokenCache
from aws_client_auth.domain.errors import InvalidInput, StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import MachineToken, scope_set, scope_text

if TYPE_CHECKING:
    from filelock import FileLock

log = logging.getLogger(__name__)

FOLDER: Final = "machine-tokens"
VERSION: Final = 1
MAX_BYTES: Final = 256 * 1024
MAX_DEPTH: Final = 8
MAX_ENTRIES: Final = 64
"""Tokens kept per profile at most (the ones that expire last): scope sets are few, but nothing grows unbounded."""
LOCK_TIMEOUT: Final = 60.0
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


class FileMachineTokenCache(MachineTokenCache):
    def __init__(
        self, home: Path, profile: str = "default", scope: str = "", lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        """``scope``: the configuration the tokens were issued to (token URL and client id); another configuration
        of the same profile has its own entries in the file."""
        self._home = home
        self._directory = home / FOLDER
        self._profile = check_profile(profile)
        self._scope = scope
        self.path = self._directory / f"{profile}.json"
        self._lock_path = self._directory / f".{profile}.lock"
        self._lock_timeout = lock_timeout
        self._lock: FileLock | None = None
        self._temporary = re.compile(rf"^\.{re.escape(self.path.name)}\.[^.]+\.tmp$")

    def lock(self) -> AbstractContextManager[None]:
        ensure_directory(self._directory)  # creates the session folder too (0700) when missing
        check_directory(self._home)
        if self._lock is None:
            from filelock import FileLock

            self._lock = FileLock(self._lock_path, timeout=self._lock_timeout, mode=0o600)
        return Locked(self._lock, self._lock_path)

    def load(self, scopes: frozenset[str]) -> MachineToken | None:
        if not self._directory.exists():
            return None
        check_directory(self._home)
        check_directory(self._directory)
        entries = self._entries(self._read())
        return _decoded(entries.get(scope_text(scopes)))

    def save(self, scopes: frozenset[str], token: MachineToken) -> None:
        with self.lock():
            document = self._read()
            entries = {
                key: entry
                for key, entry in self._entries(document).items()
                if (kept := _decoded(entry)) is not None and kept.expires_at > token.issued_at
            }
            entries[scope_text(scopes)] = _encoded(token)
            self._write(self._replaced(document, entries))

    def clear(self) -> None:
        if not self._directory.exists():
            return
        with self.lock():
            document = self._read()
            if document is not None:
                self._write(self._replaced(document, {}))

    # --- the document ------------------------------------------------------------------------------------

    def _entries(self, document: dict[str, Any] | None) -> dict[str, Any]:
        if document is None:
            return {}
        scoped = document["tokens"].get(self._scope)
        return dict(scoped) if isinstance(scoped, dict) else {}

    def _replaced(self, document: dict[str, Any] | None, entries: dict[str, Any]) -> dict[str, Any]:
        tokens = {} if document is None else {k: v for k, v in document["tokens"].items() if isinstance(v, dict)}
        tokens.pop(self._scope, None)
        if entries:
            tokens[self._scope] = entries
        return {"version": VERSION, "tokens": _newest(tokens)}

    def _read(self) -> dict[str, Any] | None:
        """The parsed file; None when there is none or it cannot be read as ours (a cache: it is replaced). What
        is not ours to read (a symlink, a FIFO, another user's file) is refused."""
        data = read_own_file(self.path, "token cache", MAX_BYTES)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
            if len(data) > MAX_BYTES or too_deep(text, MAX_DEPTH):
                raise ValueError("too large or too deep")
            document = json.loads(text)
        except ValueError:
            document = None
        if (
            not isinstance(document, dict)
            or document.get("version") != VERSION
            or not isinstance(document.get("tokens"), dict)
        ):
            log.warning("The machine token cache %s cannot be read; the next token fetched replaces it.", self.path)
            return None
        return document

    def _write(self, document: dict[str, Any]) -> None:
        self._remove_leftovers()
        if not document["tokens"]:
            try:
                self.path.unlink(missing_ok=True)
            except OSError as error:
                raise self._failed("remove", error) from None
            return
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self._directory)
        except OSError as error:
            raise self._failed("write", error) from None
        temporary = Path(name)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(json.dumps(document, separators=(",", ":")))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise self._failed("write", error) from None

    def _remove_leftovers(self) -> None:
        """Temporary files of a writer killed before its rename (they hold tokens); under the lock."""
        with contextlib.suppress(OSError):
            for name in os.listdir(self._directory):
                if self._temporary.match(name):
                    leftover = self._directory / name
                    with contextlib.suppress(OSError):
                        if stat.S_ISREG(leftover.lstat().st_mode):
                            leftover.unlink()

    def _failed(self, action: str, error: OSError) -> StorageError:
        if error.errno in _READ_ONLY:
            return read_only(self._directory, error)
        return StorageError(f"Cannot {action} the token cache {self.path} ({error.strerror}).")


class MemoryMachineTokenCache(MachineTokenCache):
    """Tokens for as long as the process lives (``[storage] backend = "memory"``, tests)."""

    def __init__(self) -> None:
        self._tokens: dict[frozenset[str], MachineToken] = {}
        self._lock = threading.RLock()

    def lock(self) -> AbstractContextManager[None]:
        return _Held(self._lock)

    def load(self, scopes: frozenset[str]) -> MachineToken | None:
        return self._tokens.get(scopes)

    def save(self, scopes: frozenset[str], token: MachineToken) -> None:
        self._tokens[scopes] = token

    def clear(self) -> None:
        self._tokens.clear()


class _Held(AbstractContextManager[None]):
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _encoded(token: MachineToken) -> dict[str, Any]:
    return {
        "access_token": token.access_token.reveal(),
        "expires_at": token.expires_at.isoformat(),
        "issued_at": token.issued_at.isoformat(),
        "scopes": sorted(token.scopes),
        "token_type": token.token_type,
    }


def _decoded(entry: object) -> MachineToken | None:
    """An entry as a token; None for anything this version did not write (a cache miss, not an error)."""
    if not isinstance(entry, dict):
        return None
    try:
        access = entry["access_token"]
        scopes = entry.get("scopes", [])
        if not isinstance(access, str) or not access or not isinstance(scopes, list):
            return None
        return MachineToken(
            access_token=Secret(access),
            expires_at=datetime.fromisoformat(entry["expires_at"]),
            issued_at=datetime.fromisoformat(entry["issued_at"]),
            scopes=scope_set(scopes),
            token_type=str(entry.get("token_type", "Bearer")),
        )
    except (KeyError, TypeError, ValueError, InvalidInput):
        return None


def _newest(tokens: dict[str, Any]) -> dict[str, Any]:
    """At most :data:`MAX_ENTRIES` tokens in all, those that expire last."""
    flat = [(config, key, entry) for config, entries in tokens.items() for key, entry in entries.items()]
    if len(flat) <= MAX_ENTRIES:
        return tokens
    flat.sort(key=lambda item: str(item[2].get("expires_at", "")) if isinstance(item[2], dict) else "", reverse=True)
    kept: dict[str, Any] = {}
    for config, key, entry in flat[:MAX_ENTRIES]:
        kept.setdefault(config, {})[key] = entry
    return kept
