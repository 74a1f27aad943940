from __future__ import annotations

from application.ports.event_publisher import EventPublisher
from application.services.events import failures_published
from application.services.providers import ProviderRegistry
from domain.events import OperationFailed, SignUpConfirmed
from domain.tokens import COGNITO
from domain.user import Username, verification_code


class ConfirmSignUp:
    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

    def execute(self, username: str, code: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("confirm_sign_up", e, COGNITO)):
            user = Username(username)
            self._providers.directory(COGNITO).confirm_sign_up(user, verification_code(code))
        self._events.publish(SignUpConfirmed(username=user.value))
