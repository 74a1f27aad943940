from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.domain.events import OperationFailed, PasswordResetDone
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Username, password, verification_code


class ConfirmForgotPassword:
    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

    def execute(self, username: str, code: str, new_password: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("confirm_forgot_password", e, COGNITO)):
            user = Username(username)
            checked_code = verification_code(code)
            self._providers.directory(COGNITO).confirm_forgot_password(
                user, checked_code, password(new_password, what="New password")
            )
        self._events.publish(PasswordResetDone(username=user.value))
