"""The whole mission through the container's use cases against a local moto server: no fakes anywhere."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from aws_client_auth.domain.sign_in import Challenge, SignedIn
from aws_client_auth.entrypoints.bootstrap import build_container
from aws_client_auth.entrypoints.local_stack import fresh_totp as totp
from aws_client_auth.entrypoints.local_stack import provision

pytestmark = pytest.mark.slow


def test_guest_sign_up_sign_in_mfa_credentials_refresh_sign_out(moto_endpoint: str, tmp_path: Path) -> None:
    stack = provision(moto_endpoint)
    container = build_container(overrides=stack.settings(), environ={"CLIENT_AUTH_HOME": str(tmp_path)})

    guest = container.get_credentials().execute()
    assert not guest.authenticated

    container.sign_up().execute("alice", "Passw0rd!", email="alice@example.com")
    container.confirm_sign_up().execute("alice", "123456")
    step = container.sign_in().execute("alice", "Passw0rd!")
    assert isinstance(step, SignedIn)

    creds = container.get_credentials().execute()
    assert creds.authenticated
    sts = boto3.client(
        "sts",
        region_name=stack.region,
        endpoint_url=moto_endpoint,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_key.reveal(),
        aws_session_token=creds.session_token.reveal(),
    )
    assert sts.get_caller_identity()["Account"]

    setup = container.enable_mfa().execute("totp")
    assert setup is not None
    container.verify_mfa().execute(totp(setup.secret.reveal()))
    container.sign_out().execute()
    challenge = container.sign_in().execute("alice", "Passw0rd!")
    assert isinstance(challenge, Challenge)
    assert isinstance(container.confirm_sign_in().execute(totp(setup.secret.reveal())), SignedIn)

    refreshed = container.refresh_tokens().execute()
    assert refreshed.refresh_token is not None
    container.sign_out().execute(globally=True)
    again = container.get_credentials().execute()
    assert not again.authenticated
    assert container.sessions().load().authenticated_identity_id is None
