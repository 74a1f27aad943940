"""The light answers of ``credentials``, ``token`` and a local ``sign-out`` are the full path's, byte for byte.

Each command runs twice as a program, once as users run it and once with ``CLIENT_AUTH_NO_FAST_PATH`` set (every
command then takes the facade): exit code, stdout and stderr must be the same, and the session left in the store
too. The light run must also leave the AWS SDK, requests and the DI framework unloaded where it can answer.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, LOGIN_WITH_AMAZON, Tokens
from aws_client_auth.entrypoints.cli.fast import NO_FAST_PATH
from aws_client_auth.entrypoints.environment import session_scope
from tests.e2e.cli_in_process import run_main

HEAVY = (
    "boto3",
    "botocore",
    "requests",
    "dependency_injector",
    "aws_client_auth.entrypoints.container",
    "aws_client_auth.entrypoints.scripting",
)
SETTINGS = {
    "AWS_REGION": "us-east-1",
    "CLIENT_AUTH_COGNITO__USER_POOL_ID": "us-east-1_FastPath",
    "CLIENT_AUTH_COGNITO__APP_CLIENT_ID": "fastclient",
    "CLIENT_AUTH_COGNITO__IDENTITY_POOL_ID": "us-east-1:00000000-0000-0000-0000-000000000000",
    "CLIENT_AUTH_PROVIDERS__LOGIN_WITH_AMAZON__APP_CLIENT_ID": "amzn1.application-oa2-client.fast",
}
NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Run:
    code: object
    stdout: str
    stderr: str
    heavy: list[str]


def run(args: list[str], home: Path, tmp_path: Path, *, full: bool, extra: dict[str, str] | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENT_AUTH_")}
    env.pop("AWS_ENDPOINT_URL", None)
    env |= SETTINGS | {"CLIENT_AUTH_HOME": str(home)} | (extra or {})
    if full:
        env[NO_FAST_PATH] = "1"
    ran = run_main(args, env, tmp_path, HEAVY)
    return Run(ran.code, ran.stdout, ran.stderr, ran.loaded)


def scope(extra: dict[str, str] | None = None) -> str:
    return session_scope(load_settings([], environ=SETTINGS | (extra or {})))


def cognito(*, refresh: bool = False, left: timedelta = timedelta(hours=1), id_token: bool = True) -> Tokens:
    return Tokens(
        COGNITO,
        Secret("eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYXN0In0.access"),
        NOW + left,
        id_token=Secret("eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYXN0In0.id") if id_token else None,
        refresh_token=Secret("refresh-fast") if refresh else None,
        username="alice",
        subject="fast",
    )


LWA = Tokens(LOGIN_WITH_AMAZON, Secret("Atza|fast-access"), NOW + timedelta(hours=1), username="amzn1.account.fast")


def authenticated() -> Credentials:
    return Credentials(
        "ASIAFASTPATH",
        Secret("fast-secret"),
        Secret("fast-session"),
        NOW + timedelta(hours=1),
        "us-east-1:id",
        True,
        NOW,
    )


def guest() -> Credentials:
    return Credentials(
        "ASIAGUEST",
        Secret("guest-secret"),
        Secret("guest-session"),
        NOW + timedelta(hours=1),
        "us-east-1:g",
        False,
        NOW,
    )


SIGNED_IN = Session().signed_in(cognito()).signed_in(LWA).with_credentials(authenticated())
SESSIONS = {
    "signed in": SIGNED_IN,
    "guest": Session().with_credentials(guest()),
    "nobody": Session(),
    "revocable": Session().signed_in(cognito(refresh=True)).with_credentials(authenticated()),
}


def prepared(home: Path, name: str, extra: dict[str, str] | None = None) -> Path:
    """``home`` (one path for both runs, which messages quote) holding only the named session."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(mode=0o700)
    session = SESSIONS[name]
    if not session.is_empty:
        FileSessionStore(home, "default", scope(extra)).save(session)
    return home


def stored(home: Path, extra: dict[str, str] | None = None) -> Session:
    return FileSessionStore(home, "default", scope(extra)).load()


def both(tmp_path: Path, session: str, args: list[str], extra: dict[str, str] | None = None) -> tuple[Run, Session]:
    """The light run and the full run from the same start; the light run, and the session both left."""
    home = tmp_path / "sessions"
    light = run(args, prepared(home, session, extra), tmp_path, full=False, extra=extra)
    left = stored(home, extra)
    full = run(args, prepared(home, session, extra), tmp_path, full=True, extra=extra)
    assert (light.code, light.stdout, light.stderr) == (full.code, full.stdout, full.stderr)
    assert stored(home, extra) == left
    assert "aws_client_auth.entrypoints.scripting" in full.heavy  # the control: that run did take the facade
    return light, left


LIGHT = [
    ("signed in", ["credentials"]),
    ("signed in", ["credentials", "--format", "env"]),
    ("signed in", ["credentials", "--format", "process"]),
    ("signed in", ["credentials", "--format", "process", "--json"]),
    ("signed in", ["--profile", "default", "credentials", "--format", "json"]),
    ("guest", ["credentials"]),
    ("guest", ["-v", "credentials", "--format", "process"]),
    ("signed in", ["token"]),
    ("signed in", ["token", "--json"]),
    ("signed in", ["token", "--type", "id"]),
    ("signed in", ["token", "--provider", "lwa", "--json"]),
]


@pytest.mark.parametrize(("session", "args"), LIGHT, ids=[" ".join(a) + f" ({s})" for s, a in LIGHT])
def test_a_light_answer_is_the_full_paths_and_loads_no_sdk(tmp_path: Path, session: str, args: list[str]) -> None:
    light, _ = both(tmp_path, session, args)
    assert light.code in (0, None)
    assert light.heavy == []


SIGN_OUTS = [
    ("signed in", ["sign-out"]),
    ("signed in", ["sign-out", "--json"]),
    ("signed in", ["sign-out", "--provider", "lwa"]),
    ("signed in", ["sign-out", "--provider", "cognito", "--json"]),
    ("nobody", ["sign-out"]),
    ("guest", ["sign-out", "--all", "--json"]),
]


@pytest.mark.parametrize(("session", "args"), SIGN_OUTS, ids=[" ".join(a) + f" ({s})" for s, a in SIGN_OUTS])
def test_a_local_sign_out_is_the_full_paths_and_loads_no_sdk(tmp_path: Path, session: str, args: list[str]) -> None:
    light, left = both(tmp_path, session, args)
    assert light.code in (0, None)
    assert light.heavy == []
    assert not left.signed_in_providers or "--provider" in args


def test_a_sign_out_that_would_revoke_nothing_because_revocation_is_off_stays_light(tmp_path: Path) -> None:
    off = {"CLIENT_AUTH_COGNITO__REVOKE_ON_SIGN_OUT": "false"}
    light, left = both(tmp_path, "revocable", ["sign-out"], off)
    assert light.heavy == []
    assert left == Session()


FULL = [
    ("revocable", ["sign-out", "--global", "--provider", "lwa"]),  # not signed in with lwa: the facade's error
    ("signed in", ["sign-out", "--provider", "google"]),
    ("signed in", ["token", "--provider", "google"]),
    ("signed in", ["token", "--refresh", "--provider", "lwa"]),  # the refresh fails: no refresh token kept
    ("nobody", ["token"]),
    ("nobody", ["token", "--provider", "Not A Name"]),
]


@pytest.mark.parametrize(("session", "args"), FULL, ids=[" ".join(a) + f" ({s})" for s, a in FULL])
def test_what_the_light_path_cannot_answer_the_facade_does(tmp_path: Path, session: str, args: list[str]) -> None:
    light, _ = both(tmp_path, session, args)
    assert light.code not in (0, None)
    assert "aws_client_auth.entrypoints.scripting" in light.heavy


def test_a_token_without_an_id_token_asked_for_is_the_facades_error(tmp_path: Path) -> None:
    SESSIONS["no id token"] = Session().signed_in(cognito(id_token=False))
    try:
        light, _ = both(tmp_path, "no id token", ["token", "--type", "id"])
    finally:
        del SESSIONS["no id token"]
    assert light.code == 1
    assert "keeps no id token" in light.stderr
