"""The steps of a sign-in, as values the caller answers."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import ProviderName, Tokens, as_utc
from aws_client_auth.domain.user import MfaType, RememberedDevice


class ChallengeKind(StrEnum):
    """What the provider asks for before it issues tokens, in the domain's words (each adapter maps its own)."""

    SMS_CODE = "sms_code"
    TOTP_CODE = "totp_code"
    EMAIL_CODE = "email_code"
    NEW_PASSWORD_REQUIRED = "new_password"
    MFA_SETUP = "mfa_setup"
    SELECT_MFA_TYPE = "select_mfa_type"
    SMS_OTP = "sms_otp"
    """A one-time sign-in code sent by SMS, as the first factor (choice-based sign-in); by email it is EMAIL_CODE."""
    SELECT_FACTOR = "select_factor"
    """Choice-based sign-in without a preferred factor: choose one of ``factors``."""
    PASSWORD = "password"
    """The password factor was chosen: the password is the answer."""
    PASSKEY = "passkey"
    """Sign in with a passkey: the authenticator answers (``passkey_request``), nothing is typed."""
    CUSTOM = "custom"
    """A challenge the pool's own triggers define (custom authentication): ``public`` says what is asked."""

    @property
    def prompt(self) -> str:
        return _PROMPTS[self]


class Answer(StrEnum):
    """What a challenge is answered with."""

    CODE = "code"
    NEW_PASSWORD = "new_password"
    MFA_TYPE = "mfa_type"
    """One of the challenge's ``options``: which method to use (SELECT_MFA_TYPE) or to set up (MFA_SETUP)."""
    EMAIL_ADDRESS = "email_address"
    """The address to send sign-in codes to, when email MFA is being set up."""
    FACTOR = "factor"
    """One of the challenge's ``factors``: how to sign in."""
    PASSWORD = "password"
    """The user's password (a secret: never from the command line)."""
    PASSKEY = "passkey"
    """Nothing typed: the passkey's authenticator signs the challenge."""
    CUSTOM = "custom"
    """Whatever the custom challenge asks for (may be a secret: never echoed)."""


class AuthFactor(StrEnum):
    """A first factor of choice-based sign-in, in the domain's words (each adapter maps its own)."""

    PASSWORD = "password"
    EMAIL_OTP = "email-otp"
    SMS_OTP = "sms-otp"
    PASSKEY = "passkey"

    @classmethod
    def parse(cls, text: str) -> AuthFactor:
        """``email-otp``, ``EMAIL_OTP``, ``email``... one of the factors, or InvalidInput naming them."""
        word = str(text).strip().lower().replace("_", "-")
        found = _FACTOR_WORDS.get(word)
        if found is None:
            names = ", ".join(factor.value for factor in cls)
            raise InvalidInput(f"{clean(text, 40)!r} is not a sign-in factor: choose one of {names}.")
        return found


_FACTOR_WORDS = {factor.value: factor for factor in AuthFactor} | {
    "email": AuthFactor.EMAIL_OTP,
    "sms": AuthFactor.SMS_OTP,
    "password-srp": AuthFactor.PASSWORD,
    "web-authn": AuthFactor.PASSKEY,
    "webauthn": AuthFactor.PASSKEY,
}


_PROMPTS = {
    ChallengeKind.SMS_CODE: "Enter the code sent by SMS",
    ChallengeKind.TOTP_CODE: "Enter the code from your authenticator app",
    ChallengeKind.EMAIL_CODE: "Enter the code sent by email",
    ChallengeKind.NEW_PASSWORD_REQUIRED: "Choose a new password",
    ChallengeKind.MFA_SETUP: "Add the secret to your authenticator app, then enter its code",
    ChallengeKind.SELECT_MFA_TYPE: "Choose an MFA method",
    ChallengeKind.SMS_OTP: "Enter the sign-in code sent by SMS",
    ChallengeKind.SELECT_FACTOR: "Choose how to sign in",
    ChallengeKind.PASSWORD: "Enter your password",
    ChallengeKind.PASSKEY: "Use your passkey",
    ChallengeKind.CUSTOM: "Answer the challenge",
}
_SETUP_PROMPTS = {
    Answer.MFA_TYPE: "Choose an MFA method to set up",
    Answer.EMAIL_ADDRESS: "Enter the email address to receive sign-in codes",
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
    """A TOTP secret to add to an authenticator app, and its ``otpauth://`` URI (secret, so masked); ``session``
    is the provider's sign-in session the set-up continues, when it happens during sign-in."""

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
    """For SELECT_MFA_TYPE: the methods the user may choose from; for MFA_SETUP: those that may be set up."""
    mfa_setup: MfaSetup | None = None
    """For MFA_SETUP: the TOTP secret the user must add to an authenticator app."""
    parameters: dict[str, str] = field(default_factory=dict)
    """Provider data carried to the answer (for Cognito: USER_ID_FOR_SRP); never a secret."""
    device: RememberedDevice | None = None
    """The remembered device this sign-in started from: its key goes with every answer."""
    factors: tuple[AuthFactor, ...] = ()
    """For SELECT_FACTOR: the first factors the provider offers this user."""
    public: dict[str, str] = field(default_factory=dict)
    """For CUSTOM: the challenge's public parameters, as the pool's trigger set them (server text: shown cleaned)."""
    passkey_request: str | None = None
    """For PASSKEY: the WebAuthn request options (JSON) the authenticator signs; public, bound to the session."""

    @property
    def done(self) -> bool:
        return False

    @property
    def answer(self) -> Answer:
        """What this challenge is answered with. An MFA set-up is answered in steps: the method (when several may
        be set up), then the address for email, or the code from the authenticator app for TOTP."""
        if self.kind is ChallengeKind.NEW_PASSWORD_REQUIRED:
            return Answer.NEW_PASSWORD
        if self.kind is ChallengeKind.SELECT_MFA_TYPE:
            return Answer.MFA_TYPE
        if self.kind is ChallengeKind.MFA_SETUP and self.mfa_setup is None:
            return Answer.EMAIL_ADDRESS if self.options == (MfaType.EMAIL,) else Answer.MFA_TYPE
        return _ANSWERS.get(self.kind, Answer.CODE)

    @property
    def prompt(self) -> str:
        if self.kind is ChallengeKind.MFA_SETUP:
            return _SETUP_PROMPTS.get(self.answer, self.kind.prompt)
        return self.kind.prompt


_ANSWERS = {
    ChallengeKind.SELECT_FACTOR: Answer.FACTOR,
    ChallengeKind.PASSWORD: Answer.PASSWORD,
    ChallengeKind.PASSKEY: Answer.PASSKEY,
    ChallengeKind.CUSTOM: Answer.CUSTOM,
}

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
class ContextData:
    """What a user pool with threat protection weighs a request by: the user's IP address (for a server acting
    for its users) and the encoded device fingerprint of the provider's own collector library."""

    ip_address: str | None = None
    encoded_data: str | None = None

    def __post_init__(self) -> None:
        if self.ip_address is not None:
            try:
                ipaddress.ip_address(self.ip_address)
            except ValueError:
                raise InvalidInput("The context IP address is not an IPv4 or IPv6 address.") from None
        if self.encoded_data is not None and (not isinstance(self.encoded_data, str) or len(self.encoded_data) > 8192):
            raise InvalidInput("The encoded context data is not text of at most 8192 characters.")

    def __bool__(self) -> bool:
        return bool(self.ip_address or self.encoded_data)


ContextDataProvider = Callable[[str], ContextData | None]
"""Called with the user name before every call that takes context data; None (or empty data) sends none."""


@dataclass(frozen=True, slots=True)
class SignUpResult:
    user_sub: str
    confirmed: bool
    delivery: CodeDelivery | None = None
    session: Secret | None = None
    """The provider's sign-up session (Cognito, for app clients with choice-based sign-in): confirming with it
    returns a session that signs the new user in at once."""


@dataclass(frozen=True, slots=True)
class SignUpSession:
    """A sign-up's session, kept between ``sign-up`` and ``confirm-sign-up --sign-in`` (separate runs)."""

    LIFETIME: ClassVar[timedelta] = timedelta(minutes=3)
    """Cognito's sign-in sessions last three minutes; an older one is not sent (confirming works without it)."""

    username: str
    session: Secret
    issued_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "issued_at", as_utc(self.issued_at, what="Sign-up session time"))

    def usable_for(self, username: str, now: datetime) -> bool:
        return self.username == username and timedelta(0) <= as_utc(now) - self.issued_at < self.LIFETIME


@dataclass(frozen=True, slots=True)
class Passkey:
    """A passkey registered for the user: its credential id (public), name, relying party and when it was made."""

    credential_id: str
    name: str
    relying_party: str
    created_at: datetime | None = None
    attachment: str | None = None
    transports: tuple[str, ...] = ()
