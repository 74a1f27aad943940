"""Device sign-in through the use cases and the container: LWA, Google and a plugin provider, each login
reaching the identity-pool port with the right key and token."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import responses

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import LOGIN_WITH_AMAZON
from aws_client_auth.entrypoints.bootstrap import build_container
from aws_client_auth.entrypoints.container import Container
from aws_client_auth.entrypoints.scripting import ClientAuth
from aws_client_auth.testing import FakeClock, FakeIdentityPool, FakeSleeper

ID_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMTAxNjkiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIn0."


@pytest.fixture
def plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installs a distribution whose entry point names the test provider, the way pip would."""
    dist = tmp_path / "example_oidc_provider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: example-oidc-provider\nVersion: 1.0\n")
    entry_points = "[aws_client_auth.providers]\nexample = tests.plugin_provider:make_provider\n"
    (dist / "entry_points.txt").write_text(entry_points)
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.fixture
def world(plugin_installed: None) -> Iterator[tuple[Container, FakeIdentityPool, FakeClock]]:
    container = build_container(
        overrides={
            "cognito": {"identity_pool_id": "us-west-2:0000"},
            "providers.login_with_amazon": {"app_client_id": "amzn1.app"},
            "providers.google": {"app_client_id": "g.apps", "client_secret": "g-secret"},
            "providers.example": {"issuer": "https://id.example.com/tenant", "client_id": "ex-client"},
            "storage": {"backend": "memory"},
        },
        environ={},
    )
    clock = FakeClock()
    pool = FakeIdentityPool(clock)
    with (
        container.clock.override(clock),
        container.sleeper.override(FakeSleeper(clock)),
        container.identity_pool.override(pool),
    ):
        yield container, pool, clock


def fake_token(kind: str, provider: str, user: str) -> str:
    return f"{kind}|{provider}|{user}|1"  # what FakeIdentityPool reads as the user behind a login


def test_lwa_device_sign_in_reaches_the_identity_pool_with_its_access_token(
    world: tuple[Container, FakeIdentityPool, FakeClock],
) -> None:
    container, pool, _ = world
    auth = ClientAuth.from_container(container)
    with responses.RequestsMock() as http:
        http.post(
            "https://api.amazon.com/auth/o2/create/codepair",
            json={
                "device_code": "dc",
                "user_code": "UC",
                "verification_uri": "https://amazon.com/code",
                "expires_in": 600,
                "interval": 7,
            },
        )
        http.post("https://api.amazon.com/auth/o2/token", status=400, json={"error": "authorization_pending"})
        http.post("https://api.amazon.com/auth/o2/token", status=400, json={"error": "slow_down"})
        http.post(
            "https://api.amazon.com/auth/o2/token",
            json={"access_token": fake_token("access", "lwa", "amzn"), "refresh_token": "r1", "expires_in": 3600},
        )
        authorization = auth.start_device_sign_in("lwa")
        assert authorization.user_code == "UC"
        step = auth.complete_device_sign_in()
    assert step.tokens.provider == LOGIN_WITH_AMAZON
    sleeper = container.sleeper()
    assert isinstance(sleeper, FakeSleeper)
    assert sleeper.slept == [7, 12]  # the provider's interval, then 5 s more after its slow_down
    creds = auth.get_credentials()
    assert creds.authenticated
    assert pool.last_logins == {"www.amazon.com": fake_token("access", "lwa", "amzn")}


def test_google_and_plugin_sign_ins_link_into_one_identity(
    world: tuple[Container, FakeIdentityPool, FakeClock],
) -> None:
    container, pool, clock = world
    auth = ClientAuth.from_container(container)
    with responses.RequestsMock() as http:
        http.post(
            "https://oauth2.googleapis.com/device/code",
            json={
                "device_code": "gdc",
                "user_code": "G-UC",
                "verification_url": "https://google.com/device",
                "expires_in": 600,
            },
        )
        http.post(
            "https://oauth2.googleapis.com/token",
            json={
                "access_token": "ya29",
                "id_token": fake_token("id", "google", "alice"),
                "refresh_token": "1//r",
                "expires_in": 3600,
            },
        )
        http.post(
            "https://id.example.com/tenant/oauth2/device/authorize",
            json={
                "device_code": "edc",
                "user_code": "E-UC",
                "verification_uri": "https://id.example.com/activate",
                "expires_in": 600,
            },
        )
        http.post(
            "https://id.example.com/tenant/oauth2/token",
            json={
                "access_token": "ex-a",
                "id_token": fake_token("id", "example", "alice"),
                "refresh_token": "ex-r",
                "expires_in": 3600,
            },
        )
        auth.start_device_sign_in("google")
        auth.complete_device_sign_in(wait=False)
        auth.start_device_sign_in("example")
        auth.complete_device_sign_in(wait=False)
        poll = parse_qs(str(http.calls[3].request.body))
        assert poll["grant_type"] == ["urn:ietf:params:oauth:grant-type:device_code"]
        assert poll["client_id"] == ["ex-client"]
    identity = auth.link_identities()
    assert identity.logins == {"accounts.google.com", "id.example.com/tenant"}
    assert pool.last_logins["id.example.com/tenant"] == fake_token("id", "example", "alice")
    with responses.RequestsMock() as http:  # an hour later both tokens are refreshed before they are sent
        http.post(
            "https://oauth2.googleapis.com/token",
            json={"access_token": "ya29-2", "id_token": fake_token("id", "google", "alice"), "expires_in": 3600},
        )
        http.post(
            "https://id.example.com/tenant/oauth2/token",
            json={"access_token": "ex-2", "id_token": fake_token("id", "example", "alice"), "expires_in": 3600},
        )
        clock.advance(3600)
        assert auth.get_credentials().identity_id == identity.identity_id
    assert auth.get_tokens("google").refresh_token == Secret("1//r")


def test_providers_registered_in_code(world: tuple[Container, FakeIdentityPool, FakeClock]) -> None:
    container, _, _ = world
    auth = ClientAuth.from_container(container)
    registry = container.provider_registry()
    auth.register_provider("mine", lambda: registry.get("example"))
    assert registry.get("mine") is registry.get("example")
    assert "mine" in registry.names
    assert sys.modules.get("tests.plugin_provider") is not None
