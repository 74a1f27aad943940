"""One profile file, one session per configuration scope (version 2), and the version-1 files written before
scopes existed, with real files in temporary folders."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import CorruptSession
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
STAGING = "us-west-2_Staging/stagingclient/us-west-2:staging-pool"
PRODUCTION = "us-west-2_Prod/prodclient/us-west-2:prod-pool@https://cognito.example"


def session_of(user: str) -> Session:
    tokens = Tokens(COGNITO, Secret(f"access-{user}"), NOW, Secret(f"id-{user}"), Secret(f"refresh-{user}"), user, user)
    credentials = Credentials(
        f"AKIA{user.upper()}", Secret("sk"), Secret("st"), NOW + timedelta(hours=1), f"us-west-2:{user}", True, NOW
    )
    return (
        Session()
        .with_tokens(tokens)
        .with_identity_id(f"us-west-2:{user}", authenticated=True)
        .with_credentials(credentials)
        .with_linked(frozenset({f"cognito-idp.us-west-2.amazonaws.com/{user}"}))
    )


def stores(home: Path) -> tuple[FileSessionStore, FileSessionStore]:
    return FileSessionStore(home, "default", STAGING), FileSessionStore(home, "default", PRODUCTION)


def test_two_scopes_on_one_profile_never_see_or_delete_each_other(tmp_path: Path) -> None:
    staging, production = stores(tmp_path)
    staging.save(session_of("alice"))
    assert production.load() == Session()

    production.save(session_of("bob"))
    assert staging.load() == session_of("alice")
    assert production.load() == session_of("bob")
    assert staging.path == production.path  # one file for the profile
    assert sorted(json.loads(staging.path.read_text())["sessions"]) == sorted([STAGING, PRODUCTION])

    production.clear()
    assert production.load() == Session()
    assert staging.load() == session_of("alice")
    assert list(json.loads(staging.path.read_text())["sessions"]) == [STAGING]

    production.clear()  # nothing of its own left: still nothing of the other's touched
    assert staging.load() == session_of("alice")

    staging.clear()  # the last scope: the file goes
    assert not staging.path.exists()
    assert staging.load() == production.load() == Session()


def test_an_empty_session_saved_is_a_clear_of_that_scope_only(tmp_path: Path) -> None:
    staging, production = stores(tmp_path)
    staging.save(session_of("alice"))
    production.save(session_of("bob"))
    production.save(Session())
    assert list(json.loads(staging.path.read_text())["sessions"]) == [STAGING]
    assert staging.load() == session_of("alice")


def _add_linked(home: str, scope: str, key: str) -> None:
    store = FileSessionStore(Path(home), "default", scope)
    with store.lock():
        session = store.load()
        store.save(session.with_linked(session.linked_logins | {key}))


def test_writers_of_different_scopes_lose_no_update_of_each_other(tmp_path: Path) -> None:
    jobs = [(str(tmp_path), (STAGING, PRODUCTION)[i % 2], f"key-{i}") for i in range(32)]
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        pool.starmap(_add_linked, jobs)
    staging, production = stores(tmp_path)
    assert staging.load().linked_logins == {f"key-{i}" for i in range(0, 32, 2)}
    assert production.load().linked_logins == {f"key-{i}" for i in range(1, 32, 2)}


def v1_id_token(pool: str = "us-west-2_Staging", client: str = "stagingclient") -> str:
    """An ID token as the pool issued it; the store reads only its iss and aud (no verification)."""
    import jwt

    claims = {"iss": f"https://cognito-idp.us-west-2.amazonaws.com/{pool}", "aud": client, "sub": "sub-alice"}
    return jwt.encode(claims, key="", algorithm="none")


def version_1_file(id_token: str | None = None) -> dict[str, object]:
    """A session file as version 1 wrote it: one session for the whole profile, its fields at the top."""
    return {
        "version": 1,
        "tokens": {
            "cognito": {
                "access_token": "access-v1",
                "id_token": id_token or v1_id_token(),
                "refresh_token": "refresh-v1",
                "expires_at": "2026-11-28T12:00:00+00:00",
                "username": "alice",
                "subject": "sub-alice",
            }
        },
        "pending": None,
        "authenticated_identity_id": "us-west-2:alice",
        "guest_identity_id": "us-west-2:guest",
        "credentials": {
            "access_key_id": "AKIAV1",
            "secret_key": "sk-v1",
            "session_token": "st-v1",
            "expiration": "2026-11-28T13:00:00+00:00",
            "identity_id": "us-west-2:alice",
            "authenticated": True,
            "issued_at": "2026-11-28T12:00:00+00:00",
        },
        "linked_logins": ["cognito-idp.us-west-2.amazonaws.com/us-west-2_Staging"],
    }


def test_a_version_1_file_is_read_and_rewritten_as_version_2(tmp_path: Path) -> None:
    staging, _ = stores(tmp_path)
    staging.path.write_text(json.dumps(version_1_file()))
    staging.path.chmod(0o600)

    session = staging.load()
    tokens = session.tokens[COGNITO]
    assert tokens.refresh_token == Secret("refresh-v1")
    assert (tokens.username, tokens.subject, tokens.expires_at) == ("alice", "sub-alice", NOW)
    assert session.authenticated_identity_id == "us-west-2:alice"
    assert session.guest_identity_id == "us-west-2:guest"
    assert session.credentials is not None
    assert session.credentials.access_key_id == "AKIAV1"
    assert session.credentials.secret_key == Secret("sk-v1")
    assert session.linked_logins == {"cognito-idp.us-west-2.amazonaws.com/us-west-2_Staging"}

    staging.save(session)

    document = json.loads(staging.path.read_text())
    assert document["version"] == 2
    assert set(document) == {"version", "sessions"}  # none of version 1's top-level fields left
    assert list(document["sessions"]) == [STAGING]
    assert document["sessions"][STAGING]["tokens"]["cognito"]["refresh_token"] == "refresh-v1"
    assert staging.load() == session


@pytest.mark.parametrize(
    "id_token",
    [v1_id_token("us-west-2_Prod", "stagingclient"), v1_id_token("us-west-2_Staging", "prodclient"), "not-a-jwt"],
)
def test_a_version_1_file_of_other_pools_is_served_to_no_configuration(tmp_path: Path, id_token: str) -> None:
    staging, production = stores(tmp_path)
    staging.path.write_text(json.dumps(version_1_file(id_token)))
    staging.path.chmod(0o600)
    assert staging.load() == Session()
    assert production.load() == Session()


def test_a_version_1_file_is_served_only_to_the_configuration_whose_pool_issued_it(tmp_path: Path) -> None:
    staging, production = stores(tmp_path)
    staging.path.write_text(json.dumps(version_1_file()))
    staging.path.chmod(0o600)
    assert production.load() == Session()  # another configuration never gets alice's credentials
    assert staging.load().authenticated_identity_id == "us-west-2:alice"


def test_a_version_1_file_is_removed_by_a_clear(tmp_path: Path) -> None:
    staging, _ = stores(tmp_path)
    staging.path.write_text(json.dumps(version_1_file()))
    staging.clear()
    assert not staging.path.exists()


def test_one_scopes_unreadable_entry_is_kept_aside_and_the_others_stay(tmp_path: Path) -> None:
    staging, production = stores(tmp_path)
    staging.save(session_of("alice"))
    document = json.loads(staging.path.read_text())
    document["sessions"][PRODUCTION] = {"tokens": "not a mapping"}
    original = json.dumps(document).encode()
    staging.path.write_bytes(original)

    assert staging.load() == session_of("alice")
    with pytest.raises(CorruptSession, match=r"client-auth reset"):
        production.load()

    production.save(session_of("bob"))  # a new sign-in under that configuration

    assert production.load() == session_of("bob")
    assert staging.load() == session_of("alice")
    [aside] = tmp_path.glob("default.json.corrupt-*")
    assert aside.read_bytes() == original
