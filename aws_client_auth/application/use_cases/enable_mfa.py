from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.events import MfaEnabled, MfaSetupStarted, OperationFailed
from aws_client_auth.domain.sign_in import MfaSetup
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import MfaType


class EnableMfa:
    """Turn on MFA for the signed-in Cognito user.

    SMS is enabled and preferred at once (the Gem's EnableMFA). TOTP returns the secret to add to an
    authenticator app; it takes effect once VerifyMfa confirms a code from that app.
    """

    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def execute(self, mfa_type: str | MfaType) -> MfaSetup | None:
        with failures_published(self._events, lambda e: OperationFailed.of("enable_mfa", e, COGNITO)):
            kind = mfa_type if isinstance(mfa_type, MfaType) else MfaType.parse(mfa_type)
            if kind is MfaType.EMAIL:
                raise InvalidInput("Email MFA is set up in the user pool, not here: enable sms or totp.")
            directory = self._providers.directory(COGNITO)
            access_token = self._tokens.fresh(COGNITO).access_token
            if kind is MfaType.SMS:
                enabled = directory.get_user(access_token).mfa.enabled | {MfaType.SMS}
                directory.set_mfa_preference(access_token, enabled, MfaType.SMS)
                setup = None
            else:
                setup = directory.start_totp_setup(access_token)
        self._events.publish(MfaEnabled(mfa_type=kind) if setup is None else MfaSetupStarted(mfa_type=kind))
        return setup
