from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.events import MfaDisabled, OperationFailed
from aws_client_auth.domain.tokens import COGNITO


class DisableMfa:
    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def execute(self) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("disable_mfa", e, COGNITO)):
            access_token = self._tokens.fresh(COGNITO).access_token
            self._providers.directory(COGNITO).set_mfa_preference(access_token, frozenset(), None)
        self._events.publish(MfaDisabled())
