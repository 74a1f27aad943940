from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import CorruptSession, InvalidInput, StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, CodeDelivery, DeviceAuthorization, MfaSetup
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, ProviderName, Tokens
from aws_client_auth.domain.user import MfaType

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def full_session() -> Session:
    tokens = Tokens(COGNITO, Secret("access"), NOW, Secret("id"), Secret("refresh"), "alice", "sub-1")
    creds = Credentials("AKIA", Secret("sk"), Secret("st"), NOW + timedelta(hours=1), "us-west-2:1", True, NOW)
    challenge = Challenge(
        GOOGLE,
        ChallengeKind.SELECT_MFA_TYPE,
        "alice",
        Secret("sess"),
        delivery=CodeDelivery("SMS", "+***0100"),
        options=(MfaType.SMS, MfaType.TOTP),
        mfa_setup=MfaSetup(Secret("S"), Secret("otpauth://x")),
        parameters={"USERNAME": "uid"},
    )
    return (
        Session()
        .with_tokens(tokens)
        .with_credentials(creds)
        .with_identity_id("us-west-2:guest", authenticated=False)
        .with_linked(frozenset({"k1", "k2"}))
        .with_pending(challenge)
    )


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path / "home", "default")
    session = full_session()
    store.save(session)
    assert store.load() == session
    device = DeviceAuthorization(ProviderName("lwa"), "CODE", "https://x", NOW, Secret("dc"), 7, "https://x?c")
    store.save(session.with_pending(device))
    assert store.load().pending == device


def test_missing_file_is_an_empty_session(tmp_path: Path) -> None:
    assert FileSessionStore(tmp_path, "default").load() == Session()


def test_directory_and_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = FileSessionStore(home, "default")
    store.save(full_session())
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_loose_existing_directory_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    FileSessionStore(home, "default").save(Session())
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_profiles_live_side_by_side(tmp_path: Path) -> None:
    work, play = FileSessionStore(tmp_path, "work"), FileSessionStore(tmp_path, "play")
    work.save(full_session())
    assert play.load() == Session()
    play.clear()
    assert work.load() == full_session()


def test_bad_profile_names_are_refused(tmp_path: Path) -> None:
    for name in ("../etc", "", "a/b", ".hidden"):
        with pytest.raises(InvalidInput):
            FileSessionStore(tmp_path, name)


def test_clear_removes_what_the_store_held(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.save(full_session())
    store.clear()
    assert not store.path.exists()
    assert store.load() == Session()


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"version": 99}', b'{"version": 1, "tokens": {"cognito": {}}}', b"\xff\xfe"],
)
def test_corrupt_file_is_reported_clearly(tmp_path: Path, content: bytes) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.path.write_bytes(content)
    with pytest.raises(CorruptSession, match=r"is corrupt .*: run 'client-auth reset' to start afresh\.$") as raised:
        store.load()
    assert str(store.path) in str(raised.value)
    store.save(full_session())  # a corrupt file can always be replaced (and is kept aside: test_store_hostile)
    assert store.load() == full_session()


def test_unwritable_directory_is_a_storage_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        store = FileSessionStore(blocker / "sub", "default")
    else:  # pragma: no cover - CI runs as root
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        store = FileSessionStore(locked / "sub", "default")
    with pytest.raises(StorageError, match="Cannot create the session folder"):
        store.save(Session())


_WRITER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores import codec
from aws_client_auth.domain.session import Session
import aws_client_auth.adapters.stores.file as f

store = FileSessionStore(Path(sys.argv[1]), "default")
real_replace = f.os.replace
def slow_replace(a, b):
    print(a, flush=True)
    time.sleep(30)
    real_replace(a, b)
f.os.replace = slow_replace
refresh = Secret("refresh-of-the-killed-writer")
store.save(Session().with_tokens(Tokens(COGNITO, Secret("access"), datetime.now(UTC), None, refresh, "u", "s")))
"""


def test_a_writer_killed_mid_write_leaves_the_previous_file(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.save(full_session())
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    temporary = Path(writer.stdout.readline().strip())  # written and fsynced, not yet renamed
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert store.load() == full_session()
    assert temporary.parent == tmp_path
    assert "refresh-of-the-killed-writer" in temporary.read_text()  # what the next writer must not leave behind
    store.save(Session())  # and the lock is free again
    assert store.load() == Session()
    assert not temporary.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _add_linked(home: str, key: str) -> int:
    store = FileSessionStore(Path(home), "default")
    seen = len(store.load().linked_logins)  # an unlocked read beside the writers: always a whole file
    with store.lock():
        session = store.load()
        time.sleep(0.001)
        store.save(session.with_linked(session.linked_logins | {key}))
    return seen


def test_sixteen_processes_writing_and_reading_lose_no_update(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(16) as pool:
        seen = pool.starmap(_add_linked, [(str(tmp_path), f"key-{i}") for i in range(64)])
    assert FileSessionStore(tmp_path, "default").load().linked_logins == {f"key-{i}" for i in range(64)}
    assert all(0 <= n < 64 for n in seen)


def test_the_file_is_plain_json_with_a_version(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.save(full_session())
    data = json.loads(store.path.read_text())
    assert data["version"] == 2
    assert list(data["sessions"]) == [""]  # one session per configuration scope; this store's is ""
    assert data["sessions"][""]["tokens"]["cognito"]["refresh_token"] == "refresh"


def test_memory_store_is_reentrant_and_per_profile() -> None:
    store = MemorySessionStore("p")
    with store.lock(), store.lock():
        store.save(full_session())
    assert store.profile == "p"
    store.clear()
    assert store.load() == Session()
