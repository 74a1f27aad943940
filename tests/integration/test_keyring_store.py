"""The keychain store through keyring's own backend API (an in-memory backend stands in for the OS's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError, PasswordDeleteError

from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.keyring_store import SERVICE, KeyringSessionStore, keyring_store
from aws_client_auth.domain.errors import ConfigurationError, StorageError
from aws_client_auth.domain.session import Session
from aws_client_auth.entrypoints.bootstrap import build_container


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}
        self.broken = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.broken:
            raise KeyringError("locked")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.broken:
            raise KeyringError("locked")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("none")
        del self.items[(service, username)]


def no_keychain() -> Any:
    return fail.Keyring()  # type: ignore[no-untyped-call]


def test_round_trip_per_profile(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    work = keyring_store(tmp_path, "work", False, backend)
    assert isinstance(work, KeyringSessionStore)
    session = Session().with_identity_id("us-west-2:1", authenticated=False)
    work.save(session)
    assert work.load() == session
    assert (SERVICE, "work") in backend.items
    assert keyring_store(tmp_path, "play", False, backend).load() == Session()
    work.clear()
    work.clear()
    assert work.load() == Session()


def test_no_keychain_is_a_clear_error_unless_fallback_is_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="No OS keychain"):
        keyring_store(tmp_path, "default", False, no_keychain())
    assert isinstance(keyring_store(tmp_path, "default", True, no_keychain()), FileSessionStore)


def test_keychain_failures_and_corruption_are_storage_errors(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = KeyringSessionStore(backend, tmp_path)
    backend.items[(SERVICE, "default")] = "{corrupt"
    with pytest.raises(StorageError, match="client-auth reset"):
        store.load()
    backend.broken = True
    with pytest.raises(StorageError, match="could not be read"):
        store.load()
    with pytest.raises(StorageError, match="refused"):
        store.save(Session())


def test_the_container_selects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    container = build_container(
        overrides={"storage": {"backend": "keyring"}}, environ={"CLIENT_AUTH_HOME": str(tmp_path)}
    )
    store: Any = container.session_store()
    assert isinstance(store, KeyringSessionStore)
