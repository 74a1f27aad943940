"""The composition root: every port bound from configuration, and fakes swapped in by overriding providers."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.identity_pool import CognitoIdentityPool
from aws_client_auth.adapters.oauth.token_cache import MemoryMachineTokenCache
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.application.services.providers import AuthProvider
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.tokens import LoginToken, ProviderName
from aws_client_auth.entrypoints.bootstrap import build_container, container_for
from aws_client_auth.entrypoints.environment import session_home
from aws_client_auth.testing import FakeClock, FakeIdentityPool, FakeUserPool

CONFIGURED = {
    "aws": {"region": "us-west-2"},
    "cognito": {
        "user_pool_id": "us-west-2_Pool1",
        "app_client_id": "client1",
        "identity_pool_id": "us-west-2:0000-1111",
        "domain": "myapp",
        "redirect_uri": "http://localhost:53682/callback",
    },
    "machine": {"client_id": "machine1", "client_secret": "machine-secret-1"},
    "storage": {"backend": "memory"},
}


def test_every_provider_of_the_container_builds(tmp_path: Path) -> None:
    container = build_container(overrides=CONFIGURED, environ={"CLIENT_AUTH_HOME": str(tmp_path)})
    needs_arguments = {"aws_client", "device_client", "pasted_redirect"}  # per service, provider profile, reader
    built = {name: provider() for name, provider in container.providers.items() if name not in needs_arguments}
    assert isinstance(built["user_pool"], CognitoUserPool)
    assert isinstance(built["identity_pool"], CognitoIdentityPool)
    assert isinstance(built["session_store"], MemorySessionStore)
    assert built["machine_token_url"] == "https://myapp.auth.us-west-2.amazoncognito.com/oauth2/token"
    assert isinstance(built["machine_token_cache"], MemoryMachineTokenCache)
    registry = built["provider_registry"]
    assert registry.get("cognito").login_key == "cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool1"
    with pytest.raises(e.ProviderNotConfigured, match="login_with_amazon"):
        registry.get("lwa")


def test_file_store_is_the_default_under_the_home_folder(tmp_path: Path) -> None:
    container = build_container(environ={"CLIENT_AUTH_HOME": str(tmp_path), "CLIENT_AUTH_PROFILE": "work"})
    store = container.session_store()
    assert isinstance(store, FileSessionStore)
    assert store.path == tmp_path / "work.json"
    assert store.profile == "work"


def test_unconfigured_pools_are_clear_errors(tmp_path: Path) -> None:
    container = build_container(overrides={"storage": {"backend": "memory"}}, environ={})
    assert container.identity_pool() is None
    with pytest.raises(e.ProviderNotConfigured, match="identity_pool_id"):
        container.get_credentials().execute()
    with pytest.raises(e.ProviderNotConfigured, match=r"\[cognito\] user_pool_id"):
        container.sign_in().execute("alice", "Passw0rd!")


def test_fakes_replace_adapters_by_overriding_providers() -> None:
    container = build_container(overrides=CONFIGURED, environ={})
    clock = FakeClock()
    pool = FakeUserPool(clock)
    pool.add_user("alice")
    with (
        container.user_pool.override(pool),
        container.clock.override(clock),
        container.identity_pool_adapter.override(FakeIdentityPool(clock)),
    ):
        container.sign_in().execute("alice", "Passw0rd!")
        creds = container.get_credentials().execute()
    assert creds.authenticated
    assert container.sessions().load().signed_in_providers == ("cognito",)


def test_custom_providers_plug_into_the_registry() -> None:
    container = build_container(overrides=CONFIGURED, environ={})
    pool = FakeUserPool(FakeClock(), ProviderName("okta"))
    custom = AuthProvider(ProviderName("okta"), "example.okta.com", LoginToken.ID, refresher=pool, password=pool)
    container.extra_providers.override(providers.Dict(okta=providers.Object(lambda: custom)))
    registry = container.provider_registry()
    assert registry.get("okta") is custom
    assert set(registry.names) == {"cognito", "okta"}


def test_the_container_takes_the_typed_settings_as_they_are() -> None:
    settings = load_settings(
        environ={},
        overrides={
            "aws": {"region": "us-west-2"},
            "cognito": {"user_pool_id": "eu-west-1_Pool1", "app_client_id": "client1"},
            "providers.okta": {"device_authorization_url": "https://okta.example/device", "client_id": "o"},
        },
    )
    container = container_for(settings)
    assert container.settings() is settings
    assert container.pool_region() == "eu-west-1"  # the pool's own region, for its client, issuer and login key
    assert container.pool_region() is container.pool_region()
    assert container.cognito_login_key() == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1"
    assert container.cognito_idp().meta.region_name == "eu-west-1"
    assert container.plugin_providers().keys() >= {"okta"}


def test_session_home_prefers_configuration(tmp_path: Path) -> None:
    container = build_container(
        overrides={"storage": {"path": str(tmp_path / "x")}}, environ={"CLIENT_AUTH_HOME": "/elsewhere"}
    )
    assert container.session_store().path.parent == tmp_path / "x"
    from aws_client_auth.adapters.settings.loader import load_settings

    assert session_home(load_settings(environ={}), {}).name == "aws-client-auth"
