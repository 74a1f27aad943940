"""The Cognito settings for remembered devices and threat protection, and the context data they make."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_client_auth.adapters.cognito.app_client import context_provider
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.sign_in import ContextData

ROOT = Path(__file__).parent.parent.parent


def test_the_device_and_context_keys_are_documented_with_their_defaults() -> None:
    settings = load_settings([ROOT / "config" / "default.toml"], environ={})
    assert settings.get("cognito", "device_name") == ""
    assert settings.get("cognito", "user_context_ip") == ""


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("user_context_ip", "somewhere", "IPv4 or IPv6"),
        ("device_name", "x" * 65, "at most 64 printable"),
        ("device_name", "laptop\\u001b[2J", "at most 64 printable"),
    ],
)
def test_bad_values_are_refused_naming_the_key(tmp_path: Path, key: str, value: str, problem: str) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text(f'[cognito]\n{key} = "{value}"\n')
    with pytest.raises(ConfigurationError, match=problem) as raised:
        load_settings([config], environ={})
    assert key in str(raised.value)


def test_good_values_are_kept(tmp_path: Path) -> None:
    config = tmp_path / "client-auth.toml"
    config.write_text('[cognito]\nuser_context_ip = "2001:db8::7"\ndevice_name = "build agent 7"\n')
    settings = load_settings([config], environ={})
    assert (settings.get("cognito", "user_context_ip"), settings.get("cognito", "device_name")) == (
        "2001:db8::7",
        "build agent 7",
    )


def test_context_data_from_the_setting_and_from_a_callable() -> None:
    assert context_provider() is None
    fixed = context_provider("203.0.113.7")
    assert fixed is not None
    assert fixed("alice") == ContextData(ip_address="203.0.113.7")

    def fingerprint(username: str) -> ContextData | None:
        return None if username == "nobody" else ContextData(encoded_data=f"fp-{username}")

    assert context_provider("", fingerprint) is fingerprint
    both = context_provider("203.0.113.7", fingerprint)
    assert both is not None
    assert both("alice") == ContextData(ip_address="203.0.113.7", encoded_data="fp-alice")
    assert both("nobody") == ContextData(ip_address="203.0.113.7")
    own = context_provider("203.0.113.7", lambda _: ContextData(ip_address="198.51.100.1"))
    assert own is not None
    assert own("alice") == ContextData(ip_address="198.51.100.1")  # the caller's own address wins
