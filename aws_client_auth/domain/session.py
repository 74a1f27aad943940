"""Everything kept for one profile between runs: tokens, a pending step, identity ids, cached credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.sign_in import Challenge, DeviceAuthorization
from aws_client_auth.domain.tokens import ProviderName, Tokens

Pending = Challenge | DeviceAuthorization


def _frozen(tokens: Mapping[ProviderName, Tokens]) -> Mapping[ProviderName, Tokens]:
    return MappingProxyType(dict(tokens))


@dataclass(frozen=True, slots=True)
class Session:
    tokens: Mapping[ProviderName, Tokens] = field(default_factory=lambda: _frozen({}))
    pending: Pending | None = None
    authenticated_identity_id: str | None = None
    guest_identity_id: str | None = None
    credentials: Credentials | None = None
    linked_logins: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", _frozen(self.tokens))

    @property
    def signed_in_providers(self) -> tuple[ProviderName, ...]:
        return tuple(sorted(self.tokens))

    def with_tokens(self, tokens: Tokens) -> Session:
        """A provider signed in or refreshed: its logins changed, so cached credentials are dropped."""
        merged = {**self.tokens, tokens.provider: tokens}
        return replace(self, tokens=merged, credentials=None, pending=self._pending_unless(tokens.provider))

    def without_provider(self, provider: ProviderName) -> Session:
        """Sign-out of one provider; leaving no provider forgets the authenticated identity too (Gem defect 6)."""
        remaining = {name: t for name, t in self.tokens.items() if name != provider}
        session = replace(self, tokens=remaining, credentials=None, pending=self._pending_unless(provider))
        return session if remaining else replace(session, authenticated_identity_id=None, linked_logins=frozenset())

    def with_pending(self, pending: Pending | None) -> Session:
        return replace(self, pending=pending)

    def with_credentials(self, credentials: Credentials | None) -> Session:
        if credentials is None:
            return replace(self, credentials=None)
        if credentials.authenticated:
            return replace(self, credentials=credentials, authenticated_identity_id=credentials.identity_id)
        return replace(self, credentials=credentials, guest_identity_id=credentials.identity_id)

    def with_identity_id(self, identity_id: str, *, authenticated: bool) -> Session:
        if authenticated:
            return replace(self, authenticated_identity_id=identity_id)
        return replace(self, guest_identity_id=identity_id)

    def with_linked(self, logins: frozenset[str]) -> Session:
        return replace(self, linked_logins=logins)

    def _pending_unless(self, provider: ProviderName) -> Pending | None:
        return None if self.pending is not None and self.pending.provider == provider else self.pending
