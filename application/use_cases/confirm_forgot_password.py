from __future__ import annotations

from application.ports.event_publisher import EventPublisher
from application.services.events import failures_published
from application.services.providers import ProviderRegistry
from domain.events import OperationFailed, PasswordResetDone
from domain.tokens import COGNITO
from domain.user import Username, password, verification_code


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
