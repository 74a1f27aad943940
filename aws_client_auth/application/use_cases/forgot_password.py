from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.domain.events import OperationFailed, PasswordResetRequested
from aws_client_auth.domain.sign_in import CodeDelivery
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Username


class ForgotPassword:
    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

    def execute(self, username: str) -> CodeDelivery | None:
        with failures_published(self._events, lambda e: OperationFailed.of("forgot_password", e, COGNITO)):
            user = Username(username)
            delivery = self._providers.directory(COGNITO).forgot_password(user)
        self._events.publish(PasswordResetRequested(username=user.value, delivery=delivery))
        return delivery
