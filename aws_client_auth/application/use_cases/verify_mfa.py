from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.events import MfaEnabled, OperationFailed
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import MfaType, verification_code


class VerifyMfa:
    """Finish TOTP setup with a code from the authenticator app, and make TOTP the preferred MFA."""

    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def execute(self, code: str, *, device_name: str = "client-auth") -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("verify_mfa", e, COGNITO)):
            checked = verification_code(code)
            directory = self._providers.directory(COGNITO)
            access_token = self._tokens.fresh(COGNITO).access_token
            directory.verify_totp(access_token, checked, device_name)
            enabled = directory.get_user(access_token).mfa.enabled | {MfaType.TOTP}
            directory.set_mfa_preference(access_token, enabled, MfaType.TOTP)
        self._events.publish(MfaEnabled(mfa_type=MfaType.TOTP))
