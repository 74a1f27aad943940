"""MFA as users manage it: which methods are on, which one is preferred, turning one on or off.

SMS and email are turned on at once (email needs the pool's email configuration: the adapter says so when it
is missing); TOTP is turned on by VerifyMfa, once the authenticator app's first code proves the set-up.
"""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.user_directory import UserAccount, account_of
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import MfaNotEnabled
from aws_client_auth.domain.events import (
    MfaDisabled,
    MfaEnabled,
    MfaPreferenceChanged,
    MfaSetupStarted,
    OperationFailed,
)
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import MfaSetup
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import MfaPreferences, MfaType


def _kind(mfa_type: str | MfaType) -> MfaType:
    return mfa_type if isinstance(mfa_type, MfaType) else MfaType.parse(mfa_type)


class _MfaUseCase:
    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def _account(self) -> tuple[UserAccount, Secret]:
        account = account_of(self._providers.directory(COGNITO))
        return account, self._tokens.fresh(COGNITO).access_token


class GetMfaPreference(_MfaUseCase):
    """The methods enabled and the preferred one (GetUser's ``UserMFASettingList`` and ``PreferredMfaSetting``)."""

    def execute(self) -> MfaPreferences:
        with failures_published(self._events, lambda e: OperationFailed.of("mfa_preference", e, COGNITO)):
            account, access_token = self._account()
            return account.get_user(access_token).mfa


class SetMfaPreference(_MfaUseCase):
    """Prefer one of the enabled methods: sign-ins ask for it without a choice."""

    def execute(self, mfa_type: str | MfaType) -> MfaPreferences:
        with failures_published(self._events, lambda e: OperationFailed.of("mfa_preference", e, COGNITO)):
            kind = _kind(mfa_type)
            account, access_token = self._account()
            if kind not in account.get_user(access_token).mfa.enabled:
                raise MfaNotEnabled(f"{kind.value} MFA is not enabled: enable it first (enable-mfa {kind.value}).")
            account.change_mfa(access_token, preferred=kind)
            preferences = account.get_user(access_token).mfa
        self._events.publish(MfaPreferenceChanged(preferred=kind))
        return preferences


class EnableMfaMethod(_MfaUseCase):
    """Turn on an MFA method and prefer it. TOTP returns the secret for the authenticator app instead: it is on
    once VerifyMfa checks a code from the app."""

    def execute(self, mfa_type: str | MfaType) -> MfaSetup | None:
        with failures_published(self._events, lambda e: OperationFailed.of("enable_mfa", e, COGNITO)):
            kind = _kind(mfa_type)
            directory = self._providers.directory(COGNITO)
            account, access_token = self._account()
            if kind is MfaType.TOTP:
                setup: MfaSetup | None = directory.start_totp_setup(access_token)
            else:
                account.change_mfa(access_token, enable=frozenset({kind}), preferred=kind)
                setup = None
        self._events.publish(MfaEnabled(mfa_type=kind) if setup is None else MfaSetupStarted(mfa_type=kind))
        return setup


class DisableMfaMethod(_MfaUseCase):
    """Turn off one method, or every enabled one (``None``); the pool then prefers another, if any is left."""

    def execute(self, mfa_type: str | MfaType | None = None) -> MfaPreferences:
        with failures_published(self._events, lambda e: OperationFailed.of("disable_mfa", e, COGNITO)):
            kind = None if mfa_type is None else _kind(mfa_type)
            account, access_token = self._account()
            enabled = account.get_user(access_token).mfa.enabled
            if kind is not None and kind not in enabled:
                raise MfaNotEnabled(f"{kind.value} MFA is not enabled: nothing to disable.")
            turned_off = enabled if kind is None else frozenset({kind})
            if turned_off:
                account.change_mfa(access_token, disable=turned_off)
            preferences = account.get_user(access_token).mfa
        self._events.publish(MfaDisabled(mfa_type=kind))
        return preferences
