from __future__ import annotations

from contextlib import suppress

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import SignInFailed
from aws_client_auth.domain.sign_in import SignInStep
from aws_client_auth.domain.tokens import COGNITO, ProviderName
from aws_client_auth.domain.user import Username, password


class SignIn:
    """Password sign-in. Returns the next step: signed in, or a challenge to answer with ConfirmSignIn."""

    def __init__(self, providers: ProviderRegistry, sessions: Sessions, events: EventPublisher) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events

    def execute(self, username: str, secret: str, *, provider: str = COGNITO) -> SignInStep:
        name = ProviderName(provider)
        try:
            with failures_published(self._events, lambda e: SignInFailed.of("sign_in", e, name)):
                user = Username(username)
                step = self._providers.password(name).sign_in(user, password(secret))
        except ClientAuthError:
            self._abandon_pending(name)
            raise
        return record_step(self._sessions, self._events, step)

    def _abandon_pending(self, name: ProviderName) -> None:
        """A new sign-in abandons the previous one's challenge, even when it fails itself."""
        with suppress(ClientAuthError):  # the sign-in's own error is the one to report (a corrupt session too)
            self._sessions.update(lambda session: session.without_pending(name))
