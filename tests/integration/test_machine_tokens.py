"""Machine-to-machine tokens: the client credentials grant against the stand-in (``tests.managed_login``), the
cache per profile, configuration and scope set, refreshed shortly before expiry, and one fetch at a time for
many threads and many processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
from aws_client_auth.adapters.oauth.client_credentials import ClientCredentialsClient
from aws_client_auth.adapters.oauth.token_cache import (
    FOLDER,
    MAX_ENTRIES,
    FileMachineTokenCache,
    MemoryMachineTokenCache,
)
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.adapters.system import SystemClock, SystemSleeper
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.machine_tokens import MachineTokenCache
from aws_client_auth.application.use_cases.machine_token import GetMachineToken
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import OperationFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import MachineToken, scope_set
from tests.fakes import START, FakeClock, RecordingEvents
from tests.managed_login import MACHINE_CLIENT, PUBLIC_CLIENT, ManagedLogin, managed_login

READ, WRITE = "games/read", "games/write"


@pytest.fixture
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


def source(
    server: ManagedLogin, clock: Clock | None = None, *, client_id: str = MACHINE_CLIENT, secret: str | None = None
) -> ClientCredentialsClient:
    key = server.clients[client_id].secret if secret is None else secret
    http = token_endpoint_http(client_id, Secret(key or ""), timeout=5, max_attempts=2, sleeper=SystemSleeper())
    return ClientCredentialsClient(
        token_url=f"{server.url}/oauth2/token",
        client_id=client_id,
        has_secret=True,
        transport=OAuthTransport(http),
        clock=clock or SystemClock(),
    )


def machine(
    server: ManagedLogin,
    home: Path,
    clock: Clock | None = None,
    *,
    scope: str = "config-a",
    cache: MachineTokenCache | None = None,
    events: RecordingEvents | None = None,
) -> GetMachineToken:
    """One process's use case, as the container would build it."""
    clock = clock or SystemClock()
    return GetMachineToken(
        source(server, clock),
        cache or FileMachineTokenCache(home, "default", scope),
        clock,
        events or RecordingEvents(),
        default_scopes=READ,
    )


def fetches(server: ManagedLogin) -> int:
    return server.counts["token:client_credentials"]


# --- the grant -------------------------------------------------------------------------------------------------


def test_a_machine_token_comes_from_the_client_credentials_grant(server: ManagedLogin) -> None:
    token = source(server).fetch(scope_set([READ, WRITE]))
    assert token.scopes == {READ, WRITE}
    assert token.token_type == "Bearer"
    assert timedelta(minutes=59) < token.expires_at - token.issued_at <= timedelta(hours=1)
    assert server.token_forms[-1] == {"grant_type": "client_credentials", "scope": f"{READ} {WRITE}"}
    claims = server.verify(token.access_token.reveal(), use="access")
    assert claims is not None
    assert claims["client_id"] == MACHINE_CLIENT


def test_no_scope_asks_for_every_scope_the_client_is_allowed(server: ManagedLogin) -> None:
    token = source(server).fetch(frozenset())
    assert "scope" not in server.token_forms[-1]
    assert token.scopes == frozenset()  # the answer does not say, as Cognito's does not
    server.grant_scope = True
    assert source(server).fetch(frozenset()).scopes == {READ, WRITE}


def test_a_scope_the_client_may_not_have_is_a_configuration_error(server: ManagedLogin) -> None:
    with pytest.raises(e.ConfigurationError, match="check its client id, secret and scope") as raised:
        source(server).fetch(frozenset({"games/admin"}))
    assert raised.value.service_code == "invalid_scope"


def test_a_wrong_secret_is_a_configuration_error_that_never_shows_it(server: ManagedLogin) -> None:
    with pytest.raises(e.ConfigurationError) as raised:
        source(server, secret="wrong-machine-secret").fetch(frozenset())
    assert raised.value.service_code == "invalid_client"
    assert "wrong-machine-secret" not in str(raised.value)


def test_a_client_not_allowed_the_grant_is_told_so(server: ManagedLogin) -> None:
    server.clients[PUBLIC_CLIENT].secret = "public-now-secret"
    with pytest.raises(e.ConfigurationError) as raised:
        source(server, client_id=PUBLIC_CLIENT).fetch(frozenset())
    assert raised.value.service_code == "unauthorized_client"


def test_missing_settings_are_named() -> None:
    with pytest.raises(e.ProviderNotConfigured, match=r"\[machine\] client_id, client_secret, token_url"):
        ClientCredentialsClient(
            token_url="",
            client_id="",
            has_secret=False,
            transport=OAuthTransport(token_endpoint_http("", None, timeout=1, max_attempts=1, sleeper=SystemSleeper())),
            clock=SystemClock(),
        )


@pytest.mark.parametrize("scopes", ['"quoted"', "back\\slash", "x" * 300])
def test_impossible_scopes_are_refused_before_any_request(server: ManagedLogin, tmp_path: Path, scopes: str) -> None:
    with pytest.raises(e.InvalidInput, match="not a valid OAuth scope"):
        machine(server, tmp_path).execute(scopes)
    assert fetches(server) == 0


# --- the cache -------------------------------------------------------------------------------------------------


def test_a_token_is_kept_across_runs(server: ManagedLogin, tmp_path: Path) -> None:
    first = machine(server, tmp_path).execute()
    second = machine(server, tmp_path).execute()  # another process: a new use case, the same folder
    assert second.access_token == first.access_token
    assert fetches(server) == 1


def test_tokens_are_kept_per_scope_set(server: ManagedLogin, tmp_path: Path) -> None:
    get = machine(server, tmp_path)
    both = get.execute([WRITE, READ])
    assert get.execute(f"{READ} {WRITE}").access_token == both.access_token
    assert get.execute([READ]).access_token != both.access_token
    assert machine(server, tmp_path).execute(f"  {WRITE}   {READ} ").access_token == both.access_token
    assert fetches(server) == 2


def test_tokens_are_kept_per_profile_and_configuration(server: ManagedLogin, tmp_path: Path) -> None:
    clock = SystemClock()
    ours = machine(server, tmp_path).execute()
    other_config = machine(server, tmp_path, scope="config-b").execute()
    other_profile = GetMachineToken(
        source(server), FileMachineTokenCache(tmp_path, "ci", "config-a"), clock, RecordingEvents(), READ
    ).execute()
    assert len({ours.access_token, other_config.access_token, other_profile.access_token}) == 3
    assert machine(server, tmp_path).execute().access_token == ours.access_token
    assert fetches(server) == 3


def test_a_token_is_replaced_shortly_before_it_expires(server: ManagedLogin, tmp_path: Path) -> None:
    clock = FakeClock()
    get = machine(server, tmp_path, clock)
    first = get.execute()
    assert first.refresh_ahead == timedelta(minutes=5)
    clock.advance(3600 - 301)
    assert get.execute().access_token == first.access_token
    assert machine(server, tmp_path, clock).execute().access_token == first.access_token
    clock.advance(2)
    assert get.execute().access_token != first.access_token
    assert fetches(server) == 2


def test_short_lived_tokens_are_replaced_at_a_quarter_of_their_life(server: ManagedLogin, tmp_path: Path) -> None:
    server.lifetime = 300
    clock = FakeClock()
    get = machine(server, tmp_path, clock)
    first = get.execute()
    assert first.refresh_ahead == timedelta(seconds=75)
    clock.advance(224)
    assert get.execute().access_token == first.access_token
    clock.advance(2)
    assert get.execute().access_token != first.access_token


def test_force_fetches_anew(server: ManagedLogin, tmp_path: Path) -> None:
    get = machine(server, tmp_path)
    first = get.execute()
    assert get.execute(force=True).access_token != first.access_token
    assert machine(server, tmp_path).execute().access_token != first.access_token
    assert fetches(server) == 2


def test_a_refused_token_is_replaced_once_for_everyone(server: ManagedLogin, tmp_path: Path) -> None:
    one, two = machine(server, tmp_path), machine(server, tmp_path)
    rejected = one.execute().access_token
    assert two.execute().access_token == rejected
    replaced = one.replacing(rejected)
    assert replaced.access_token != rejected
    assert two.replacing(rejected).access_token == replaced.access_token  # the other process's fetch is reused
    assert fetches(server) == 2


def test_forget_drops_the_kept_tokens(server: ManagedLogin, tmp_path: Path) -> None:
    get = machine(server, tmp_path)
    other = machine(server, tmp_path, scope="config-b")
    first, kept = get.execute(), other.execute()
    get.forget()
    assert machine(server, tmp_path).execute().access_token != first.access_token
    assert machine(server, tmp_path, scope="config-b").execute().access_token == kept.access_token


def test_a_failed_fetch_keeps_nothing_and_is_published(server: ManagedLogin, tmp_path: Path) -> None:
    events = RecordingEvents()
    server.clients[MACHINE_CLIENT].client_credentials = False
    with pytest.raises(e.ConfigurationError):
        machine(server, tmp_path, events=events).execute()
    failures = events.of(OperationFailed)
    assert len(failures) == 1
    assert isinstance(failures[0], OperationFailed)
    assert failures[0].operation == "machine_token"
    assert not (tmp_path / FOLDER / "default.json").exists()


def test_the_memory_cache_serves_one_process(server: ManagedLogin, tmp_path: Path) -> None:
    cache = MemoryMachineTokenCache()
    first = machine(server, tmp_path, cache=cache).execute()
    assert machine(server, tmp_path, cache=cache).execute().access_token == first.access_token
    assert not (tmp_path / FOLDER).exists()


# --- the cache file --------------------------------------------------------------------------------------------


def test_the_cache_file_is_private(server: ManagedLogin, tmp_path: Path) -> None:
    home = tmp_path / "home"
    umask = os.umask(0o002)
    try:
        token = machine(server, home).execute()
    finally:
        os.umask(umask)
    folder, file = home / FOLDER, home / FOLDER / "default.json"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert token.access_token.reveal() in file.read_text()
    assert not [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_an_unreadable_cache_is_replaced_by_the_next_fetch(
    server: ManagedLogin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    machine(server, tmp_path).execute()
    file = tmp_path / FOLDER / "default.json"
    for garbage in ("{not json", "[" * 5000, json.dumps({"version": 99, "tokens": {}}), '{"version":1,"tokens":[]}'):
        file.write_text(garbage)
        machine(server, tmp_path).execute()
        assert json.loads(file.read_text())["version"] == 1
    assert "cannot be read" in caplog.text
    assert fetches(server) == 5


def test_entries_this_version_did_not_write_are_cache_misses(server: ManagedLogin, tmp_path: Path) -> None:
    file = tmp_path / FOLDER / "default.json"
    machine(server, tmp_path).execute()
    document = json.loads(file.read_text())
    entry = document["tokens"]["config-a"][READ]
    for broken in ({**entry, "expires_at": "soon"}, {**entry, "access_token": 7}, {**entry, "scopes": "x"}, "nonsense"):
        document["tokens"]["config-a"][READ] = broken
        document["tokens"]["config-z"] = "not a mapping"
        file.write_text(json.dumps(document))
        assert machine(server, tmp_path).execute().access_token.reveal()
    assert fetches(server) == 5


def test_a_symlinked_cache_file_is_refused(server: ManagedLogin, tmp_path: Path) -> None:
    (tmp_path / FOLDER).mkdir(mode=0o700, parents=True)
    (tmp_path / "elsewhere.json").write_text("{}")
    (tmp_path / FOLDER / "default.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(e.StorageError, match="symbolic link"):
        machine(server, tmp_path).execute()


def test_what_is_not_a_regular_file_of_ours_is_refused(server: ManagedLogin, tmp_path: Path) -> None:
    folder = tmp_path / FOLDER
    folder.mkdir(mode=0o700, parents=True)
    os.mkfifo(folder / "default.json")
    with pytest.raises(e.StorageError, match="not a regular file"):
        machine(server, tmp_path).execute()
    (folder / "default.json").unlink()
    if os.geteuid() == 0:  # only root can give the file away
        machine(server, tmp_path).execute()
        os.chown(folder / "default.json", 65534, 65534)
        with pytest.raises(e.StorageError, match="belongs to another user"):
            machine(server, tmp_path).execute(force=True)


def test_a_writer_killed_before_its_rename_leaves_nothing_behind(server: ManagedLogin, tmp_path: Path) -> None:
    folder = tmp_path / FOLDER
    folder.mkdir(mode=0o700, parents=True)
    leftover = folder / ".default.json.k1ll3d.tmp"
    leftover.write_text('{"access_token": "half-written"}')
    other = folder / ".ci.json.k1ll3d.tmp"  # another profile's: not ours to remove
    other.write_text("{}")
    machine(server, tmp_path).execute()
    assert not leftover.exists()
    assert other.exists()


def test_a_folder_others_can_write_is_refused(server: ManagedLogin, tmp_path: Path) -> None:
    folder = tmp_path / FOLDER
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(e.StorageError, match="writable by other users"):
        machine(server, tmp_path).execute()
    assert fetches(server) == 0


def test_the_cache_never_grows_without_bound(tmp_path: Path) -> None:
    cache = FileMachineTokenCache(tmp_path, "default", "config-a")
    for n in range(MAX_ENTRIES + 10):
        token = MachineToken(Secret(f"token-{n:04d}"), START + timedelta(hours=1, seconds=n), START)
        cache.save(frozenset({f"scope/{n}"}), token)
    document = json.loads((tmp_path / FOLDER / "default.json").read_text())
    assert len(document["tokens"]["config-a"]) == MAX_ENTRIES
    assert cache.load(frozenset({f"scope/{MAX_ENTRIES + 9}"})) is not None
    assert cache.load(frozenset({"scope/0"})) is None


def test_expired_entries_are_dropped_when_another_is_written(tmp_path: Path) -> None:
    cache = FileMachineTokenCache(tmp_path, "default", "config-a")
    cache.save(frozenset({"old"}), MachineToken(Secret("old-token"), START + timedelta(minutes=5), START))
    later = START + timedelta(hours=1)
    cache.save(frozenset({"new"}), MachineToken(Secret("new-token"), later + timedelta(hours=1), later))
    assert cache.load(frozenset({"old"})) is None
    assert cache.load(frozenset({"new"})) is not None


# --- one fetch at a time -----------------------------------------------------------------------------------------


def test_many_threads_cause_one_fetch(server: ManagedLogin, tmp_path: Path) -> None:
    server.slow_token = 0.3
    get = machine(server, tmp_path)
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def ask() -> None:
        barrier.wait()
        tokens.append(get.execute().access_token.reveal())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(tokens) == 8
    assert len(set(tokens)) == 1
    assert fetches(server) == 1


CHILD = textwrap.dedent(
    """
    import hashlib, os, sys, time
    from pathlib import Path

    from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
    from aws_client_auth.adapters.oauth.client_credentials import ClientCredentialsClient
    from aws_client_auth.adapters.oauth.token_cache import FileMachineTokenCache
    from aws_client_auth.adapters.oauth.transport import OAuthTransport
    from aws_client_auth.adapters.system import SystemClock, SystemSleeper
    from aws_client_auth.application.use_cases.machine_token import GetMachineToken
    from aws_client_auth.domain.secret import Secret
    from tests.fakes import RecordingEvents

    url, home, client_id, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    http = token_endpoint_http(
        client_id, Secret(os.environ["MACHINE_SECRET"]), timeout=10, max_attempts=2, sleeper=SystemSleeper()
    )
    source = ClientCredentialsClient(
        token_url=url, client_id=client_id, has_secret=True, transport=OAuthTransport(http), clock=SystemClock()
    )
    get = GetMachineToken(source, FileMachineTokenCache(home, "default", "ci"), SystemClock(), RecordingEvents())
    (home / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 30
    while len(list(home.glob("ready-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    token = get.execute("games/read").access_token.reveal()
    print(hashlib.sha256(token.encode()).hexdigest())
    """
)


def test_many_processes_cause_one_fetch(server: ManagedLogin, tmp_path: Path) -> None:
    server.slow_token = 0.5
    count = 5
    secret = server.clients[MACHINE_CLIENT].secret or ""
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "MACHINE_SECRET": secret, "PYTHONPATH": str(root)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, f"{server.url}/oauth2/token", str(tmp_path), MACHINE_CLIENT, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=root,
        )
        for _ in range(count)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert all(child.returncode == 0 for child in children), [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1
    assert fetches(server) == 1
    assert server.most_in_flight == 1
