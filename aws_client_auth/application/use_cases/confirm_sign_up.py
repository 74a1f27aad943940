from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.domain.events import OperationFailed, SignUpConfirmed
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Username, verification_code


class ConfirmSignUp:
    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

    def execute(self, username: str, code: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("confirm_sign_up", e, COGNITO)):
            user = Username(username)
            self._providers.directory(COGNITO).confirm_sign_up(user, verification_code(code))
        self._events.publish(SignUpConfirmed(username=user.value))
