"""The questions every face asks about a profile: who is signed in, with what, and what waits for an answer.

Nothing here changes the session or calls a provider's service.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from aws_client_auth.application.services.providers import ProviderRegistry, SignInMethod
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.session import Pending, Session
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import ProviderName


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    provider: ProviderName
    username: str | None
    expires_at: datetime
    configured: bool = True
    """False for tokens kept from a provider this configuration no longer has (sign-out still removes them)."""


@dataclass(frozen=True, slots=True)
class Status:
    """Who is signed in and what is cached; never a secret."""

    profile: str
    providers: tuple[ProviderStatus, ...]
    pending: str | None
    authenticated_identity_id: str | None
    guest_identity_id: str | None
    credentials_expiration: datetime | None
    credentials_authenticated: bool | None
    linked_logins: tuple[str, ...]


def status_of(profile: str, session: Session, configured: Collection[str] | None = None) -> Status:
    """The status of a stored session: also what the CLI's light path shows without building the facade.
    ``configured`` names the configured providers (None: all of those signed in are)."""
    creds = session.credentials
    pending = session.pending
    return Status(
        profile=profile,
        providers=tuple(
            ProviderStatus(name, tokens.username, tokens.expires_at, configured is None or name in configured)
            for name, tokens in sorted(session.tokens.items())
        ),
        pending=None if pending is None else f"{pending.provider}: {describe(pending)}",
        authenticated_identity_id=session.authenticated_identity_id,
        guest_identity_id=session.guest_identity_id,
        credentials_expiration=creds.expiration if creds else None,
        credentials_authenticated=creds.authenticated if creds else None,
        linked_logins=tuple(sorted(session.linked_logins)),
    )


class Queries:
    def __init__(self, sessions: Sessions, providers: ProviderRegistry) -> None:
        self._sessions = sessions
        self._providers = providers

    def status(self) -> Status:
        return status_of(self._sessions.profile, self._sessions.load(), self._providers.names)

    def identity_id(self) -> str | None:
        return self._sessions.load().current_identity_id

    def is_signed_in(self, provider: str) -> bool:
        return ProviderName(provider) in self._sessions.load().tokens

    def signed_in_providers(self) -> tuple[ProviderName, ...]:
        return self._sessions.load().signed_in_providers

    def has_persisted_logins(self) -> bool:
        return bool(self._sessions.load().tokens)

    def pending(self) -> Pending | None:
        return self._sessions.load().pending

    def sign_in_method(self, provider: str) -> SignInMethod:
        return self._providers.sign_in_method(provider)


def describe(pending: Pending) -> str:
    """The pending step in a few words: what to enter, or which code to approve where."""
    if isinstance(pending, DeviceAuthorization):
        return f"device code {pending.user_code} at {pending.verification_uri}"
    return pending.kind.prompt
