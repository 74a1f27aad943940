"""Configuration cannot quietly send secrets elsewhere: plain http only to this machine, built-in providers only on
their official hosts, built-in provider names not for custom sections, and ID-token keys never chosen by a remote
endpoint. Each exception is a key of its own, warned about on every load."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.settings.network import is_loopback
from aws_client_auth.domain.errors import ConfigurationError

POLICY_LOGGER = "aws_client_auth.adapters.settings.network"
POOL = "eu-west-1_Pool"
AWS_JWKS = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}/.well-known/jwks.json"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[aws]\nendpoint_url = "http://10.0.0.5:4566"\n', "[aws] endpoint_url"),
        ('[aws]\nendpoint_url = "HTTP://Cognito.Proxy.Example"\n', "[aws] endpoint_url"),
        ('[cognito]\njwks_url = "http://keys.example/jwks.json"\n', "[cognito] jwks_url"),
        (
            '[providers.login_with_amazon]\noauth_tokens_url = "http://api.amazon.com/auth/o2/token"\n',
            "[providers.login_with_amazon] oauth_tokens_url",
        ),
        ('[providers.google]\noauth_code_url = "http://oauth2.googleapis.com/device/code"\n', "oauth_code_url"),
        ('[providers.okta]\ndevice_authorization_url = "http://okta.example/device"\n', "[providers.okta]"),
        ('[providers.okta]\ntoken_url = " http://okta.example/token"\n', "[providers.okta] token_url"),
        ('[providers.okta]\nissuer = "http://okta.example"\n', "[providers.okta] issuer"),
        ('[aws]\nendpoint_url = "http://127.0.0.1.evil.example"\n', "[aws] endpoint_url"),
        ('[aws]\nendpoint_url = "http://localhost.evil.example"\n', "[aws] endpoint_url"),
        ('[aws]\nendpoint_url = "http://0x7f000001:5000"\n', "[aws] endpoint_url"),
    ],
)
def test_plain_http_to_another_machine_is_refused(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path / "remote.toml", text)
    with pytest.raises(ConfigurationError, match="plain http") as raised:
        load_settings([path], environ={})
    message = str(raised.value)
    assert str(path) in message
    assert where in message
    assert "allow_insecure_http = true" in message


@pytest.mark.parametrize(
    "environ",
    [
        {"AWS_ENDPOINT_URL": "http://localstack:4566"},
        {"CLIENT_AUTH_AWS__ENDPOINT_URL": "http://192.168.1.20:5000"},
        {"CLIENT_AUTH_PROVIDERS__OKTA__TOKEN_URL": "http://okta.example/token"},
    ],
)
def test_plain_http_from_the_environment_is_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match=r"environment: \[.*plain http"):
        load_settings(environ=environ)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000",
        "http://127.8.9.10",
        "http://[::1]:5000/",
        "http://localhost:5000",
        "http://LOCALHOST",
        "http://[::ffff:127.0.0.1]:80",
        "https://cognito-idp.eu-west-1.amazonaws.com",
    ],
)
def test_loopback_http_and_any_https_endpoint_are_accepted_silently(url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=POLICY_LOGGER):
        settings = load_settings(environ={"AWS_ENDPOINT_URL": url})
    assert settings.get("aws", "endpoint_url") == url
    assert caplog.records == []


def test_allow_insecure_http_permits_it_and_warns_on_every_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    remote = write(tmp_path / "remote.toml", '[aws]\nendpoint_url = "http://10.0.0.5:4566"\n')
    allow = write(tmp_path / "allow.toml", "[network]\nallow_insecure_http = true\n")
    with caplog.at_level(logging.WARNING, logger=POLICY_LOGGER):
        for _ in range(2):
            settings = load_settings([remote, allow], environ={})  # a later layer may allow it
    assert settings.get("aws", "endpoint_url") == "http://10.0.0.5:4566"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("[aws] endpoint_url" in w and "unencrypted" in w and "10.0.0.5" in w for w in warnings)


def test_allow_insecure_http_from_the_environment() -> None:
    environ = {"AWS_ENDPOINT_URL": "http://localstack:4566", "CLIENT_AUTH_NETWORK__ALLOW_INSECURE_HTTP": "true"}
    assert load_settings(environ=environ).get("aws", "endpoint_url") == "http://localstack:4566"


def test_an_endpoint_with_credentials_in_it_is_refused(tmp_path: Path) -> None:
    for url in ("http://127.0.0.1@evil.example/", "https://user:pass@cognito.example/"):
        path = write(tmp_path / "creds.toml", f'[aws]\nendpoint_url = "{url}"\n')
        with pytest.raises(ConfigurationError, match="user name or password"):
            load_settings([path], environ={})


def test_a_backslash_in_an_endpoint_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "slash.toml", '[aws]\nendpoint_url = "http://evil.example\\\\@127.0.0.1/"\n')
    with pytest.raises(ConfigurationError, match="https://host/path"):
        load_settings([path], environ={})


def test_messages_name_the_host_not_the_whole_url(tmp_path: Path) -> None:
    path = write(tmp_path / "q.toml", '[aws]\nendpoint_url = "http://evil.example/x?api_key=sekrit-value"\n')
    with pytest.raises(ConfigurationError) as raised:
        load_settings([path], environ={})
    assert "evil.example" in str(raised.value)
    assert "sekrit-value" not in str(raised.value)


@pytest.mark.parametrize(
    ("section", "url"),
    [
        ("login_with_amazon", "https://api.amazon.co.uk/auth/o2/token"),
        ("login_with_amazon", "https://api.amazon.co.jp/auth/o2/token"),
        ("google", "https://oauth2.googleapis.com/token"),
        ("google", "https://www.googleapis.com/oauth2/v4/token"),
        ("google", "http://127.0.0.1:8080/token"),
    ],
)
def test_built_in_providers_may_use_their_official_hosts_or_a_local_server(section: str, url: str) -> None:
    settings = load_settings(environ={}, overrides={f"providers.{section}": {"oauth_tokens_url": url}})
    assert settings.get(f"providers.{section}", "oauth_tokens_url") == url


@pytest.mark.parametrize(
    ("section", "url"),
    [
        ("login_with_amazon", "https://api.amazon.com.evil.example/auth/o2/token"),
        ("login_with_amazon", "https://oauth2.googleapis.com/token"),  # another provider's host is not this one's
        ("google", "https://proxy.example/token"),
        ("google", "https://oauth2.googleapis.com./token"),
    ],
)
def test_built_in_providers_cannot_be_sent_elsewhere(section: str, url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_custom_provider_urls = true") as raised:
        load_settings(environ={}, overrides={f"providers.{section}": {"oauth_tokens_url": url}})
    assert f"[providers.{section}] oauth_tokens_url" in str(raised.value)
    assert "overrides" in str(raised.value)


def test_an_o3de_setreg_cannot_send_a_built_in_provider_elsewhere(tmp_path: Path) -> None:
    data = {"AWS": {"Google": {"AppClientId": "g", "OAuthTokensURL": "https://collector.example/token"}}}
    path = write(tmp_path / "AuthenticationProvider.setreg", json.dumps(data))
    with pytest.raises(ConfigurationError, match=r"\[providers.google\] oauth_tokens_url names collector.example"):
        load_settings([path], environ={})


def test_allow_custom_provider_urls_permits_a_proxy_and_warns_on_every_load(caplog: pytest.LogCaptureFixture) -> None:
    overrides: dict[str, dict[str, Any]] = {
        "providers.google": {"oauth_tokens_url": "https://proxy.example/token"},
        "network": {"allow_custom_provider_urls": True},
    }
    with caplog.at_level(logging.WARNING, logger=POLICY_LOGGER):
        for _ in range(2):
            settings = load_settings(environ={}, overrides=overrides)
    assert settings.get("providers.google", "oauth_tokens_url") == "https://proxy.example/token"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("proxy.example" in w and "official" in w for w in warnings)


def test_a_proxy_over_plain_http_needs_both_keys() -> None:
    overrides: dict[str, dict[str, Any]] = {
        "providers.google": {"oauth_tokens_url": "http://proxy.example/token"},
        "network": {"allow_custom_provider_urls": True},
    }
    with pytest.raises(ConfigurationError, match="plain http"):
        load_settings(environ={}, overrides=overrides)
    overrides["network"] = {"allow_custom_provider_urls": True, "allow_insecure_http": True}
    assert load_settings(environ={}, overrides=overrides)


@pytest.mark.parametrize(
    "text",
    [
        '[providers.lwa]\ndevice_authorization_url = "https://evil.example/device"\ntoken_url = "https://evil.example/t"\n',
        '[providers.cognito]\ndevice_authorization_url = "https://evil.example/device"\n',
        '[providers.cognito]\nclient_id = "x"\n',
        '[providers.LWA]\nclient_id = "x"\n',
        '[providers.Google]\ndevice_authorization_url = "https://evil.example/device"\n',
        '[providers.Login_With_Amazon]\nclient_id = "x"\n',
    ],
)
def test_a_custom_section_cannot_take_a_built_in_providers_name(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "names.toml", text)
    with pytest.raises(ConfigurationError, match="would redefine the built-in provider") as raised:
        load_settings([path], environ={})
    assert str(path) in str(raised.value)
    assert "a name of its own" in str(raised.value)


def test_a_built_in_name_from_the_environment_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"environment: \[providers.cognito\] would redefine"):
        load_settings(environ={"CLIENT_AUTH_PROVIDERS__COGNITO__TOKEN_URL": "https://evil.example/token"})


def test_a_custom_provider_with_its_own_name_is_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path / "okta.toml",
        '[providers.okta]\ndevice_authorization_url = "https://okta.example/device"\n'
        'token_url = "https://okta.example/token"\nscope = "openid"\n',
    )
    assert load_settings([path], environ={}).custom_providers["okta"]["token_url"] == "https://okta.example/token"


@pytest.mark.parametrize(
    ("endpoint_url", "explicit", "expected"),
    [
        ("", "", AWS_JWKS),
        ("http://127.0.0.1:5000/", "", f"http://127.0.0.1:5000/{POOL}/.well-known/jwks.json"),
        ("http://localhost:5000", "", f"http://localhost:5000/{POOL}/.well-known/jwks.json"),
        ("http://[::1]:5000", "", f"http://[::1]:5000/{POOL}/.well-known/jwks.json"),
        ("https://cognito-proxy.example", "", AWS_JWKS),
        ("http://10.0.0.5:4566", "", AWS_JWKS),
        ("https://cognito-proxy.example", "https://keys.example/jwks.json", "https://keys.example/jwks.json"),
    ],
)
def test_the_jwks_comes_from_the_endpoint_only_when_it_is_this_machine(
    endpoint_url: str, explicit: str, expected: str
) -> None:
    assert endpoints.jwks_url("eu-west-1", POOL, endpoint_url, explicit) == expected


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("localhost", True),
        ("::ffff:127.0.0.1", True),
        ("128.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - the address is data here
        ("::", False),
        ("localhost.", False),
        ("my.localhost", False),
        ("", False),
    ],
)
def test_what_counts_as_this_machine(host: str, local: bool) -> None:
    assert is_loopback(host) is local
