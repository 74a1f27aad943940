"""Small builders the container calls: each turns plain configuration values into an adapter or a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from adapters.cognito import endpoints
from adapters.cognito.user_pool import CognitoUserPool
from adapters.identity_pool import CognitoIdentityPool
from application.ports.identity_pool import IdentityPool
from application.services.providers import AuthProvider, ProviderRegistry
from domain.secret import Secret
from domain.tokens import COGNITO, LoginToken

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
    factories.update(extra)
    unconfigured = {name: hint for name, hint in UNCONFIGURED_HINTS.items() if name not in factories}
    return ProviderRegistry(factories, unconfigured)


def identity_pool(pool_id: str, build: Callable[[], CognitoIdentityPool]) -> IdentityPool | None:
    return build() if pool_id else None
