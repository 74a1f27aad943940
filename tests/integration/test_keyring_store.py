"""The keychain store through keyring's own backend API (an in-memory backend stands in for the OS's)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.keyring_store import SERVICE, KeyringSessionStore, keyring_store
from aws_client_auth.domain.errors import ConfigurationError, CorruptSession, StorageError
from aws_client_auth.domain.session import Session
from aws_client_auth.entrypoints.bootstrap import build_container


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}
        self.broken = False
        self.read_only = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.broken:
            raise KeyringError("locked")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.broken or self.read_only:
            raise KeyringError("locked")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("none")
        del self.items[(service, username)]


def no_keychain() -> Any:
    return fail.Keyring()  # type: ignore[no-untyped-call]


def forgetful() -> Any:
    return null.Keyring()  # type: ignore[no-untyped-call]


def chain(*backends: Any) -> Any:
    """keyring's chainer over exactly these backends (it discovers the installed ones otherwise)."""

    class Chain(chainer.ChainerBackend):
        pass

    Chain.backends = list(backends)  # type: ignore[assignment]
    return Chain()  # type: ignore[no-untyped-call]


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
    with pytest.raises(StorageError, match="could not be read"):  # a save reads the other scopes' sessions first
        store.save(Session())
    backend.broken, backend.read_only = False, True
    with pytest.raises(StorageError, match="refused"):
        store.save(Session().with_identity_id("us-west-2:1", authenticated=False))


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(forgetful, id="null"),
        pytest.param(no_keychain, id="fail"),
        pytest.param(chain, id="empty chain"),
        pytest.param(lambda: chain(no_keychain(), forgetful()), id="chain of fail and null"),
        pytest.param(lambda: chain(forgetful()), id="chain of null"),
    ],
)
def test_a_keyring_that_cannot_keep_a_session_is_refused(tmp_path: Path, backend: Any) -> None:
    with pytest.raises(ConfigurationError, match="No OS keychain that can keep a session"):
        keyring_store(tmp_path, "default", False, backend())
    assert isinstance(keyring_store(tmp_path, "default", True, backend()), FileSessionStore)


def test_a_chain_with_a_real_keychain_is_accepted(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = keyring_store(tmp_path, "default", False, chain(backend, forgetful()))  # in priority order
    assert isinstance(store, KeyringSessionStore)
    store.save(Session().with_identity_id("us-west-2:1", authenticated=False))
    assert (SERVICE, "default") in backend.items


def test_scopes_of_one_profile_never_see_or_delete_each_other(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    staging = keyring_store(tmp_path, "default", False, backend, scope="staging-pools")
    production = keyring_store(tmp_path, "default", False, backend, scope="production-pools")
    alice = Session().with_identity_id("us-west-2:alice", authenticated=False)
    bob = Session().with_identity_id("us-west-2:bob", authenticated=False)

    staging.save(alice)
    assert production.load() == Session()
    production.save(bob)
    assert (staging.load(), production.load()) == (alice, bob)
    document = json.loads(backend.items[(SERVICE, "default")])
    assert document["version"] == 2
    assert sorted(document["sessions"]) == ["production-pools", "staging-pools"]

    production.clear()
    assert production.load() == Session()
    assert staging.load() == alice
    staging.clear()  # the last scope: the keychain entry goes
    assert (SERVICE, "default") not in backend.items


def test_a_version_1_entry_is_read_and_rewritten_as_version_2(tmp_path: Path) -> None:
    import jwt

    backend = MemoryKeyring()
    id_token = jwt.encode({"iss": "https://cognito-idp.example/us-west-2_P", "aud": "c"}, key="", algorithm="none")
    cognito = {"access_token": "a", "id_token": id_token, "expires_at": "2026-11-28T12:00:00+00:00"}
    v1 = {"version": 1, "tokens": {"cognito": cognito}, "pending": None, "authenticated_identity_id": None}
    backend.items[(SERVICE, "default")] = json.dumps({**v1, "guest_identity_id": "us-west-2:g", "credentials": None})
    assert keyring_store(tmp_path, "default", False, backend, scope="us-west-2_Q/c/-").load() == Session()
    store = keyring_store(tmp_path, "default", False, backend, scope="us-west-2_P/c/-")
    session = store.load()
    assert session.guest_identity_id == "us-west-2:g"
    store.save(session)
    stored = json.loads(backend.items[(SERVICE, "default")])
    assert stored["sessions"]["us-west-2_P/c/-"]["guest_identity_id"] == "us-west-2:g"


@pytest.mark.parametrize("stored", ["{corrupt", "[]", '{"version": 99}', '{"version": 2, "sessions": []}'])
def test_an_unreadable_entry_is_replaced_by_a_new_sign_in(tmp_path: Path, stored: str) -> None:
    backend = MemoryKeyring()
    backend.items[(SERVICE, "default")] = stored
    store = keyring_store(tmp_path, "default", False, backend)
    with pytest.raises(CorruptSession, match="client-auth reset"):
        store.load()
    session = Session().with_identity_id("us-west-2:1", authenticated=False)
    store.save(session)
    assert store.load() == session


def test_the_lock_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "missing" / "home"
    previous = os.umask(0)
    try:
        store = keyring_store(home, "default", False, MemoryKeyring())
        store.save(Session().with_identity_id("us-west-2:1", authenticated=False))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((home / ".default.keyring.lock").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == stat.S_IMODE(home.parent.stat().st_mode) == 0o700


def test_the_container_selects_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    container = build_container(
        overrides={"storage": {"backend": "keyring"}}, environ={"CLIENT_AUTH_HOME": str(tmp_path)}
    )
    store: Any = container.session_store()
    assert isinstance(store, KeyringSessionStore)
