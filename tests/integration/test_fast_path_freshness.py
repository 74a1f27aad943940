"""The credential_process fast path serves exactly what the credential service would serve from the same file:
one freshness rule (``Session.cached_credentials``), read by both."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.entrypoints.cli.fast import cached_process_credentials
from aws_client_auth.entrypoints.environment import session_scope

NOW = datetime.now(UTC)


def credentials(*, authenticated: bool, left: timedelta) -> Credentials:
    issued = NOW + left - timedelta(hours=1)
    return Credentials("ASIAFAST", Secret("sk"), Secret("st"), NOW + left, "us-west-2:x", authenticated, issued)


SIGNED_IN = Session().with_tokens(Tokens(COGNITO, Secret("access"), NOW + timedelta(hours=1), Secret("id")))


@pytest.mark.parametrize(
    ("session", "served"),
    [
        (Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=50))), True),
        (SIGNED_IN.with_credentials(credentials(authenticated=True, left=timedelta(minutes=50))), True),
        (Session().with_credentials(credentials(authenticated=False, left=timedelta(minutes=10))), False),
        (SIGNED_IN.with_credentials(credentials(authenticated=False, left=timedelta(minutes=50))), False),
        (SIGNED_IN, False),
    ],
    ids=["fresh guest", "fresh authenticated", "refresh due", "guest credentials while signed in", "none kept"],
)
def test_the_fast_path_serves_what_the_session_says_is_fresh(tmp_path: Path, session: Session, served: bool) -> None:
    environ = {"CLIENT_AUTH_HOME": str(tmp_path)}
    scope = session_scope(load_settings([], environ=environ))
    FileSessionStore(tmp_path, "default", scope).save(session)
    answer = cached_process_credentials(["credentials", "--format", "process"], environ)
    assert (session.cached_credentials(datetime.now(UTC)) is not None) is served  # the credential service's rule
    if served:
        assert answer is not None
        assert json.loads(answer)["AccessKeyId"] == "ASIAFAST"
    else:
        assert answer is None  # the full CLI runs, and asks the identity pool
