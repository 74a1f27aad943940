"""The credential_process fast path serves exactly what the credential service would serve from the same file.

The fast path reads with the standard library only (``fast.fresh_credentials``, ``fast.read_session_entry``,
``fast.process_settings``); the full path decodes the entry into the domain (``codec.decode``) and asks
``Session.cached_credentials``. Here both read the same stored entries at the same clock values: the fast reader
either gives the full path's exact answer or none at all (the full path then runs), and on the common case (a
session the codec wrote, a TOML file or the environment) it answers whenever the full path would serve cached
credentials.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aws_client_auth.adapters.aws_sdk import credential_process_json
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores import codec
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import ClientAuthError, CorruptSession, StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import RememberedDevice
from aws_client_auth.entrypoints.cli.fast import (
    Light,
    cached_process_credentials,
    fresh_credentials,
    pre_read_settings,
    process_settings,
    read_session_entry,
)
from aws_client_auth.entrypoints.environment import profile_name, session_home, session_scope

NOW = datetime.now(UTC)
PROCESS = ["credentials", "--format", "process"]


def credentials(*, authenticated: bool, left: timedelta, life: timedelta | None = timedelta(hours=1)) -> Credentials:
    now = datetime.now(UTC)  # the real clock the subprocess reads: not the module's NOW, which a long run ages
    issued = None if life is None else now + left - life
    return Credentials("ASIAFAST", Secret("sk"), Secret("st"), now + left, "us-west-2:x", authenticated, issued)


SIGNED_IN = Session().with_tokens(Tokens(COGNITO, Secret("access"), NOW + timedelta(hours=1), Secret("id")))


def full_answer(entry: Any, now: datetime) -> dict[str, Any] | StorageError | None:
    """What the full path serves from this stored entry: the credential_process answer, None (it asks the
    identity pool), or the codec's error (it reports a corrupt file)."""
    try:
        session = codec.decode(entry)
    except StorageError as error:
        return error
    creds = session.cached_credentials(now)
    return None if creds is None else credential_process_json(creds)


def assert_same(entry: Any, now: datetime, *, common: bool) -> None:
    fast = fresh_credentials(entry, now)
    full = full_answer(entry, now)
    if fast is not None:
        assert not isinstance(full, StorageError)
        assert fast == full
    elif common:
        assert full is None  # the common case: the fast path falls back only where the full path asks the pool


@pytest.mark.parametrize(
    ("make", "served"),
    [
        (lambda: Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=50))), True),
        (lambda: SIGNED_IN.with_credentials(credentials(authenticated=True, left=timedelta(minutes=50))), True),
        (lambda: Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=10))), False),
        (
            lambda: Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=20), life=None)),
            True,
        ),
        (
            lambda: Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=14), life=None)),
            False,
        ),
        (
            lambda: Session().with_credentials(credentials(authenticated=False, left=timedelta(seconds=70), life=None)),
            False,
        ),
        (lambda: SIGNED_IN.with_credentials(credentials(authenticated=False, left=timedelta(minutes=50))), False),
        (lambda: Session().with_credentials(credentials(authenticated=True, left=timedelta(minutes=50))), False),
        (lambda: Session().with_credentials(credentials(authenticated=False, left=-timedelta(minutes=5))), False),
        (lambda: SIGNED_IN, False),
    ],
    ids=[
        "fresh guest",
        "fresh authenticated",
        "refresh due",
        "no issue time, fresh",
        "no issue time, refresh due",
        "no issue time, nearly expired",
        "guest credentials while signed in",
        "authenticated credentials with no one signed in",
        "expired",
        "none kept",
    ],
)
def test_the_fast_path_serves_what_the_session_says_is_fresh(
    tmp_path: Path, make: Callable[[], Session], served: bool
) -> None:
    session = make()  # built now, not when collected: a long run must not age the credentials
    environ = {"CLIENT_AUTH_HOME": str(tmp_path)}
    scope = session_scope(load_settings([], environ=environ))
    FileSessionStore(tmp_path, "default", scope).save(session)
    answer = cached_process_credentials(PROCESS, environ)
    assert (session.cached_credentials(datetime.now(UTC)) is not None) is served  # the credential service's rule
    if served:
        kept = session.cached_credentials(datetime.now(UTC))
        assert answer is not None
        assert kept is not None
        assert json.loads(answer) == credential_process_json(kept)
    else:
        assert answer is None  # the full CLI runs, and asks the identity pool


DEVICE = RememberedDevice("us-west-2_device-key", Secret("group"), Secret("password"), remembered=True)
OFFSETS = st.integers(min_value=-2 * 3600, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    """Sessions as the codec writes them: tokens or none, credentials of either kind, any lifetime and any time
    left (or none kept), identities, linked logins and remembered devices."""
    signed_in = draw(st.booleans())
    session = SIGNED_IN if signed_in else Session()
    if draw(st.booleans()):
        device = DEVICE if draw(st.booleans()) else None
        tokens = Tokens(COGNITO, Secret("a"), NOW + draw(OFFSETS), Secret("i"), Secret("r"), "alice", "sub", device)
        session = session.with_tokens(tokens)
    if draw(st.booleans()):
        life = draw(st.one_of(st.none(), OFFSETS))
        left = draw(OFFSETS)
        issued = None if life is None else NOW + left - life
        authenticated = draw(st.booleans())
        creds = Credentials("ASIAHYPO", Secret("s"), Secret("t"), NOW + left, "us-west-2:h", authenticated, issued)
        session = session.with_credentials(creds)
    devices = {"cognito/alice": DEVICE} if draw(st.booleans()) else {}
    return Session(
        tokens=session.tokens,
        credentials=session.credentials,
        authenticated_identity_id=draw(st.one_of(st.none(), st.just("us-west-2:auth"))),
        guest_identity_id=draw(st.one_of(st.none(), st.just("us-west-2:guest"))),
        linked_logins=frozenset(draw(st.lists(st.sampled_from(["cognito", "lwa"]), max_size=2))),
        devices=devices,
    )


CLOCKS = st.integers(min_value=-3600, max_value=5 * 3600).map(lambda s: NOW + timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(session=sessions(), now=CLOCKS)
def test_any_stored_session_at_any_time_gets_the_same_answer(session: Session, now: datetime) -> None:
    entry = json.loads(json.dumps(codec.encode(session)))  # what the file holds
    assert_same(entry, now, common=True)


@pytest.mark.parametrize(
    "life",
    [None, timedelta(seconds=1), timedelta(minutes=20), timedelta(hours=1), timedelta(hours=2), timedelta(hours=12)],
)
@pytest.mark.parametrize("authenticated", [False, True])
def test_at_the_edge_of_the_refresh_window_both_readers_agree(life: timedelta | None, authenticated: bool) -> None:
    """Either side of the advisory window (a quarter of the lifetime, at most 15 minutes; an hour's lifetime when
    the issue time is unknown), to the microsecond."""
    creds = credentials(authenticated=authenticated, left=timedelta(hours=1), life=life)
    window = creds.advisory_window
    base = SIGNED_IN if authenticated else Session()
    entry = json.loads(json.dumps(codec.encode(base.with_credentials(creds))))
    answers = []
    for nudge in (-1, 0, 1):
        now = creds.expiration - window + timedelta(microseconds=nudge)
        assert_same(entry, now, common=True)
        answers.append(fresh_credentials(entry, now) is not None)
    assert answers == [True, False, False]


MUTATIONS: list[tuple[str, Any]] = [
    ("credentials.expiration", "2030-01-01T00:00:00"),  # naive: the domain refuses it
    ("credentials.expiration", "not a time"),
    ("credentials.expiration", None),
    ("credentials.issued_at", "yesterday"),
    ("credentials.issued_at", ""),
    ("credentials.issued_at", 0),
    ("credentials.access_key_id", 12345),
    ("credentials.secret_key", None),
    ("credentials.authenticated", "yes"),
    ("credentials.authenticated", 1),
    ("credentials.extra", "a field of a later version"),
    ("credentials", []),
    ("credentials", "ASIA"),
    ("tokens", []),
    ("tokens.cognito", "token"),
    ("tokens.Cognito", {"access_token": "a", "expires_at": "2030-01-01T00:00:00+00:00"}),
    ("tokens.lwa", {"access_token": "a", "expires_at": "2030-01-01T00:00:00"}),
    ("tokens.lwa", {"access_token": None, "expires_at": "2030-01-01T00:00:00+00:00"}),
    ("tokens.lwa", {"access_token": "a"}),
    ("tokens.lwa", {"access_token": "a", "expires_at": "2030-01-01T00:00:00+00:00", "device": {"key": "k k"}}),
    ("tokens.lwa", {"access_token": "a", "expires_at": "2030-01-01T00:00:00+00:00", "username": 7}),
    ("pending", {"type": "device"}),
    ("version", 2),
    ("version", 1),
    ("linked_logins", 5),
    ("linked_logins", "cognito"),
    ("devices", {"x": None}),
    ("devices", {"x": {"key": "", "group_key": "g", "password": "p"}}),
    ("devices", {"x": {"key": "k", "group_key": "g", "password": "p", "remembered": "yes"}}),
    ("devices", {"x": {"key": "k\u00e9", "group_key": "g", "password": "p"}}),
    ("devices", []),
    ("guest_identity_id", 3),
    ("sign_up", {"session": "s"}),
    ("tokens", None),
]


@settings(max_examples=300, deadline=None)
@given(session=sessions(), now=CLOCKS, mutation=st.sampled_from(MUTATIONS))
def test_an_entry_the_codec_did_not_write_is_never_served_unless_the_full_path_serves_it_too(
    session: Session, now: datetime, mutation: tuple[str, Any]
) -> None:
    entry = json.loads(json.dumps(codec.encode(session)))
    where, value = mutation
    *parents, last = where.split(".")
    target = entry
    for part in parents:
        if not isinstance(target.get(part), dict):
            return  # nothing there to change in this session
        target = target[part]
    target[last] = value
    assert_same(entry, now, common=False)


# --- the settings pre-reader: the same file and scope as the loader, or the full path ----------------------------

TOML_CASES: list[tuple[str, dict[str, str]]] = [
    ("", {}),
    ('[cognito]\nuser_pool_id = "eu-west-1_Abc"\napp_client_id = "client1"\n', {}),
    (
        (
            '[aws]\nregion = "eu-west-1"\n[cognito]\nuser_pool_id = "eu-west-1_Abc"\napp_client_id = "client1"\n'
            'identity_pool_id = "eu-west-1:0000-aaaa"\nrevoke_on_sign_out = false\n[storage]\nbackend = "file"\n'
            "[network]\ntimeout_seconds = 5\nmax_attempts = 3\n[session]\nrefresh_skew_seconds = 60\n"
        ),
        {},
    ),
    ('[aws]\nendpoint_url = "http://127.0.0.1:4566"\n', {}),
    ('[aws]\nendpoint_url = "https://cognito.example.com/base"\n', {}),
    ('[aws]\nendpoint_url = "http://cognito.example.com"\n', {}),  # refused by the loader
    ('[aws]\nendpoint_url = "http://10.0.0.1"\n[network]\nallow_insecure_http = true\n', {}),  # warned about
    ('[aws]\nregion = "nowhere"\n', {}),
    ('[cognito]\nuser_pool_id = "no underscore"\n', {}),
    ("[cognito]\nuser_pool_id = 5\n", {}),
    ('[cognito]\nmystery = "x"\n', {}),
    ('[mystery]\nkey = "x"\n', {}),
    ('[storage]\nbackend = "keyring"\n', {}),
    ('[storage]\nbackend = "memory"\n', {}),
    ('[storage]\nbackend = "vault"\n', {}),
    ('[storage]\npath = "~/sessions"\n', {}),
    ('[providers.login_with_amazon]\napp_client_id = "amzn1.x"\n[providers.google]\napp_client_id = "g"\n', {}),
    ('[providers.login_with_amazon]\noauth_tokens_url = "https://evil.example.com/token"\n', {}),
    ('[providers.myidp]\nurl = "https://idp.example.com"\n', {}),
    ('[providers.lwa]\nurl = "https://idp.example.com"\n', {}),
    ('[cognito.client_metadata]\nteam = "blue"\n', {}),
    ("[cognito.client_metadata]\nteam = 1\n", {}),
    ('[passkeys]\nauthenticator = "fido2"\n', {}),
    ('[cognito]\ndomain = "myapp"\n', {}),
    ("[network]\ntimeout_seconds = 0\n", {}),
    ("[network]\nmax_attempts = 11\n", {}),
    ("[network]\ntimeout_seconds = nan\n", {}),
    ("[session]\nrefresh_skew_seconds = true\n", {}),
    ("not toml at all = = =", {}),
    ('{"AWSResourceMappings": {}}', {}),
    ("cognito = 1\n", {}),
    ("", {"AWS_REGION": "eu-central-1", "CLIENT_AUTH_COGNITO__USER_POOL_ID": "eu-central-1_Env"}),
    ("", {"AWS_ENDPOINT_URL": "http://localhost:9229"}),
    ("", {"AWS_DEFAULT_REGION": "bad region"}),
    ("", {"CLIENT_AUTH_NETWORK__MAX_ATTEMPTS": "3", "CLIENT_AUTH_COGNITO__REVOKE_ON_SIGN_OUT": "off"}),
    ("", {"CLIENT_AUTH_NETWORK__MAX_ATTEMPTS": "three"}),
    ("", {"CLIENT_AUTH_COGNITO__REVOKE_ON_SIGN_OUT": "maybe"}),
    ("", {"CLIENT_AUTH_STORAGE__BACKEND": "keyring"}),
    ("", {"CLIENT_AUTH_STORAGE__PATH": "{tmp}/elsewhere"}),
    ("", {"CLIENT_AUTH_MYSTERY__KEY": "x"}),
    ("", {"CLIENT_AUTH_PROVIDERS__LOGIN_WITH_AMAZON__APP_CLIENT_ID": "amzn1.env"}),
    ("", {"CLIENT_AUTH_PROFILE": "work"}),
    ("", {"CLIENT_AUTH_PROFILE": "../escape"}),
    ("", {"CLIENT_AUTH_HOME": ""}),
    ("", {"XDG_DATA_HOME": "{tmp}/xdg"}),
    ("", {"CLIENT_AUTH_O3DE_PROJECT": "{tmp}/project"}),
]


def full_location(config: list[str], profile: str | None, environ: dict[str, str]) -> tuple[str, str] | None:
    """The session file and scope the full path reads (None: it reports an error, or reads no file store)."""
    try:
        project = environ.get("CLIENT_AUTH_O3DE_PROJECT") or None
        loaded = load_settings(config, environ=environ, o3de_project=project)
        name = profile_name(profile, environ)
        store = FileSessionStore(session_home(loaded, environ), name, session_scope(loaded))
    except ClientAuthError:
        return None
    if loaded.get("storage", "backend") != "file":
        return None
    return str(store.path), session_scope(loaded)


@pytest.mark.parametrize(("toml", "env"), TOML_CASES, ids=[f"case{i}" for i in range(len(TOML_CASES))])
@pytest.mark.parametrize("profile", [None, "work", ""])
def test_the_settings_pre_reader_finds_the_loaders_file_and_scope_or_steps_aside(
    tmp_path: Path, toml: str, env: dict[str, str], profile: str | None
) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(toml)
    environ = {"CLIENT_AUTH_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)}
    environ |= {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    profiles = [] if profile is None else [profile]
    for paths, extra in (([str(config)], {}), ([], {"CLIENT_AUTH_CONFIG": str(config)})):
        fast = process_settings(paths, profiles, [], environ | extra)
        full = None if profile == "" else full_location(paths, profile, environ | extra)
        if fast is not None:
            assert full is not None
            assert (os.path.normpath(fast[0]), fast[1]) == (os.path.normpath(full[0]), full[1])
            read = pre_read_settings(paths, profiles, [], environ | extra)
            assert read is not None
            loaded = load_settings(paths, environ=environ | extra)
            assert read.builtin_providers() == loaded.builtin_providers()
            for section, keys in read.values.items():
                for key, value in keys.items():
                    expected = loaded.get(section, key)
                    assert value == (expected.reveal() if isinstance(expected, Secret) else expected), (section, key)


COMMON = [0, 1, 2, 3, 4, 16, 20, 22, 31, 32, 34, 38, 40, 41, 43, 44]
"""The cases of TOML_CASES the pre-reader must answer itself: the configurations users have."""


@pytest.mark.parametrize(("toml", "env"), [TOML_CASES[i] for i in COMMON], ids=[f"case{i}" for i in COMMON])
def test_the_common_configurations_are_read_by_the_pre_reader(tmp_path: Path, toml: str, env: dict[str, str]) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(toml)
    environ = {"CLIENT_AUTH_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)}
    environ |= {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    fast = process_settings([str(config)], [], [], environ)
    full = full_location([str(config)], None, environ)
    assert fast is not None
    assert full is not None
    assert (os.path.normpath(fast[0]), fast[1]) == (os.path.normpath(full[0]), full[1])


def test_without_client_auth_home_the_platform_folder_is_the_loaders(tmp_path: Path) -> None:
    for environ in ({"HOME": str(tmp_path)}, {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "x")}):
        fast = process_settings([], [], [], environ)
        assert fast == full_location([], None, environ)


# --- the file store's safety rules ----------------------------------------------------------------------------


def stored(tmp_path: Path) -> tuple[Path, str]:
    scope = session_scope(load_settings([], environ={}))
    creds = credentials(authenticated=False, left=timedelta(minutes=50))
    FileSessionStore(tmp_path, "default", scope).save(Session().with_credentials(creds))
    return tmp_path / "default.json", scope


def test_a_file_the_store_would_read_is_read(tmp_path: Path) -> None:
    path, scope = stored(tmp_path)
    assert read_session_entry(str(path), scope) is not None


def test_what_the_store_refuses_is_left_to_the_full_path(tmp_path: Path) -> None:
    path, scope = stored(tmp_path)
    real = tmp_path / "real.json"
    path.rename(real)
    path.symlink_to(real)
    assert read_session_entry(str(path), scope) is None  # a symbolic link is never followed
    path.unlink()
    os.mkfifo(path)
    assert read_session_entry(str(path), scope) is None  # a FIFO: no hang
    path.unlink()
    real.rename(path)
    tmp_path.chmod(0o777)
    assert read_session_entry(str(path), scope) is None  # a folder others can write
    tmp_path.chmod(0o700)
    text = path.read_text()
    path.write_text(text + " " * (1024 * 1024))
    assert read_session_entry(str(path), scope) is None  # too large
    path.write_text("[" * 40 + "]" * 40)
    assert read_session_entry(str(path), scope) is None  # nested too deeply
    deep = json.loads(text)
    deep["sessions"]["another/scope/-"] = json.loads("[" * 40 + "]" * 40)
    path.write_text(json.dumps(deep))
    with pytest.raises(CorruptSession):  # the store calls the whole file corrupt, whatever this scope's entry
        FileSessionStore(tmp_path, "default", scope).load()
    assert read_session_entry(str(path), scope) is None  # so the fast path serves nothing from it either
    path.write_text("{not json")
    assert read_session_entry(str(path), scope) is None
    path.write_text(json.dumps({"version": 1, "tokens": {}}))
    assert read_session_entry(str(path), scope) is None  # version 1: the codec decides whose it is
    path.write_text(json.dumps({"version": 3, "sessions": {}}))
    assert read_session_entry(str(path), scope) is None
    path.write_text(text)
    assert read_session_entry(str(path), "another/scope/-") is None
    assert read_session_entry(str(tmp_path / "missing.json"), scope) is None


@pytest.mark.parametrize("authenticated", [False, True])
def test_the_credentials_commands_quick_read_is_the_stores(tmp_path: Path, authenticated: bool) -> None:
    """``client-auth credentials`` (every format) takes the standard-library reading first: the Credentials it
    builds are the ones the store decodes."""
    environ = {"CLIENT_AUTH_HOME": str(tmp_path)}
    scope = session_scope(load_settings([], environ=environ))
    session = (SIGNED_IN if authenticated else Session()).with_credentials(
        credentials(authenticated=authenticated, left=timedelta(minutes=50))
    )
    store = FileSessionStore(tmp_path, "default", scope)
    store.save(session)
    quick = Light((), None, None, environ)._read_quickly()
    assert quick is not None
    assert quick == store.load().cached_credentials(datetime.now(UTC))
    assert Light((), None, None, environ | {"CLIENT_AUTH_NO_FAST_PATH": "1"})._read_quickly() is None
