"""Custom providers: the Gem's "provider pattern". A third party adds a provider by implementing the ports
(DeviceSignIn or PasswordSignIn, and TokenRefresher) and registering a factory, in code or through the
``aws_client_auth.providers`` entry-point group:

    [project.entry-points."aws_client_auth.providers"]
    okta = "my_package.okta:make_provider"

    def make_provider(name: str, section: Mapping[str, str], context: ProviderContext) -> AuthProvider: ...

``section`` is the provider's ``[providers.<name>]`` configuration. A section with device_authorization_url,
token_url, client_id and login_key needs no code at all: it is a standard RFC 8628 provider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from importlib.metadata import entry_points

from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient
from aws_client_auth.adapters.oauth.providers import standard
from aws_client_auth.adapters.oauth.transport import OAuthPoster
from aws_client_auth.adapters.settings.network import RESERVED_PROVIDER_NAMES
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.services.providers import AuthProvider
from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import LoginToken, ProviderName

GROUP = "aws_client_auth.providers"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What a provider factory may use: the shared way to the OAuth endpoints (timeouts, size bounds, safe
    retries, typed errors) and the clock, both as ports, so that a test gives a plugin fakes of them."""

    transport: OAuthPoster
    clock: Clock


ProviderFactory = Callable[[str, Mapping[str, str], ProviderContext], AuthProvider]


def discover() -> dict[str, ProviderFactory]:
    """Installed provider plugins. One that names a built-in provider is refused: any installed package could
    otherwise take over ``cognito`` or ``google`` sign-ins (an application may still replace one in code)."""
    found: dict[str, ProviderFactory] = {}
    for entry in entry_points(group=GROUP):
        if entry.name.lower() in RESERVED_PROVIDER_NAMES:
            log.warning("Provider plugin %s is ignored: that name belongs to a built-in provider.", clean(entry.name))
            continue
        try:
            found[entry.name] = entry.load()
        except Exception as error:  # noqa: BLE001 - a broken plugin must not break the built-in providers
            log.warning("Provider plugin %s could not be loaded: %s", entry.name, type(error).__name__)
    return found


def standard_provider(name: str, section: Mapping[str, str], context: ProviderContext) -> AuthProvider:
    missing = [k for k in ("device_authorization_url", "token_url", "client_id", "login_key") if not section.get(k)]
    if missing:
        raise ConfigurationError(f"[providers.{name}] needs {', '.join(missing)}.")
    client = DeviceFlowClient(standard(name, section), context.transport, context.clock)
    kind = LoginToken(section.get("login_token", "id"))
    return AuthProvider(ProviderName(name), section["login_key"], kind, refresher=client, device=client)


def custom_factories(
    sections: Mapping[str, Mapping[str, str]], context: Callable[[], ProviderContext]
) -> dict[str, Callable[[], AuthProvider]]:
    """Every plugin, and every configured section a standard provider can serve, as lazy factories."""
    factories: dict[str, Callable[[], AuthProvider]] = {}
    for name, plugin in discover().items():
        factories[name] = partial(_build, plugin, name, dict(sections.get(name, {})), context)
    for name, section in sections.items():
        if name not in factories and "device_authorization_url" in section:
            factories[name] = partial(_build, standard_provider, name, dict(section), context)
    return factories


def _build(
    factory: ProviderFactory, name: str, section: Mapping[str, str], context: Callable[[], ProviderContext]
) -> AuthProvider:
    return factory(name, section, context())
