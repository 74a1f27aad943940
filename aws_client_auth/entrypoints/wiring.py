"""Small builders the container calls: each turns plain configuration values into an adapter or a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.identity_pool import CognitoIdentityPool
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient, DeviceFlowProfile
from aws_client_auth.adapters.oauth.providers import GOOGLE_LOGIN_KEY, LWA_LOGIN_KEY, google, login_with_amazon
from aws_client_auth.adapters.settings.model import GOOGLE as GOOGLE_SECTION
from aws_client_auth.adapters.settings.model import LWA as LWA_SECTION
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON, LoginToken

UNCONFIGURED_HINTS = {
    "cognito": "set [cognito] user_pool_id and app_client_id",
    "lwa": "set [providers.login_with_amazon] app_client_id",
    "google": "set [providers.google] app_client_id and client_secret",
}


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def optional_secret(value: Secret | None) -> Secret | None:
    return value if value else None


def provider_registry(
    config: Mapping[str, Any],
    *,
    cognito: Callable[[], CognitoUserPool],
    device_client: Callable[[DeviceFlowProfile], DeviceFlowClient],
    extra: Mapping[str, Callable[[], AuthProvider]],
) -> ProviderRegistry:
    """Every provider the configuration enables, then the custom ones (which win on a name clash);
    the others are remembered with what would enable them."""
    factories: dict[str, Callable[[], AuthProvider]] = {}
    section = config["cognito"]
    if section["user_pool_id"] and section["app_client_id"]:
        region = endpoints.pool_region(section["user_pool_id"], config["aws"]["region"])
        key = endpoints.login_key(region, section["user_pool_id"])

        def build_cognito() -> AuthProvider:
            pool = cognito()
            return AuthProvider(COGNITO, key, LoginToken.ID, refresher=pool, password=pool, directory=pool)

        factories[COGNITO] = build_cognito
    lwa = config["providers"][LWA_SECTION]
    if lwa["app_client_id"]:
        factories[LOGIN_WITH_AMAZON] = lambda: _device(
            device_client(login_with_amazon(lwa)), LWA_LOGIN_KEY, LoginToken.ACCESS
        )
    google_section = config["providers"][GOOGLE_SECTION]
    if google_section["app_client_id"] and google_section["client_secret"]:
        factories[GOOGLE] = lambda: _device(device_client(google(google_section)), GOOGLE_LOGIN_KEY, LoginToken.ID)
    factories.update(extra)
    unconfigured = {name: hint for name, hint in UNCONFIGURED_HINTS.items() if name not in factories}
    return ProviderRegistry(factories, unconfigured)


def _device(client: DeviceFlowClient, login_key: str, token: LoginToken) -> AuthProvider:
    return AuthProvider(client.name, login_key, token, refresher=client, device=client)


def merged(*layers: Mapping[str, Callable[[], AuthProvider]]) -> dict[str, Callable[[], AuthProvider]]:
    """Plugins first, then providers registered in code, which win on a name clash."""
    return {name: factory for layer in layers for name, factory in layer.items()}


def custom_sections(config: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    builtin = {LWA_SECTION, GOOGLE_SECTION}
    return {name: dict(section) for name, section in config["providers"].items() if name not in builtin}


def identity_pool(pool_id: str, build: Callable[[], CognitoIdentityPool]) -> IdentityPool | None:
    return build() if pool_id else None
