"""A third-party provider, as a plugin would ship it: a generic OpenID Connect device-flow provider keyed in
the identity pool by its issuer. Registered in tests through a ``aws_client_auth.providers`` entry point."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient
from aws_client_auth.adapters.oauth.providers import standard
from aws_client_auth.adapters.plugins import ProviderContext
from aws_client_auth.application.services.providers import AuthProvider
from aws_client_auth.domain.tokens import LoginToken, ProviderName


def make_provider(name: str, section: Mapping[str, str], context: ProviderContext) -> AuthProvider:
    issuer = section["issuer"].rstrip("/")
    profile = standard(
        name,
        {
            "device_authorization_url": f"{issuer}/oauth2/device/authorize",
            "token_url": f"{issuer}/oauth2/token",
            "client_id": section["client_id"],
            "scope": section.get("scope", "openid profile"),
        },
    )
    client = DeviceFlowClient(profile, context.transport, context.clock)
    login_key = urlparse(issuer).netloc + urlparse(issuer).path  # how identity pools key an OIDC provider
    return AuthProvider(ProviderName(name), login_key, LoginToken.ID, refresher=client, device=client)
