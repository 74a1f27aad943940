from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.domain.events import ConfirmationCodeSent, OperationFailed
from aws_client_auth.domain.sign_in import CodeDelivery
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Username


class ResendConfirmationCode:
    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

    def execute(self, username: str) -> CodeDelivery | None:
        with failures_published(self._events, lambda e: OperationFailed.of("resend_confirmation_code", e, COGNITO)):
            user = Username(username)
            delivery = self._providers.directory(COGNITO).resend_confirmation_code(user)
        self._events.publish(ConfirmationCodeSent(username=user.value, delivery=delivery))
        return delivery
