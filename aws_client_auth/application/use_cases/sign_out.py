from __future__ import annotations

import logging
from collections.abc import Mapping

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import ClientAuthError, InvalidInput, NotAuthorized, NotSignedIn, SessionExpired
from aws_client_auth.domain.events import OperationFailed, SignedOut
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import ProviderName, Tokens

log = logging.getLogger(__name__)


def _signed_out(session: Session, names: tuple[ProviderName, ...], *, globally: bool) -> Session:
    """Without the providers' tokens. This machine's remembered devices stay for a local sign-out (the next
    sign-in may skip MFA) and go with a global one, which ends the user's trust in every device."""
    devices = [session.tokens[name].device for name in names if name in session.tokens] if globally else []
    session = session.without_providers(names)
    for device in devices:
        if device is not None:
            session = session.replacing_device(device.key, None)
    return session


class SignOut:
    """Sign out of one provider, or of all (``provider=None``).

    This device's refresh token is revoked too, where the provider can (Cognito's RevokeToken).
    ``globally`` revokes the user's refresh tokens everywhere (Cognito's GlobalSignOut). Signing out of
    the last provider forgets the authenticated identity id and the cached credentials, so that the next user
    of this machine cannot reuse them.
    """

    def __init__(self, providers: ProviderRegistry, sessions: Sessions, events: EventPublisher) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events

    def execute(self, provider: str | None = None, *, globally: bool = False) -> tuple[ProviderName, ...]:
        # The lock is held across the revocations: no refresh elsewhere swaps the tokens being revoked.
        with failures_published(self._events, lambda e: OperationFailed.of("sign_out", e)), self._sessions.lock():
            session = self._sessions.load()
            if provider is None:
                names = session.signed_in_providers
            else:
                names = (ProviderName(provider),)
                if names[0] not in session.tokens:
                    raise NotSignedIn(f"Not signed in with {provider}: nothing to sign out of.")
            if globally:
                self._revoke_everywhere(session.tokens, names)
            else:
                self._revoke_here(session.tokens, names)
            self._sessions.update(lambda stored: _signed_out(stored, names, globally=globally))
        for name in names:
            self._events.publish(SignedOut(provider=name, globally=globally))
        return names

    def _revoke_here(self, tokens: Mapping[ProviderName, Tokens], names: tuple[ProviderName, ...]) -> None:
        """Best effort: the user asked to be signed out, so a failed revocation is logged, not raised. A provider
        no longer configured cannot be called: its tokens are only forgotten."""
        for name in names:
            if name not in self._providers.names:
                log.info("%s is not configured: its tokens are removed here, not revoked.", name)
                continue
            directory = self._providers.get(name).directory
            refresh_token = tokens[name].refresh_token
            if directory is None or refresh_token is None:
                continue
            try:
                directory.revoke_refresh_token(refresh_token)
            except ClientAuthError as error:
                log.warning("Signed out of %s locally; its refresh token could not be revoked: %s", name, error)

    def _revoke_everywhere(self, tokens: Mapping[ProviderName, Tokens], names: tuple[ProviderName, ...]) -> None:
        for name in names:
            if name not in self._providers.names:
                if len(names) == 1:
                    raise InvalidInput(f"{name} is not configured, so it cannot be called: sign out without --global.")
                log.info("%s is not configured: its tokens are removed here, not revoked.", name)
                continue
            directory = self._providers.get(name).directory
            if directory is None:
                if len(names) == 1:
                    raise InvalidInput(f"{name} has no global sign-out: sign out without --global.")
                continue
            try:
                directory.global_sign_out(tokens[name].access_token)
            except (NotAuthorized, SessionExpired) as error:
                # Already revoked or expired: the tokens are worthless anyway, so local sign-out proceeds.
                log.info("Global sign-out of %s found the session already ended: %s", name, error.code)
