"""What happened: the facts the Gem announced on its notification buses. Events never carry a secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.sign_in import ChallengeKind, CodeDelivery
from aws_client_auth.domain.tokens import ProviderName
from aws_client_auth.domain.user import MfaType


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events; subscribe to it to see everything."""


@dataclass(frozen=True, slots=True)
class OperationFailed(Event):
    """A use case failed. Subclasses name the failures the Gem announced on their own."""

    operation: str
    error_code: str
    message: str
    provider: ProviderName | None = None

    @classmethod
    def of(cls, operation: str, error: ClientAuthError, provider: ProviderName | None = None) -> OperationFailed:
        return cls(operation=operation, error_code=error.code, message=str(error), provider=provider)


@dataclass(frozen=True, slots=True)
class SignInFailed(OperationFailed):
    pass


@dataclass(frozen=True, slots=True)
class RefreshFailed(OperationFailed):
    pass


@dataclass(frozen=True, slots=True)
class CredentialsFailed(OperationFailed):
    pass


@dataclass(frozen=True, slots=True)
class SignedUp(Event):
    username: str
    user_sub: str
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class SignUpConfirmed(Event):
    username: str


@dataclass(frozen=True, slots=True)
class ConfirmationCodeSent(Event):
    username: str
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class SignedIn(Event):
    provider: ProviderName
    username: str | None


@dataclass(frozen=True, slots=True)
class PreviousUserForgotten(Event):
    """Someone else signed in with ``provider``: what belonged to ``previous_user`` (their identity, credentials,
    linked logins and other providers' tokens) was dropped before anything was reused."""

    provider: ProviderName
    previous_user: str


@dataclass(frozen=True, slots=True)
class ChallengeIssued(Event):
    provider: ProviderName
    kind: ChallengeKind
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class DeviceCodeIssued(Event):
    provider: ProviderName
    user_code: str
    verification_uri: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokensRefreshed(Event):
    provider: ProviderName
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignedOut(Event):
    provider: ProviderName
    globally: bool


@dataclass(frozen=True, slots=True)
class MfaEnabled(Event):
    mfa_type: MfaType


@dataclass(frozen=True, slots=True)
class MfaSetupStarted(Event):
    mfa_type: MfaType


@dataclass(frozen=True, slots=True)
class MfaDisabled(Event):
    mfa_type: MfaType | None = None
    """The method turned off; None when every method was."""


@dataclass(frozen=True, slots=True)
class MfaPreferenceChanged(Event):
    preferred: MfaType


@dataclass(frozen=True, slots=True)
class PasswordResetRequested(Event):
    username: str
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class PasswordResetDone(Event):
    username: str


@dataclass(frozen=True, slots=True)
class PasswordChanged(Event):
    provider: ProviderName


@dataclass(frozen=True, slots=True)
class CredentialsObtained(Event):
    identity_id: str
    authenticated: bool
    expiration: datetime


@dataclass(frozen=True, slots=True)
class IdentitiesLinked(Event):
    identity_id: str
    providers: tuple[ProviderName, ...]


@dataclass(frozen=True, slots=True)
class SessionReset(Event):
    pass


@dataclass(frozen=True, slots=True)
class DeviceConfirmed(Event):
    """The pool tracks this machine as one of the user's devices; ``remembered`` when it also skips MFA."""

    provider: ProviderName
    device_key: str
    remembered: bool


@dataclass(frozen=True, slots=True)
class DeviceRemembered(Event):
    provider: ProviderName
    device_key: str


@dataclass(frozen=True, slots=True)
class DeviceForgotten(Event):
    """The pool no longer tracks the device; ``this_device`` when it was this machine (its keys dropped here too)."""

    provider: ProviderName
    device_key: str
    this_device: bool


@dataclass(frozen=True, slots=True)
class AttributesUpdated(Event):
    names: tuple[str, ...]
    deliveries: tuple[CodeDelivery, ...]
    """Where verification codes went, for changed attributes the pool verifies (email, phone number)."""


@dataclass(frozen=True, slots=True)
class AttributeCodeSent(Event):
    name: str
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class AttributeVerified(Event):
    name: str


@dataclass(frozen=True, slots=True)
class AttributesDeleted(Event):
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UserDeleted(Event):
    """The user deleted their own account; the session kept for the pool is gone too."""

    provider: ProviderName
    username: str | None


@dataclass(frozen=True, slots=True)
class PasskeyRegistered(Event):
    credential_id: str


@dataclass(frozen=True, slots=True)
class PasskeyDeleted(Event):
    credential_id: str
