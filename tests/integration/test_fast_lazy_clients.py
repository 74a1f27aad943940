"""Adapters build their boto3 clients on first use, not when wired: a facade that answers from the store (status,
cached credentials, a fresh token, a sign-out that revokes nothing) creates no boto3 client at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3.session
import pytest

from aws_client_auth.adapters.aws_sdk import LazyClient, lazy_client
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.entrypoints.scripting import ClientAuth

NOW = datetime.now(UTC)
SETTINGS: dict[str, dict[str, Any]] = {
    "aws": {"region": "us-east-1"},
    "cognito": {
        "user_pool_id": "us-east-1_Lazy",
        "app_client_id": "lazyclient",
        "identity_pool_id": "us-east-1:00000000-0000-0000-0000-000000000000",
    },
}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The services boto3 built a client of, in this test."""
    services: list[str] = []
    real: Any = boto3.session.Session.client

    def counted(self: boto3.session.Session, service: str, *args: Any, **kwargs: Any) -> Any:
        services.append(service)
        return real(self, service, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", counted)
    return services


def auth(home: Path) -> ClientAuth:
    return ClientAuth.from_config(
        environ={"CLIENT_AUTH_HOME": str(home)}, aws=SETTINGS["aws"], cognito=SETTINGS["cognito"]
    )


def test_wiring_and_local_answers_build_no_client(tmp_path: Path, built: list[str]) -> None:
    client = auth(tmp_path)
    tokens = Tokens(COGNITO, Secret("access"), NOW + timedelta(hours=1), Secret("id"), username="alice")
    credentials = Credentials("ASIALAZY", Secret("s"), Secret("t"), NOW + timedelta(hours=1), "us-east-1:i", True, NOW)
    client.container.sessions().save(Session().signed_in(tokens).with_credentials(credentials))
    client.container.user_pool()  # the whole user pool adapter wired: still no client
    client.container.identity_pool()
    assert client.status().providers[0].provider == COGNITO
    assert client.get_credentials().access_key_id == "ASIALAZY"
    assert client.bearer_token().reveal() == "access"
    assert client.is_signed_in()
    assert client.sign_out() == (COGNITO,)  # no refresh token kept: nothing to revoke
    assert built == []
    assert not client.container.cognito_idp().built
    assert not client.container.cognito_identity().built


def test_a_client_is_built_once_on_first_use(tmp_path: Path, built: list[str]) -> None:
    client = auth(tmp_path)
    idp = client.container.cognito_idp()
    assert isinstance(idp, LazyClient)
    assert idp.meta.region_name == "us-east-1"  # the first use builds it, with the wired settings
    assert idp.meta.service_model.service_name == "cognito-idp"
    assert built == ["cognito-idp"]
    assert idp.built


def test_a_lazy_client_is_built_by_one_thread_when_many_ask_at_once(built: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = lazy_client("cognito-identity", region="eu-west-1", endpoint_url="", timeout=5, max_attempts=1)
    with ThreadPoolExecutor(16) as pool:
        regions = set(pool.map(lambda _: client.meta.region_name, range(64)))
    assert regions == {"eu-west-1"}
    assert built == ["cognito-identity"]


def test_the_provider_registry_is_one_object_whichever_threads_ask_first(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    container = auth(tmp_path).container
    with ThreadPoolExecutor(16) as pool:
        registries = set(pool.map(lambda _: id(container.provider_registry()), range(64)))
    assert len(registries) == 1
