"""The authentication providers this run knows: the Gem's "provider pattern" as plain values.

A provider is a name, the key and token it presents to the identity pool, and the ports it implements.
Cognito, Login with Amazon, Google and any custom provider are registered the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from aws_client_auth.application.ports.device_sign_in import DeviceSignIn
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserDirectory
from aws_client_auth.domain.errors import InvalidInput, ProviderNotConfigured, UnknownProvider
from aws_client_auth.domain.sign_in import Challenge
from aws_client_auth.domain.tokens import LoginToken, ProviderName

ChallengeAnswerer = Callable[[Challenge], "str | None"]
"""Answers a custom challenge in code: the answer, or None to leave the challenge to a person (confirm_sign_in)."""


class SignInMethod(StrEnum):
    """How a provider signs a user in."""

    PASSWORD = "password"
    """A user name and password, then any challenge (``sign_in``, ``confirm_sign_in``)."""
    DEVICE = "device"
    """A code the user approves elsewhere (``start_device_sign_in``, ``complete_device_sign_in``)."""
    CHOICE = "choice"
    """A first factor of the user's choice, offered by the provider (``sign_in`` without a password), then any
    challenge: the provider is configured for choice-based sign-in."""


@dataclass(frozen=True, slots=True)
class AuthProvider:
    name: ProviderName
    login_key: str
    """The identity pool's key for this provider: ``www.amazon.com``, ``cognito-idp.<region>.amazonaws.com/<pool>``."""
    login_token: LoginToken
    refresher: TokenRefresher
    password: PasswordSignIn | None = None
    device: DeviceSignIn | None = None
    directory: UserDirectory | None = None
    answerer: ChallengeAnswerer | None = None
    """Answers the provider's custom challenges in code (a store ticket, a console token), so no one types them."""
    choice_first: bool = False
    """Sign-in starts with the provider's offer of first factors, not with a password (Cognito's USER_AUTH)."""


class ProviderRegistry:
    """The configured providers, each built on first use (so a run that needs none imports no SDK)."""

    def __init__(
        self,
        providers: Mapping[str, Callable[[], AuthProvider]] | Iterable[AuthProvider],
        unconfigured: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(providers, Mapping):
            self._factories = {ProviderName(name): factory for name, factory in providers.items()}
        else:
            self._factories = {p.name: _constant(p) for p in providers}
        self._built: dict[ProviderName, AuthProvider] = {}
        self._lock = threading.RLock()  # re-entrant: a factory may build on another provider
        self._unconfigured = dict(unconfigured or {})
        """Known provider names that this configuration leaves out, with what to set to enable each."""
        self._answerers: dict[ProviderName, ChallengeAnswerer] = {}

    @property
    def names(self) -> tuple[ProviderName, ...]:
        return tuple(self._factories)

    def register(self, name: str, factory: Callable[[], AuthProvider]) -> None:
        """Add a provider in code (a custom provider, the Gem's provider pattern)."""
        with self._lock:
            self._factories[ProviderName(name)] = factory
            self._built.pop(ProviderName(name), None)

    def answer_custom_challenges(self, name: str, answerer: ChallengeAnswerer | None) -> None:
        """Answer ``name``'s custom challenges with ``answerer`` (None: leave them to a person again)."""
        with self._lock:
            if answerer is None:
                self._answerers.pop(ProviderName(name), None)
            else:
                self._answerers[ProviderName(name)] = answerer

    def answerer(self, name: str) -> ChallengeAnswerer | None:
        """What answers ``name``'s custom challenges in code: one set in code, else the provider's own."""
        return self._answerers.get(ProviderName(name)) or self.get(name).answerer

    def get(self, name: str) -> AuthProvider:
        key = ProviderName(name)
        factory = self._factories.get(key)
        if factory is not None:
            with self._lock:
                if key not in self._built:
                    self._built[key] = factory()
                return self._built[key]
        if name in self._unconfigured:
            raise ProviderNotConfigured(f"Provider {name!r} is not configured: {self._unconfigured[name]}.")
        known = ", ".join(sorted({*self._factories, *self._unconfigured})) or "none"
        raise UnknownProvider(f"Unknown provider {name!r}: the known providers are {known}.")

    def sign_in_method(self, name: str) -> SignInMethod:
        """A password where the provider takes one, else the device flow (whose start says if it has none)."""
        provider = self.get(name)
        if provider.password is None:
            return SignInMethod.DEVICE
        return SignInMethod.CHOICE if provider.choice_first else SignInMethod.PASSWORD

    def password(self, name: str) -> PasswordSignIn:
        provider = self.get(name)
        if provider.password is None:
            raise InvalidInput(f"Provider {name!r} has no password sign-in: use its device sign-in instead.")
        return provider.password

    def device(self, name: str) -> DeviceSignIn:
        provider = self.get(name)
        if provider.device is None:
            raise InvalidInput(f"Provider {name!r} has no device sign-in: sign in with a username and password.")
        return provider.device

    def directory(self, name: str) -> UserDirectory:
        provider = self.get(name)
        if provider.directory is None:
            raise InvalidInput(f"Provider {name!r} has no user directory: sign-up, passwords and MFA are Cognito's.")
        return provider.directory


def _constant(provider: AuthProvider) -> Callable[[], AuthProvider]:
    return lambda: provider
