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
from aws_client_auth.domain.user import RememberedDevice, Username, password


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
                port, device = self._providers.password(name), self._remembered_device(name, username)
                # A provider without device tracking may not take the keyword: it is only passed with a device.
                step = port.sign_in(user, password(secret), **({"device": device} if device else {}))
        except ClientAuthError:
            self._abandon_pending(name)
            raise
        return record_step(self._sessions, self._events, step, login=username)

    def _remembered_device(self, name: ProviderName, login: str) -> RememberedDevice | None:
        """This machine as ``login``'s device, kept from an earlier sign-in (a session that cannot be read has
        none: the sign-in replaces it)."""
        try:
            return self._sessions.load().device_for(name, login)
        except ClientAuthError:
            return None

    def _abandon_pending(self, name: ProviderName) -> None:
        """A new sign-in abandons the previous one's challenge, even when it fails itself."""
        with suppress(ClientAuthError):  # the sign-in's own error is the one to report (a corrupt session too)
            self._sessions.update(lambda session: session.without_pending(name))
