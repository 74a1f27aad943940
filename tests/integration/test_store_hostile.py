"""The file store against folders and files that someone else could have prepared (issue 10, "A store that trusts
no one"), with real files in temporary folders.

Where the tests run as root (CI), "another user" is a real second uid; elsewhere, and as a second variant as root,
it is a fake ``os.stat``/``os.fstat`` that reports that uid for the planted folder or file.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores import codec
from aws_client_auth.adapters.stores.file import MAX_BYTES, FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import CorruptSession, StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.entrypoints.cli.fast import cached_process_credentials
from aws_client_auth.entrypoints.environment import session_scope

OTHER_UID = 12345
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
RESET = r"corrupt.*client-auth reset"


NOW = datetime.now(UTC)
"""Sessions made in this module are fresh for an hour from here: long past any run of it."""


def fresh_session(marker: str = "planted") -> Session:
    """Guest credentials fresh for an hour (what the fast path serves)."""
    credentials = Credentials(
        f"AKIA{marker.upper()}", Secret("sk"), Secret("st"), NOW + timedelta(hours=1), "us-west-2:x", False, NOW
    )
    return Session().with_credentials(credentials)


def signed_in(marker: str) -> Session:
    """Tokens whose refresh token is ``marker``."""
    tokens = Tokens(COGNITO, Secret("access"), NOW + timedelta(hours=1), Secret("id"), Secret(marker), "u", "s")
    return Session().with_tokens(tokens)


def served(home: Path) -> str | None:
    """What ``client-auth credentials --format process`` prints from its fast path, for sessions under ``home``."""
    return cached_process_credentials(["credentials", "--format", "process"], {"CLIENT_AUTH_HOME": str(home)})


def fast_path_scope(home: Path) -> str:
    return session_scope(load_settings([], environ={"CLIENT_AUTH_HOME": str(home)}, o3de_project=None))


def plant(home: Path, session: Session) -> FileSessionStore:
    """A session file as the fast path would read it, written by the store itself while the folder is still ours."""
    store = FileSessionStore(home, "default", fast_path_scope(home))
    store.save(session)
    return store


def snapshot(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_uid


def attempts(store: FileSessionStore) -> dict[str, Callable[[], object]]:
    def lock() -> None:
        with store.lock():
            pass

    return {
        "load": store.load,
        "save": lambda: store.save(signed_in("new-sign-in")),
        "lock": lock,
        "clear": store.clear,
    }


@pytest.fixture(params=["real uid", "fake stat"])
def give_away(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Makes a folder or file belong to another user: really (as root), or as far as ``os.stat``/``os.fstat`` say."""
    if request.param == "real uid":
        if not ROOT:
            pytest.skip("giving a file to another uid needs root; the 'fake stat' variant covers this case")
        return lambda path: os.chown(path, OTHER_UID, OTHER_UID, follow_symlinks=False)

    foreign: set[tuple[int, int]] = set()
    real_stat, real_fstat = os.stat, os.fstat

    def disguise(info: os.stat_result) -> os.stat_result:
        if (info.st_dev, info.st_ino) not in foreign:
            return info
        fields = list(info[:10])
        fields[4] = OTHER_UID  # st_uid
        return os.stat_result(fields)

    def fake_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        return disguise(real_stat(path, *args, **kwargs))

    def fake_fstat(fd: int) -> os.stat_result:
        return disguise(real_fstat(fd))

    monkeypatch.setattr(os, "stat", fake_stat)
    monkeypatch.setattr(os, "fstat", fake_fstat)

    def fake(path: Path) -> None:
        info = os.lstat(path)
        foreign.add((info.st_dev, info.st_ino))

    return fake


@pytest.fixture
def alarm() -> Iterator[None]:
    """Turns a hang (a regression opening a FIFO) into a failing test after five seconds."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the store hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# 1. Planted symlinks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target_exists", [True, False], ids=["to a file", "dangling"])
def test_a_symlink_at_the_session_path_is_never_followed(tmp_path: Path, target_exists: bool) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    plant(elsewhere, fresh_session("target"))  # a perfectly good session file: following the link would serve it
    target = elsewhere / "default.json"
    before = snapshot(target)
    if not target_exists:
        target.unlink()
    home.mkdir(mode=0o700)
    (home / "default.json").symlink_to(target)
    store = FileSessionStore(home, "default", fast_path_scope(home))

    for name, attempt in attempts(store).items():
        if name == "lock":
            continue  # the lock is another file; it is the session file that must not be followed
        with pytest.raises(StorageError, match="is a symbolic link, which is never followed") as raised:
            attempt()
        assert str(home / "default.json") in str(raised.value), name
    assert served(home) is None

    assert (home / "default.json").is_symlink()
    if target_exists:
        assert snapshot(target) == before
    else:
        assert not target.exists()  # nothing was written through the link
    assert sorted(p.name for p in home.iterdir()) == [".default.lock", "default.json"]


@pytest.mark.parametrize("target_exists", [True, False], ids=["to a file", "dangling"])
def test_a_symlink_at_the_lock_path_is_refused(tmp_path: Path, target_exists: bool) -> None:
    home, target = tmp_path / "home", tmp_path / "precious"
    home.mkdir(mode=0o700)
    if target_exists:
        target.write_bytes(b"not a lock file")
        target.chmod(0o644)
        before = snapshot(target)
    (home / ".default.lock").symlink_to(target)
    store = FileSessionStore(home, "default", lock_timeout=5)

    for name in ("save", "lock", "clear"):
        with pytest.raises(StorageError, match=r"lock file .* is a symbolic link, which is never followed"):
            attempts(store)[name]()
    assert store.load() == Session()  # reading takes no lock

    if target_exists:
        assert snapshot(target) == before
    else:
        assert not target.exists()
    assert not (home / "default.json").exists()


# Names a writer that does not use mkstemp would pick: none of them may be followed.
_PREDICTABLE = [".default.json.tmp", "default.json.tmp", "default.tmp", f".default.json.{os.getpid()}.tmp"]


def test_a_symlink_at_a_temporary_file_path_is_never_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, target = tmp_path / "home", tmp_path / "precious"
    home.mkdir(mode=0o700)
    target.write_bytes(b"precious")
    target.chmod(0o644)
    before = snapshot(target)
    # mkstemp's next random name is the planted one: a writer that opened it without O_EXCL would follow the link
    planted = [".default.json.planted0.tmp", *_PREDICTABLE]
    for name in planted:
        (home / name).symlink_to(target)
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: itertools.chain(["planted0"], _random_names()))

    store = FileSessionStore(home, "default")
    store.save(signed_in("token-1"))
    store.save(signed_in("token-2"))

    assert store.load() == signed_in("token-2")
    assert snapshot(target) == before
    for name in planted:
        assert (home / name).is_symlink(), name
        assert (home / name).readlink() == target, name
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def _random_names() -> Iterator[str]:
    real: Iterator[str] = tempfile._RandomNameSequence()  # type: ignore[attr-defined]
    return real


def test_a_killed_writers_leftover_temporary_file_is_removed_by_the_next_save(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.save(fresh_session())
    leftover = tmp_path / ".default.json.k1ll3d00.tmp"  # as mkstemp names them
    leftover.write_text(json.dumps({"refresh_token": "refresh-of-the-killed-writer"}))
    leftover.chmod(0o600)
    # the temporary file of profile "default.json.x", whose writer may be between its write and its rename
    other_profile = tmp_path / ".default.json.x.json.abcd1234.tmp"
    other_profile.write_text("{}")

    assert store.load() == fresh_session()  # reading leaves it (a writer may be about to rename it)
    assert leftover.exists()
    store.save(signed_in("next"))

    assert not leftover.exists()
    assert other_profile.exists()
    assert not any("refresh-of-the-killed-writer" in p.read_text() for p in tmp_path.iterdir() if p.is_file())


# 2. Folders and files of someone else -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702], ids=oct)
def test_a_folder_writable_by_others_is_refused_and_never_served(tmp_path: Path, mode: int) -> None:
    home = tmp_path / "home"
    plant(home, fresh_session())
    assert served(home) is not None  # the control: in a private folder, the fast path serves it
    home.chmod(mode)
    before = snapshot(home / "default.json")
    store = FileSessionStore(home, "default", fast_path_scope(home))

    for name, attempt in attempts(store).items():
        with pytest.raises(StorageError, match=r"writable by other users.*run 'chmod 700 ") as raised:
            attempt()
        assert str(home) in str(raised.value), name
    assert served(home) is None

    assert stat.S_IMODE(home.stat().st_mode) == mode  # refused, not silently "fixed"
    assert snapshot(home / "default.json") == before
    assert sorted(p.name for p in home.iterdir()) == [".default.lock", "default.json"]


def test_a_folder_of_another_user_is_refused_and_never_served(
    tmp_path: Path, give_away: Callable[[Path], None]
) -> None:
    home = tmp_path / "home"
    plant(home, fresh_session())
    assert served(home) is not None
    give_away(home)
    before = snapshot(home / "default.json")
    store = FileSessionStore(home, "default", fast_path_scope(home))

    for name, attempt in attempts(store).items():
        with pytest.raises(StorageError, match=rf"belongs to another user \(uid {OTHER_UID}\)") as raised:
            attempt()
        assert str(home) in str(raised.value), name
    assert served(home) is None
    assert snapshot(home / "default.json") == before


def test_a_session_file_of_another_user_is_refused_and_never_served(
    tmp_path: Path, give_away: Callable[[Path], None]
) -> None:
    home = tmp_path / "home"
    plant(home, fresh_session())
    assert served(home) is not None
    give_away(home / "default.json")
    before = snapshot(home / "default.json")
    store = FileSessionStore(home, "default", fast_path_scope(home))

    for name in ("load", "save", "clear"):
        with pytest.raises(StorageError, match=rf"default.json belongs to another user \(uid {OTHER_UID}\)"):
            attempts(store)[name]()
    assert served(home) is None
    assert snapshot(home / "default.json") == before
    assert not list(home.glob("*.corrupt-*"))  # not ours to set aside either


# 3. umask ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o277], ids=oct)
def test_whatever_the_umask_files_are_0600_and_folders_0700(tmp_path: Path, umask: int) -> None:
    top = tmp_path / "missing"
    home = top / "parents" / "home"
    previous = os.umask(umask)
    try:
        store = FileSessionStore(home, "default")
        store.save(fresh_session())
        (home / "other.json").write_bytes(b"{corrupt")  # and a corrupt file set aside on sign-in
        FileSessionStore(home, "other").save(fresh_session())
        with store.lock():
            pass
    finally:
        os.umask(previous)

    made = sorted(top.rglob("*"))
    assert {p.name for p in made} >= {"parents", "home", "default.json", ".default.lock", ".other.lock"}
    assert len(list(home.glob("other.json.corrupt-*"))) == 1
    for path in [top, *made]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            assert mode == 0o700, path
        elif path.name != "other.json":  # the corrupt one was written by the test; it was set aside as 0600
            assert mode == 0o600, path


# 4. A FIFO --------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("alarm")
def test_a_fifo_at_the_session_path_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    os.mkfifo(home / "default.json", 0o600)
    store = FileSessionStore(home, "default", fast_path_scope(home), lock_timeout=2)

    for name in ("load", "save", "clear"):
        with pytest.raises(StorageError, match=r"default\.json is not a regular file: remove it"):
            attempts(store)[name]()
    assert served(home) is None
    assert stat.S_ISFIFO((home / "default.json").lstat().st_mode)


# 5. Huge and deep files -------------------------------------------------------------------------------------------


def test_a_100000_level_nested_json_is_corrupt(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.path.write_text("[" * 100_000 + "]" * 100_000)
    store.path.chmod(0o600)
    with pytest.raises(CorruptSession, match=rf"{RESET}") as raised:
        store.load()
    assert "nested too deeply" in str(raised.value)


_DEEP_WITH_A_HIGH_RECURSION_LIMIT = """
import sys
from pathlib import Path
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.errors import CorruptSession

sys.setrecursionlimit(1_000_000)  # as a host application may have done
store = FileSessionStore(Path(sys.argv[1]), "default")
store.path.write_text('{"version": 2, "sessions": {"": ' + "[" * 100_000 + "]" * 100_000 + "}}")
try:
    store.load()
except CorruptSession as error:
    print(error)
"""


def test_deep_nesting_is_refused_before_parsing_whatever_the_recursion_limit(tmp_path: Path) -> None:
    """json.loads recurses in C: with a raised recursion limit, 100 000 levels overflow the stack (a crash)."""
    result = subprocess.run(
        [sys.executable, "-c", _DEEP_WITH_A_HIGH_RECURSION_LIMIT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "corrupt (nested too deeply)" in result.stdout
    assert "client-auth reset" in result.stdout


def test_brackets_and_escaped_quotes_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    username = '[{\\"' * 200 + '"]}' * 50  # 400 opening brackets in a string, and escaped quotes among them
    tokens = Tokens(COGNITO, Secret("a"), now, None, Secret("r"), username, "s")
    store = FileSessionStore(tmp_path, "default")
    store.save(Session().with_tokens(tokens))
    assert store.load().tokens[COGNITO].username == username


@pytest.mark.parametrize("size_reported", ["honestly", "as small"])
def test_a_200_mb_file_is_corrupt_and_never_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size_reported: str
) -> None:
    store = FileSessionStore(tmp_path, "default")
    with open(store.path, "wb") as file:
        file.write(b'{"version": 2, "sessions": {"": ')
    os.chmod(store.path, 0o600)
    os.truncate(store.path, 200 * 1024 * 1024)  # sparse: fast, and no disk used
    if size_reported == "as small":  # a file that grows after fstat, or a filesystem that does not know its size
        real_fstat = os.fstat

        def small(fd: int) -> os.stat_result:
            fields = list(real_fstat(fd)[:10])
            fields[6] = 100  # st_size
            return os.stat_result(fields)

        monkeypatch.setattr(os, "fstat", small)

    tracemalloc.start()
    try:
        with pytest.raises(CorruptSession, match=rf"{RESET}") as raised:
            store.load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too large" in str(raised.value)
    assert peak < 4 * MAX_BYTES, peak


# 6. Corrupt files -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"version": 99, "sessions": {}}',
        b'{"version": 2, "sessions": []}',
        b'{"version": 1, "tokens": {"cognito": {}}}',
        b'{"version": 2, "sessions": {"": {"tokens": "nope"}}}',
        b"[" * 5000 + b"]" * 5000,
    ],
    ids=["not json", "not utf-8", "a list", "a future version", "bad sessions", "bad v1", "bad entry", "deep"],
)
def test_a_corrupt_file_is_a_reset_hint_to_read_and_kept_aside_by_a_sign_in(tmp_path: Path, content: bytes) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.path.write_bytes(content)
    store.path.chmod(0o600)

    with pytest.raises(CorruptSession, match=RESET) as raised:
        store.load()
    assert str(store.path) in str(raised.value)
    assert "\n" not in str(raised.value)

    store.save(signed_in("after"))  # what a new sign-in does

    assert store.load() == signed_in("after")
    [aside] = tmp_path.glob("default.json.corrupt-*")
    assert aside.read_bytes() == content
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    stamp = aside.name.removeprefix("default.json.corrupt-")
    assert datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
session_fields = st.sampled_from(
    ["tokens", "pending", "authenticated_identity_id", "guest_identity_id", "credentials", "linked_logins"]
)
entries = st.dictionaries(session_fields, json_values, max_size=6) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(lambda v: {"version": 1, **v}, st.dictionaries(session_fields, json_values, max_size=6)).map(
            lambda v: json.dumps(v).encode()
        ),
        st.dictionaries(st.sampled_from(["", "mine", "other"]), entries, max_size=3).map(
            lambda sessions: json.dumps({"version": 2, "sessions": sessions}).encode()
        ),
    )
)
def test_whatever_the_file_holds_a_sign_in_replaces_it_and_loses_nothing(tmp_path: Path, content: bytes) -> None:
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    os.chmod(home, 0o700)
    store, other = FileSessionStore(home, "default", "mine"), FileSessionStore(home, "default", "other")
    store.path.write_bytes(content)
    os.chmod(store.path, 0o600)
    try:
        readable = store.load() is not None
    except CorruptSession as error:
        assert "\n" not in str(error)
        assert "client-auth reset" in str(error)
        readable = False
    try:
        others = other.load()
    except CorruptSession:
        others = None

    store.save(signed_in("new"))  # a new sign-in never fails over what was there

    assert store.load() == signed_in("new")
    asides = list(home.glob("default.json.corrupt-*"))
    assert [p.read_bytes() for p in asides] == ([] if readable else [content])
    if readable or _ours(content):  # the file's format was ours: the other configuration's session stays
        assert (other.load() if others is not None else None) == others
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]


def _ours(content: bytes) -> bool:
    try:
        return codec.is_readable(json.loads(content))
    except ValueError:
        return False


def test_where_hard_links_are_not_supported_the_corrupt_file_is_moved_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    store = FileSessionStore(tmp_path, "default")
    store.path.write_bytes(b"{not json")
    monkeypatch.setattr(os, "link", unsupported)
    store.save(signed_in("after"))
    assert store.load() == signed_in("after")
    assert [p.read_bytes() for p in tmp_path.glob("default.json.corrupt-*")] == [b"{not json"]


def test_reset_over_a_corrupt_file_keeps_it_aside(tmp_path: Path) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.path.write_bytes(b"{not json")
    store.clear()
    assert not store.path.exists()
    assert [p.read_bytes() for p in tmp_path.glob("default.json.corrupt-*")] == [b"{not json"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileSessionStore(tmp_path, "default")
    store.save(signed_in("before"))

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(
        StorageError, match=r"Cannot write the session file .*default\.json \(No space left on device\)"
    ):
        store.save(signed_in("after"))
    monkeypatch.undo()

    assert store.load() == signed_in("before")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".default.lock", "default.json"]


def test_a_lock_held_elsewhere_is_a_clear_error_after_the_timeout(tmp_path: Path) -> None:
    holder = FileSessionStore(tmp_path, "default")
    waiter = FileSessionStore(tmp_path, "default", lock_timeout=0.2)
    with holder.lock(), pytest.raises(StorageError, match=r"Another process holds the lock on .*; try again"):
        waiter.save(signed_in("waiting"))
    waiter.save(signed_in("after"))
    assert holder.load() == signed_in("after")


def test_a_folder_at_the_session_path_or_a_file_at_the_folder_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "default.json").mkdir()
    store = FileSessionStore(tmp_path, "default")
    for name in ("load", "save", "clear"):
        with pytest.raises(StorageError, match=r"default\.json is not a regular file: remove it"):
            attempts(store)[name]()
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    for attempt in attempts(FileSessionStore(blocker, "default")).values():
        with pytest.raises(StorageError, match=r"blocker is not a folder: choose another \[storage\] path"):
            attempt()


# 7. A read-only folder --------------------------------------------------------------------------------------------


def _read_only_outcomes(home: str) -> dict[str, str]:
    """Every path through a folder the caller cannot write; runs as the folder's owner."""
    folder = Path(home)
    outcomes: dict[str, str] = {}

    def attempt(name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except StorageError as error:
            outcomes[name] = f"StorageError: {error}"
        except BaseException as error:
            outcomes[name] = f"{type(error).__name__}: {error}"
        else:
            outcomes[name] = "ok"

    absent = FileSessionStore(folder, "absent", lock_timeout=5)
    present = FileSessionStore(folder, "present", lock_timeout=5)  # its lock file exists already
    fresh = FileSessionStore(folder, "fresh", lock_timeout=5)  # a session, but no lock file yet
    corrupt = FileSessionStore(folder, "corrupt", lock_timeout=5)
    attempt("load an absent file", lambda: _expect(absent.load(), Session()))
    attempt("load a session", lambda: _expect(present.load(), fresh_session("ro")))
    for label, store in (("absent", absent), ("present", present), ("fresh", fresh), ("corrupt", corrupt)):
        attempt(f"save {label}", lambda s=store: s.save(signed_in("new")))  # type: ignore[misc]
        attempt(f"clear {label}", store.clear)
        attempt(f"lock {label}", lambda s=store: _hold(s))  # type: ignore[misc]
    return outcomes


def _expect(actual: object, expected: object) -> None:
    if actual != expected:
        raise AssertionError(f"{actual!r} != {expected!r}")


def _hold(store: FileSessionStore) -> None:
    with store.lock():
        pass


def _prepare_read_only(home: Path) -> None:
    home.mkdir(mode=0o700)
    for profile in ("present", "fresh"):
        FileSessionStore(home, profile).save(fresh_session("ro"))
    (home / ".fresh.lock").unlink()
    (home / "corrupt.json").write_bytes(b"{corrupt")
    (home / "corrupt.json").chmod(0o600)
    (home / ".corrupt.lock").unlink(missing_ok=True)


def _run_as(uid: int, function: Callable[[str], dict[str, str]], argument: str) -> dict[str, str]:
    """``function(argument)`` in a forked child that has dropped root for ``uid`` (the interpreter is not exec'd
    again: it may live where that uid cannot read, as under /root here)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            payload = json.dumps(function(argument))
        except BaseException as error:
            payload = json.dumps({"child failed": repr(error)})
        finally:
            os.write(write, payload.encode())
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    result: dict[str, str] = json.loads(data)
    return result


def test_a_read_only_folder_is_one_clear_error_on_every_path(tmp_path: Path) -> None:
    if ROOT:  # chmod does not stop root: the folder belongs to another uid, which the checks run as
        base = Path(tempfile.mkdtemp())  # not under tmp_path, whose parents that uid cannot enter
        try:
            home = base / "home"
            _prepare_read_only(home)
            for path in [base, *base.rglob("*")]:
                os.chown(path, OTHER_UID, OTHER_UID, follow_symlinks=False)
            home.chmod(0o500)
            _warm_up_imports(tmp_path)
            outcomes = _run_as(OTHER_UID, _read_only_outcomes, str(home))
        finally:
            shutil.rmtree(base)
    else:  # pragma: no cover - CI runs as root
        home = tmp_path / "home"
        _prepare_read_only(home)
        home.chmod(0o500)
        try:
            outcomes = _read_only_outcomes(str(home))
        finally:
            home.chmod(0o700)

    assert "child failed" not in outcomes, outcomes
    assert outcomes.pop("load an absent file") == "ok"
    assert outcomes.pop("load a session") == "ok"
    expected = (
        f"StorageError: The session folder {home} is read-only for you (Permission denied), so no session can be "
        f"saved or removed there: run 'chmod 700 {home}', or choose another [storage] path."
    )
    assert outcomes == dict.fromkeys(outcomes, expected)
    assert len(outcomes) == 12


def _warm_up_imports(tmp_path: Path) -> None:
    """Whatever the store imports lazily is imported before the fork (the child may not read the stdlib)."""
    warm = tmp_path / "warm"
    store = FileSessionStore(warm, "default")
    store.path.parent.mkdir(mode=0o700)
    store.path.write_bytes(b"{corrupt")
    store.save(fresh_session())
    store.clear()


def test_only_the_newest_set_aside_copies_are_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = FileSessionStore(home, "default", "mine")
    home.mkdir(mode=0o700, exist_ok=True)
    planted = home / "default.json.corrupt-00000000T000000.000000Z"
    target = tmp_path / "not-yours"
    target.write_text("kept")
    planted.symlink_to(target)  # a link among the copies: never followed, never removed through
    written = []
    for round_ in range(5):
        store.path.write_bytes(b"{not json " + str(round_).encode())
        os.chmod(store.path, 0o600)
        store.save(signed_in(f"user-{round_}"))
        written.append(b"{not json " + str(round_).encode())
    copies = sorted(home.glob("default.json.corrupt-*"))
    regular = [p for p in copies if not p.is_symlink()]
    assert [p.read_bytes() for p in regular] == written[-3:]  # the newest three, oldest first
    assert target.read_text() == "kept"
