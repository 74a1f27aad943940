"""``client-auth credentials --format process`` on the common case is answered with the standard library alone,
and the answer is the full path's, byte for byte.

Each line runs twice as a program: as the AWS CLI runs it, and with ``CLIENT_AUTH_NO_FAST_PATH`` (the full CLI:
the settings loader, the file store, the domain model and the credential service). Exit code, stdout and stderr
must be the same. The fast run must leave the domain model, the settings loader, platformdirs and the AWS SDK
unloaded where it answers, and load them (the full path) wherever it cannot vouch for the answer.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.entrypoints.cli.fast import NO_FAST_PATH
from aws_client_auth.entrypoints.environment import session_home, session_scope
from tests.e2e.cli_in_process import run_main

UNLOADED = (
    "aws_client_auth.domain",
    "aws_client_auth.adapters.settings",
    "aws_client_auth.adapters.stores",
    "aws_client_auth.application",
    "platformdirs",
    "boto3",
    "botocore",
    "click",
)
PROCESS = ["credentials", "--format", "process"]
NOW = datetime.now(UTC)
TOML = """
[aws]
region = "eu-west-1"

[cognito]
user_pool_id = "eu-west-1_Stdlib"
app_client_id = "stdlibclient"
identity_pool_id = "eu-west-1:00000000-0000-0000-0000-000000000000"

[providers.login_with_amazon]
app_client_id = "amzn1.application-oa2-client.stdlib"

[network]
max_attempts = 1
timeout_seconds = 2
"""


@dataclass(frozen=True)
class Run:
    code: object
    stdout: str
    stderr: str
    loaded: list[str]


def run(args: list[str], env: dict[str, str], tmp_path: Path, *, full: bool) -> Run:
    env = dict(env)
    if full:
        env[NO_FAST_PATH] = "1"
    ran = run_main(args, env, tmp_path, UNLOADED)
    return Run(ran.code, ran.stdout, ran.stderr, ran.loaded)


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENT_AUTH_", "AWS_", "XDG_"))}
    # Nothing here may reach AWS: a refresh the full path tries fails at once on a closed local port.
    return env | {"HOME": str(tmp_path / "user"), "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}


def credentials(*, left: timedelta = timedelta(minutes=50), authenticated: bool = False) -> Credentials:
    return Credentials(
        "ASIASTDLIB",
        Secret("stdlib-secret"),
        Secret("stdlib-session"),
        NOW + left,
        "eu-west-1:std",
        authenticated,
        NOW + left - timedelta(hours=1),
    )


SIGNED_IN = (
    Session()
    .signed_in(Tokens(COGNITO, Secret("access"), NOW + timedelta(hours=1), Secret("id")))
    .with_credentials(credentials(authenticated=True))
)


def save(env: dict[str, str], config: list[str], profile: str, session: Session) -> Path:
    """The session where the full path looks for it (under the child's own HOME: never this user's folders), and
    that folder."""
    settings = load_settings(config, environ=env)
    if env.get("CLIENT_AUTH_HOME"):
        home = session_home(settings, env)
    else:
        home = Path(env.get("XDG_DATA_HOME") or Path(env["HOME"]) / ".local" / "share") / "aws-client-auth"
    assert str(home).startswith(env["HOME"].rsplit("/", 1)[0])  # inside the test's tmp_path
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(mode=0o700, parents=True)
    FileSessionStore(home, profile, session_scope(settings)).save(session)
    return home


def both(args: list[str], env: dict[str, str], tmp_path: Path, setup: dict[str, Any]) -> Run:
    """The fast run and the full run, each from the same stored session; the fast run."""
    config = [str(c) for c in setup.get("config", [])]
    profile = str(setup.get("profile", "default"))
    session = setup.get("session", Session().with_credentials(credentials()))
    assert isinstance(session, Session)
    save(env, config, profile, session)
    fast = run(args, env, tmp_path, full=False)
    save(env, config, profile, session)
    full = run(args, env, tmp_path, full=True)
    assert (fast.code, fast.stdout, fast.stderr) == (full.code, full.stdout, full.stderr)
    assert "aws_client_auth.domain" in full.loaded  # the control: that run took the full path
    return fast


def test_with_client_auth_home_and_the_environment(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {
        "CLIENT_AUTH_HOME": str(tmp_path / "sessions"),
        "AWS_REGION": "eu-west-1",
        "CLIENT_AUTH_COGNITO__USER_POOL_ID": "eu-west-1_Env",
        "CLIENT_AUTH_COGNITO__APP_CLIENT_ID": "envclient",
    }
    fast = both(PROCESS, env, tmp_path, {})
    assert fast.code in (0, None)
    assert json.loads(fast.stdout)["AccessKeyId"] == "ASIASTDLIB"
    assert fast.loaded == []


def test_without_client_auth_home_the_platform_folder_is_read_without_platformdirs(tmp_path: Path) -> None:
    for extra in ({}, {"XDG_DATA_HOME": str(tmp_path / "data")}):
        env = base_env(tmp_path) | extra
        fast = both(PROCESS, env, tmp_path, {})
        assert fast.code in (0, None)
        assert fast.stdout
        assert fast.loaded == []


@pytest.mark.parametrize(
    "args",
    [
        ["--config", "{config}", *PROCESS],
        [*PROCESS, "--config={config}", "--json"],
        ["credentials", "--profile", "work", "--format=process", "--config", "{config}"],
    ],
)
def test_a_toml_configuration_on_the_line(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(TOML)
    env = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions")}
    args = [a.replace("{config}", str(config)) for a in args]
    profile = "work" if "work" in args else "default"
    fast = both(args, env, tmp_path, {"config": [config], "profile": profile, "session": SIGNED_IN})
    assert fast.code in (0, None)
    assert json.loads(fast.stdout)["AccessKeyId"] == "ASIASTDLIB"
    assert fast.loaded == []


def test_a_toml_configuration_and_profile_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(TOML)
    env = base_env(tmp_path) | {
        "CLIENT_AUTH_CONFIG": str(config),
        "CLIENT_AUTH_PROFILE": "team",
        "CLIENT_AUTH_HOME": str(tmp_path / "sessions"),
    }
    fast = both(PROCESS, env, tmp_path, {"config": [config], "profile": "team"})
    assert fast.code in (0, None)
    assert fast.stdout
    assert fast.loaded == []


def test_a_local_endpoint_is_part_of_the_scope(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {
        "CLIENT_AUTH_HOME": str(tmp_path / "sessions"),
        "AWS_ENDPOINT_URL": "http://localhost:9",
    }
    fast = both(PROCESS, env, tmp_path, {})
    assert fast.stdout
    assert fast.loaded == []


def corrupt(home: Path) -> None:
    (home / "default.json").write_text("{not json")


FALLBACKS: dict[str, dict[str, Any]] = {
    "expired": {"session": Session().with_credentials(credentials(left=-timedelta(minutes=1)))},
    "refresh due": {"session": Session().with_credentials(credentials(left=timedelta(minutes=5)))},
    "nothing kept": {"session": Session().signed_in(Tokens(COGNITO, Secret("a"), NOW + timedelta(hours=1)))},
    "json config": {"json": True},
    "bad setting": {"env": {"CLIENT_AUTH_NETWORK__MAX_ATTEMPTS": "many"}},
    "unknown setting": {"env": {"CLIENT_AUTH_STORAGE__COLOUR": "blue"}},
    "memory backend": {"env": {"CLIENT_AUTH_STORAGE__BACKEND": "memory"}},
    "bad profile": {"env": {"CLIENT_AUTH_PROFILE": "../up"}},
    "verbose": {"args": ["-v", *PROCESS]},
}


@pytest.mark.parametrize("case", list(FALLBACKS))
def test_what_the_fast_reader_does_not_vouch_for_goes_to_the_full_path(tmp_path: Path, case: str) -> None:
    setup = FALLBACKS[case]
    plain = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions")}
    env = plain | setup.get("env", {})
    args: list[str] = setup.get("args", PROCESS)
    config: list[Path] = []
    if setup.get("json"):
        mapping = tmp_path / "aws_resource_mappings.json"
        mapping.write_text(
            json.dumps(
                {
                    "AWSResourceMappings": {"AWSClientAuth.CognitoUserPoolId": {"Name/ID": "eu-west-1_Json"}},
                    "Region": "eu-west-1",
                }
            )
        )
        env["CLIENT_AUTH_CONFIG"] = str(mapping)
        config = [mapping]
    session = setup.get("session", Session().with_credentials(credentials()))
    assert isinstance(session, Session)
    runs = []
    for full in (False, True):
        save(plain | ({"CLIENT_AUTH_CONFIG": env["CLIENT_AUTH_CONFIG"]} if config else {}), [], "default", session)
        runs.append(run(args, env, tmp_path, full=full))
    fast, full_run = runs
    assert (fast.code, fast.stdout, fast.stderr) == (full_run.code, full_run.stdout, full_run.stderr)
    assert "aws_client_auth.domain" in fast.loaded  # the fast reader stepped aside


def test_a_corrupt_session_file_goes_to_the_full_path(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions")}
    home = save(env, [], "default", Session().with_credentials(credentials()))
    for text in ("{not json", json.dumps({"version": 1, "tokens": {}}), "[" * 50 + "]" * 50):
        (home / "default.json").write_text(text)
        fast = run(PROCESS, env, tmp_path, full=False)
        (home / "default.json").write_text(text)
        full = run(PROCESS, env, tmp_path, full=True)
        assert (fast.code, fast.stdout, fast.stderr) == (full.code, full.stdout, full.stderr)
        assert "aws_client_auth.domain" in fast.loaded


@pytest.mark.parametrize("output", ["json", "env", "process"])
def test_the_credentials_command_reads_cached_credentials_without_the_settings_loader(
    tmp_path: Path, output: str
) -> None:
    """The full CLI's ``credentials`` (click, the command's module) takes the same standard-library reading."""
    env = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions")}
    fast = both(["-v", "credentials", "--format", output], env, tmp_path, {"session": SIGNED_IN})
    assert fast.code in (0, None)
    assert "ASIASTDLIB" in fast.stdout
    assert "click" in fast.loaded
    assert not {"aws_client_auth.adapters.settings", "aws_client_auth.adapters.stores", "boto3"} & set(fast.loaded)


@pytest.mark.parametrize("args", [["status"], ["status", "--json"], ["--profile", "work", "status"]])
def test_status_reads_its_settings_without_the_loader(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(TOML)
    env = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions"), "CLIENT_AUTH_CONFIG": str(config)}
    profile = "work" if "work" in args else "default"
    fast = both(args, env, tmp_path, {"config": [config], "profile": profile, "session": SIGNED_IN})
    assert fast.code in (0, None)
    assert "cognito" in fast.stdout
    assert "aws_client_auth.adapters.settings" not in fast.loaded


@pytest.mark.parametrize("args", [["token"], ["token", "--json"], ["sign-out"], ["sign-out", "--json"]])
def test_a_fresh_token_and_a_local_sign_out_read_their_settings_without_the_loader(
    tmp_path: Path, args: list[str]
) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(TOML)
    env = base_env(tmp_path) | {"CLIENT_AUTH_HOME": str(tmp_path / "sessions"), "CLIENT_AUTH_CONFIG": str(config)}
    fast = both(args, env, tmp_path, {"config": [config], "session": SIGNED_IN})
    assert fast.code in (0, None)
    assert "aws_client_auth.adapters.settings" not in fast.loaded
    assert "boto3" not in fast.loaded
