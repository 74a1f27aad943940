from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import DeviceCodeIssued, SignInFailed
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import ProviderName


class StartDeviceSignIn:
    """Request a device code; the user approves it at the verification URI (the Gem's DeviceCodeGrantSignIn)."""

    def __init__(self, providers: ProviderRegistry, sessions: Sessions, events: EventPublisher) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events

    def execute(self, provider: str) -> DeviceAuthorization:
        name = ProviderName(provider)
        with failures_published(self._events, lambda e: SignInFailed.of("start_device_sign_in", e, name)):
            authorization = self._providers.device(name).start()
        self._sessions.update(lambda session: session.with_pending(authorization))
        self._events.publish(
            DeviceCodeIssued(
                provider=name,
                user_code=authorization.user_code,
                verification_uri=authorization.verification_uri,
                expires_at=authorization.expires_at,
            )
        )
        return authorization
