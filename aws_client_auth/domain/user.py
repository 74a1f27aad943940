"""Users of a Cognito user pool and the validated values they are made of."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CODE = re.compile(r"^\S{1,64}$")
_MAX_USERNAME = 128
_MAX_PASSWORD = 256


def _has_space_or_control(value: str) -> bool:
    return any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value)


@dataclass(frozen=True, slots=True)
class Username:
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not self.value:
            raise InvalidInput("Username is empty: give the name or alias you signed up with.")
        if len(self.value) > _MAX_USERNAME:
            raise InvalidInput(f"Username is longer than {_MAX_USERNAME} characters.")
        if _has_space_or_control(self.value):
            raise InvalidInput("Username contains spaces or control characters: remove them.")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Email:
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or len(self.value) > 254 or not _EMAIL.match(self.value):
            raise InvalidInput("Email address is malformed: expected something like name@example.com.")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number in E.164 form, as Cognito requires."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _E164.match(self.value):
            raise InvalidInput(
                "Phone number is not in E.164 form: expected '+' then country code and number, "
                "digits only, like +14155550100."
            )

    def __str__(self) -> str:
        return self.value


def _is_utf8(value: str) -> bool:
    """Lone surrogates (bytes that were not UTF-8, read with ``surrogateescape``) cannot be sent or hashed."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def password(value: str, *, what: str = "Password") -> Secret:
    """Validate a password typed by a person and wrap it; the pool's own policy is checked by Cognito.

    Messages say what is wrong, never which character or where: any part of a password is a secret.
    """
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{what} is empty.")
    if not _is_utf8(value):
        raise InvalidInput(f"{what} is not valid UTF-8 text: type it again, or check the encoding of its source.")
    if len(value) > _MAX_PASSWORD:
        raise InvalidInput(f"{what} is longer than {_MAX_PASSWORD} characters.")
    if _has_space_or_control(value[0] + value[-1]):
        raise InvalidInput(f"{what} starts or ends with a space or control character.")
    return Secret(value)


def verification_code(value: str, *, what: str = "Code") -> str:
    """Validate a confirmation or MFA code (surrounding spaces are forgiven, inner ones are not)."""
    code = value.strip() if isinstance(value, str) else ""
    if not code:
        raise InvalidInput(f"{what} is empty: give the code you received.")
    if not _CODE.match(code):
        raise InvalidInput(f"{what} is malformed: it must be at most 64 characters without spaces.")
    return code


class MfaType(StrEnum):
    SMS = "SMS_MFA"
    TOTP = "SOFTWARE_TOKEN_MFA"
    EMAIL = "EMAIL_OTP"

    @classmethod
    def parse(cls, value: str) -> MfaType:
        aliases = {"sms": cls.SMS, "totp": cls.TOTP, "email": cls.EMAIL}
        key = value.strip()
        found = aliases.get(key.lower()) or next((m for m in cls if m.value == key.upper()), None)
        if found is None:
            raise InvalidInput(f"Unknown MFA type {value!r}: use one of sms, totp, email.")
        return found


@dataclass(frozen=True, slots=True)
class MfaPreferences:
    enabled: frozenset[MfaType] = frozenset()
    preferred: MfaType | None = None


@dataclass(frozen=True, slots=True)
class User:
    username: Username
    sub: str
    email: Email | None = None
    phone_number: PhoneNumber | None = None
    confirmed: bool = False
    mfa: MfaPreferences = field(default_factory=MfaPreferences)
