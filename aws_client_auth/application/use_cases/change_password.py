from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.events import OperationFailed, PasswordChanged
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import password


class ChangePassword:
    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def execute(self, old_password: str, new_password: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("change_password", e, COGNITO)):
            old, new = password(old_password, what="Current password"), password(new_password, what="New password")
            access_token = self._tokens.fresh(COGNITO).access_token
            self._providers.directory(COGNITO).change_password(access_token, old, new)
        self._events.publish(PasswordChanged(provider=COGNITO))
