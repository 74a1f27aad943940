"""Provider tokens kept valid: refreshed ahead of expiry, the refresh token kept when none comes back."""

from __future__ import annotations

from datetime import timedelta

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import ClientAuthError, NotSignedIn, SessionExpired
from aws_client_auth.domain.events import RefreshFailed, TokensRefreshed
from aws_client_auth.domain.tokens import ProviderName, Tokens


class TokenKeeper:
    def __init__(
        self, sessions: Sessions, providers: ProviderRegistry, clock: Clock, events: EventPublisher, skew: timedelta
    ) -> None:
        self._sessions = sessions
        self._providers = providers
        self._clock = clock
        self._events = events
        self._skew = skew

    def current(self, provider: str) -> Tokens:
        tokens = self._sessions.load().tokens.get(ProviderName(provider))
        if tokens is None:
            raise NotSignedIn(f"Not signed in with {provider}: sign in first.")
        return tokens

    def fresh(self, provider: str) -> Tokens:
        """Tokens valid for at least the refresh skew, refreshed first when needed: a token about to expire is
        never sent, and one refresh serves every caller waiting on the lock."""
        with self._sessions.lock():
            tokens = self.current(provider)
            if tokens.is_valid(self._clock.now(), self._skew):
                return tokens
            return self.refresh(provider)

    def refresh(self, provider: str) -> Tokens:
        """Refresh now. A refused refresh token signs that provider out; any other failure changes nothing.

        The lock is held across the provider's answer, so that the new tokens land on the session they were
        refreshed from and another caller waits for them instead of spending the refresh token again.
        """
        with self._sessions.lock():
            old = self.current(provider)
            name = ProviderName(provider)
            try:
                if old.refresh_token is None:
                    raise SessionExpired(f"{provider} kept no refresh token: sign in again.")
                new = old.refreshed_with(self._providers.get(name).refresher.refresh(old))
            except SessionExpired as error:
                self._sessions.update(lambda session: session.without_provider(name))
                self._events.publish(RefreshFailed.of("refresh_tokens", error, name))
                raise
            except ClientAuthError as error:
                self._events.publish(RefreshFailed.of("refresh_tokens", error, name))
                raise
            self._sessions.update(lambda session: session.with_tokens(new))
        self._events.publish(TokensRefreshed(provider=name, expires_at=new.expires_at))
        return new
