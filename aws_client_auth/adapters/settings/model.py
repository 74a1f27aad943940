"""The one settings model: every key, its type, its default and how it is checked."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aws_client_auth.adapters.settings.network import domain_problem, loopback_redirect_problem, url_problem
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import scope_set

LWA = "login_with_amazon"
GOOGLE = "google"
MAX_ID_TOKEN_LEEWAY_SECONDS: Final = 300
"""The most clock skew an ID token's expiry, ``iat`` and ``nbf`` checks forgive: more would accept a token long
expired, or one issued in the future, and no longer be a check."""


@dataclass(frozen=True, slots=True)
class Key:
    kind: type
    default: Any = None
    check: Callable[[Any], str | None] | None = None
    """Returns what is wrong with a value of the right type, or None."""
    secret: bool = False


def _pattern(regex: str, example: str) -> Callable[[Any], str | None]:
    compiled = re.compile(regex)
    return lambda value: None if value == "" or compiled.match(value) else f"expected something like {example}"


def _choice(*options: str) -> Callable[[Any], str | None]:
    return lambda value: None if value in options else f"expected one of {', '.join(options)}"


def _positive_up_to(high: float) -> Callable[[Any], str | None]:
    """Above zero and at most ``high``: also refuses TOML's ``nan`` and ``inf``, which no comparison lets through."""
    return lambda value: None if 0 < value <= high else f"expected a positive number of at most {high:g}"


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    """A bounded count or duration: a huge one would overflow a timedelta or retry for ever."""
    return lambda value: None if low <= value <= high else f"expected a number from {low} to {high}"


def _scopes(value: str) -> str | None:
    """Space-separated OAuth scopes (``openid email``, ``https://api.example.com/read``); empty for "whatever the
    app client is allowed"."""
    try:
        scope_set(value)
    except InvalidInput as error:
        return error.message.rstrip(".")
    return None


_URL = url_problem


def _device_name(value: str) -> str | None:
    """What this machine is called in the user's device list (empty: the host name)."""
    if len(value) > 64 or any(not ch.isprintable() for ch in value):
        return "expected at most 64 printable characters"
    return None


def _ip_address(value: str) -> str | None:
    import ipaddress

    try:
        if value:
            ipaddress.ip_address(value)
    except ValueError:
        return "expected an IPv4 or IPv6 address like 203.0.113.7"
    return None


SCHEMA: dict[str, dict[str, Key]] = {
    "aws": {
        "region": Key(str, "us-west-2", _pattern(r"^[a-z]{2}(-[a-z]+)+-\d+$", "us-west-2")),
        "endpoint_url": Key(str, "", _URL),
        "account_id": Key(str, "", _pattern(r"^\d{12}$", "123456789012 (twelve digits)")),
    },
    "cognito": {
        "user_pool_id": Key(str, "", _pattern(r"^[\w-]+_[0-9a-zA-Z]+$", "us-west-2_AbCdEf123")),
        "app_client_id": Key(str, "", _pattern(r"^[\w+]+$", "1example23456789")),
        "app_client_secret": Key(str, "", secret=True),
        "identity_pool_id": Key(str, "", _pattern(r"^[\w-]+:[0-9a-fA-F-]+$", "us-west-2:0000-...")),
        "auth_flow": Key(
            str, "USER_SRP_AUTH", _choice("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")
        ),
        "custom_challenge_answerer": Key(str, ""),
        "id_token_leeway_seconds": Key(int, 60, _between(0, MAX_ID_TOKEN_LEEWAY_SECONDS)),
        "jwks_url": Key(str, "", _URL),
        "revoke_on_sign_out": Key(bool, True),
        "domain": Key(str, "", domain_problem),
        "redirect_uri": Key(str, "", loopback_redirect_problem),
        "scopes": Key(str, "", _scopes),
        "device_name": Key(str, "", _device_name),
        "user_context_ip": Key(str, "", _ip_address),
    },
    "machine": {
        "client_id": Key(str, "", _pattern(r"^[\w+]+$", "1example23456789")),
        "client_secret": Key(str, "", secret=True),
        "scopes": Key(str, "", _scopes),
        "token_url": Key(str, "", _URL),
    },
    f"providers.{LWA}": {
        "app_client_id": Key(str, ""),
        "oauth_code_url": Key(str, "https://api.amazon.com/auth/o2/create/codepair", _URL),
        "oauth_tokens_url": Key(str, "https://api.amazon.com/auth/o2/token", _URL),
        "scope": Key(str, "profile"),
    },
    f"providers.{GOOGLE}": {
        "app_client_id": Key(str, ""),
        "client_secret": Key(str, "", secret=True),
        "oauth_code_url": Key(str, "https://oauth2.googleapis.com/device/code", _URL),
        "oauth_tokens_url": Key(str, "https://oauth2.googleapis.com/token", _URL),
        "scope": Key(str, "openid email profile"),
    },
    "storage": {
        "backend": Key(str, "file", _choice("file", "keyring", "memory")),
        "path": Key(str, ""),
        "keyring_fallback_to_file": Key(bool, False),
    },
    "session": {
        "refresh_skew_seconds": Key(int, 300, _between(0, 86_400)),
    },
    "network": {
        "timeout_seconds": Key(float, 10.0, _positive_up_to(600)),
        "max_attempts": Key(int, 4, _between(1, 10)),
        "allow_insecure_http": Key(bool, False),
        "allow_custom_provider_urls": Key(bool, False),
    },
}


def defaults() -> dict[str, dict[str, Any]]:
    return {section: {name: key.default for name, key in keys.items()} for section, keys in SCHEMA.items()}


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated settings; sections are plain mappings, secrets are wrapped so that no repr shows them."""

    values: Mapping[str, Mapping[str, Any]] = field(default_factory=defaults)
    custom_providers: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    """``[providers.<name>]`` sections of providers registered by third parties, passed to their factories."""
    client_metadata: Mapping[str, str] = field(default_factory=dict, repr=False)
    """``[cognito.client_metadata]``: sent with every Cognito call that takes ``ClientMetadata``."""
    passkeys: Mapping[str, str] = field(default_factory=dict)
    """``[passkeys]``: ``authenticator`` (``fido2``, an installed plug-in's name, or ``module:factory``), ``origin``,
    and the authenticator's own options."""
    sources: tuple[str, ...] = ()

    def get(self, section: str, key: str) -> Any:
        return self.values[section][key]

    def secret(self, section: str, key: str) -> Secret | None:
        value = self.values[section][key]
        return value if isinstance(value, Secret) and value else None

    def builtin_providers(self) -> frozenset[str]:
        """The names of the built-in providers these settings enable (plugins and providers registered in code
        come on top)."""
        lwa, google = self.values[f"providers.{LWA}"], self.values[f"providers.{GOOGLE}"]
        enabled = {
            "cognito": bool(self.get("cognito", "user_pool_id") and self.get("cognito", "app_client_id")),
            "lwa": bool(lwa["app_client_id"]),
            "google": bool(google["app_client_id"] and google["client_secret"]),
        }
        return frozenset(name for name, on in enabled.items() if on)

    def as_config(self) -> dict[str, Any]:
        """Nested dict for dependency-injector's Configuration (``providers.login_with_amazon`` nests)."""
        nested: dict[str, Any] = {}
        for section, keys in self.values.items():
            target = nested
            for part in section.split("."):
                target = target.setdefault(part, {})
            target.update(keys)
        nested.setdefault("providers", {}).update({name: dict(v) for name, v in self.custom_providers.items()})
        return nested
