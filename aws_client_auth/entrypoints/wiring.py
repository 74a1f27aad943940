"""Small builders the container calls: each turns typed settings into an adapter or a value."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Protocol

from aws_client_auth.adapters.identity_pool import CognitoIdentityPool
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowProfile
from aws_client_auth.adapters.oauth.providers import GOOGLE_LOGIN_KEY, LWA_LOGIN_KEY, google, login_with_amazon
from aws_client_auth.adapters.settings.model import GOOGLE as GOOGLE_SECTION
from aws_client_auth.adapters.settings.model import LWA as LWA_SECTION
from aws_client_auth.adapters.settings.model import Settings
from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.application.ports.device_sign_in import DeviceSignIn
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserDirectory
from aws_client_auth.application.services.providers import AuthProvider, ChallengeAnswerer, ProviderRegistry
from aws_client_auth.domain.sign_in import Challenge
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON, LoginToken

UNCONFIGURED_HINTS = {
    "cognito": "set [cognito] user_pool_id and app_client_id",
    "lwa": "set [providers.login_with_amazon] app_client_id",
    "google": "set [providers.google] app_client_id and client_secret",
}


class UserPool(UserDirectory, PasswordSignIn, TokenRefresher, Protocol):
    """What a user pool's app client serves: user management, password sign-in and refresh."""


class DeviceClient(DeviceSignIn, TokenRefresher, Protocol):
    """What a device-flow provider's endpoints serve: the device code grant and refresh."""


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def provider_registry(
    settings: Settings,
    *,
    cognito_login_key: str,
    cognito: Callable[[], UserPool],
    device_client: Callable[[DeviceFlowProfile], DeviceClient],
    extra: Mapping[str, Callable[[], AuthProvider]],
) -> ProviderRegistry:
    """Every provider the settings enable, then the custom ones (which win on a name clash); the others are
    remembered with what would enable them."""
    factories: dict[str, Callable[[], AuthProvider]] = {}
    enabled = settings.builtin_providers()
    if COGNITO in enabled:

        def build_cognito() -> AuthProvider:
            pool = cognito()
            return AuthProvider(
                COGNITO,
                cognito_login_key,
                LoginToken.ID,
                refresher=pool,
                password=pool,
                directory=pool,
                choice_first=settings.get("cognito", "auth_flow") == "USER_AUTH",
                answerer=configured_answerer(settings.get("cognito", "custom_challenge_answerer")),
            )

        factories[COGNITO] = build_cognito
    lwa = settings.values[f"providers.{LWA_SECTION}"]
    if LOGIN_WITH_AMAZON in enabled:
        factories[LOGIN_WITH_AMAZON] = lambda: _device(
            login_with_amazon(lwa), device_client, LWA_LOGIN_KEY, LoginToken.ACCESS
        )
    google_section = settings.values[f"providers.{GOOGLE_SECTION}"]
    if GOOGLE in enabled:
        factories[GOOGLE] = lambda: _device(google(google_section), device_client, GOOGLE_LOGIN_KEY, LoginToken.ID)
    factories.update(extra)
    unconfigured = {name: hint for name, hint in UNCONFIGURED_HINTS.items() if name not in factories}
    return ProviderRegistry(factories, unconfigured)


def _device(
    profile: DeviceFlowProfile, build: Callable[[DeviceFlowProfile], DeviceClient], login_key: str, token: LoginToken
) -> AuthProvider:
    client = build(profile)
    return AuthProvider(profile.name, login_key, token, refresher=client, device=client)


def merged(*layers: Mapping[str, Callable[[], AuthProvider]]) -> dict[str, Callable[[], AuthProvider]]:
    """Plugins first, then providers registered in code, which win on a name clash."""
    return {name: factory for layer in layers for name, factory in layer.items()}


def identity_pool(pool_id: str, build: Callable[[], CognitoIdentityPool]) -> IdentityPool | None:
    return build() if pool_id else None


def authenticator(
    settings: Settings, notify: Callable[[str], None] | None, pin: Callable[[], str | None] | None = None
) -> Authenticator:
    """The passkey authenticator ``[passkeys] authenticator`` names (the ``fido2`` adapter by default), given the
    table's other keys; its prompts go to ``notify``, else to the log; ``pin`` asks for a security key's PIN."""
    from aws_client_auth.adapters.webauthn.guard import RelyingPartyGuard
    from aws_client_auth.adapters.webauthn.loader import load_authenticator

    options = {key: value for key, value in settings.passkeys.items() if key not in ("authenticator", "relying_party")}
    name = settings.passkeys.get("authenticator", "")
    loaded = load_authenticator(name, options, notify or _logged_notice, request_pin=pin)
    return RelyingPartyGuard(loaded, relying_party(settings))


def relying_party(settings: Settings) -> str | None:
    """The pool's passkey relying party: ``[passkeys] relying_party``, else the host of ``[cognito] domain``."""
    configured = settings.passkeys.get("relying_party", "").strip()
    if configured:
        return configured
    domain = settings.get("cognito", "domain")
    if not domain:
        return None
    from urllib.parse import urlsplit

    from aws_client_auth.adapters.cognito import endpoints
    from aws_client_auth.adapters.settings import network

    region = endpoints.pool_region(settings.get("cognito", "user_pool_id"), settings.get("aws", "region"))
    return urlsplit(network.managed_login_url(domain, region)).hostname


def _logged_notice(text: str) -> None:
    logging.getLogger("aws_client_auth").warning("%s", text)


ANSWERERS = "aws_client_auth.challenge_answerers"


def configured_answerer(name: str) -> ChallengeAnswerer | None:
    """``[cognito] custom_challenge_answerer``: an installed package's entry point in the
    ``aws_client_auth.challenge_answerers`` group, or ``package.module:function``; called with each custom
    challenge, it returns the answer (or None for a person to answer). Loaded at the first custom challenge, so a
    wrong name is reported there (the challenge stays pending) and never blocks other sign-ins."""
    if not name.strip():
        return None
    loaded: list[ChallengeAnswerer] = []

    def answer(challenge: Challenge) -> str | None:
        if not loaded:
            from aws_client_auth.adapters.named import load_named

            setting = "[cognito] custom_challenge_answerer"
            loaded.append(load_named(name.strip(), group=ANSWERERS, setting=setting, what="challenge answerer"))
        return loaded[0](challenge)

    return answer
