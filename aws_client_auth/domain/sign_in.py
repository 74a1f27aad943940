"""The steps of a sign-in, as values the caller answers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import ProviderName, Tokens, as_utc
from aws_client_auth.domain.user import MfaType


class ChallengeKind(StrEnum):
    SMS_CODE = "SMS_MFA"
    TOTP_CODE = "SOFTWARE_TOKEN_MFA"
    EMAIL_CODE = "EMAIL_OTP"
    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
    MFA_SETUP = "MFA_SETUP"
    SELECT_MFA_TYPE = "SELECT_MFA_TYPE"

    @property
    def prompt(self) -> str:
        return _PROMPTS[self]


_PROMPTS = {
    ChallengeKind.SMS_CODE: "Enter the code sent by SMS",
    ChallengeKind.TOTP_CODE: "Enter the code from your authenticator app",
    ChallengeKind.EMAIL_CODE: "Enter the code sent by email",
    ChallengeKind.NEW_PASSWORD_REQUIRED: "Choose a new password",
    ChallengeKind.MFA_SETUP: "Add the secret to your authenticator app, then enter its code",
    ChallengeKind.SELECT_MFA_TYPE: "Choose an MFA method",
}


@dataclass(frozen=True, slots=True)
class CodeDelivery:
    """Where a code was sent: the medium (SMS, EMAIL) and the masked destination Cognito reports."""

    medium: str
    destination: str
    attribute: str | None = None

    def __str__(self) -> str:
        return f"{self.medium.lower()} to {self.destination}"


@dataclass(frozen=True, slots=True)
class MfaSetup:
    """A TOTP secret to add to an authenticator app, and its ``otpauth://`` URI (secret, so masked)."""

    secret: Secret
    otpauth_uri: Secret
    session: Secret | None = None


@dataclass(frozen=True, slots=True)
class SignedIn:
    tokens: Tokens

    @property
    def done(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Challenge:
    """The provider wants one more answer before it issues tokens."""

    provider: ProviderName
    kind: ChallengeKind
    username: str
    session: Secret
    delivery: CodeDelivery | None = None
    options: tuple[MfaType, ...] = ()
    """For SELECT_MFA_TYPE: the methods the user may choose from."""
    mfa_setup: MfaSetup | None = None
    """For MFA_SETUP: the TOTP secret the user must add to an authenticator app."""
    parameters: dict[str, str] = field(default_factory=dict)
    """Provider data carried to the answer (for Cognito: USER_ID_FOR_SRP); never a secret."""

    @property
    def done(self) -> bool:
        return False


SignInStep = SignedIn | Challenge


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    """An OAuth 2.0 device authorization (RFC 8628) the user approves on another device.

    ``interval`` is kept within ``MIN_INTERVAL`` and ``MAX_INTERVAL`` whatever the provider (or a stored
    session) says: polling faster than once a second is abuse, and slower than once a minute leaves the user
    waiting long after approving.
    """

    MIN_INTERVAL: ClassVar[int] = 1
    MAX_INTERVAL: ClassVar[int] = 60
    SLOW_DOWN_STEP: ClassVar[int] = 5
    """Seconds added to the interval on every ``slow_down`` (RFC 8628, section 3.5)."""

    provider: ProviderName
    user_code: str
    verification_uri: str
    expires_at: datetime
    device_code: Secret
    interval: int = 5
    verification_uri_complete: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", as_utc(self.expires_at, what="Device code expiry"))
        object.__setattr__(self, "interval", min(max(int(self.interval), self.MIN_INTERVAL), self.MAX_INTERVAL))

    def is_expired(self, now: datetime) -> bool:
        return as_utc(now) >= self.expires_at

    def seconds_left(self, now: datetime) -> float:
        """Seconds until the code expires (zero or less once it has)."""
        return (self.expires_at - as_utc(now)).total_seconds()

    def slowed_down(self) -> DeviceAuthorization:
        """The provider said ``slow_down``: poll ``SLOW_DOWN_STEP`` seconds less often, up to ``MAX_INTERVAL``."""
        return replace(self, interval=self.interval + self.SLOW_DOWN_STEP)


@dataclass(frozen=True, slots=True)
class SignUpResult:
    user_sub: str
    confirmed: bool
    delivery: CodeDelivery | None = None
