"""Users of a Cognito user pool and the validated values they are made of."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CODE = re.compile(r"^\S{1,64}$")
_MAX_USERNAME = 128
_MAX_PASSWORD = 256
_MAX_ATTRIBUTE_NAME = 64
"""Cognito's own limit is 32 characters for a standard name and 20 after ``custom:``; the pool checks the rest."""
_MAX_ATTRIBUTE_VALUE = 2048


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


def attribute_name(value: str) -> str:
    """Validate the name of a user attribute: a standard one (``email``, ``given_name``) or ``custom:...``."""
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidInput("Attribute name is empty: give one like email, given_name or custom:team.")
    if len(name) > _MAX_ATTRIBUTE_NAME or _has_space_or_control(name) or "=" in name:
        raise InvalidInput(
            f"Attribute name is malformed: at most {_MAX_ATTRIBUTE_NAME} characters, without spaces or '='."
        )
    return name


def attribute_value(value: str, *, name: str) -> str:
    """Validate an attribute's new value (the pool checks its format: an email, a phone number, a date)."""
    if not isinstance(value, str) or len(value) > _MAX_ATTRIBUTE_VALUE:
        raise InvalidInput(f"The value of {name} is longer than {_MAX_ATTRIBUTE_VALUE} characters.")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(f"The value of {name} contains control characters: remove them.")
    return value


class MfaType(StrEnum):
    """A second factor, in the domain's words; each adapter maps them to its service's names."""

    SMS = "sms"
    TOTP = "totp"
    EMAIL = "email"

    @classmethod
    def parse(cls, value: str) -> MfaType:
        found = _MFA_NAMES.get(value.strip().lower()) if isinstance(value, str) else None
        if found is None:
            raise InvalidInput(f"Unknown MFA type {value!r}: use one of sms, totp, email.")
        return found


_MFA_NAMES = {
    **{kind.value: kind for kind in MfaType},
    # the names earlier versions printed (Cognito's), still accepted from people and scripts that learnt them
    "sms_mfa": MfaType.SMS,
    "software_token_mfa": MfaType.TOTP,
    "email_otp": MfaType.EMAIL,
}


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
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    """Every attribute the pool keeps for the user (standard and ``custom:``), as the pool sent them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))


@dataclass(frozen=True, slots=True)
class RememberedDevice:
    """This machine as one of the user's devices the pool tracks: its keys name it, its password proves it.

    The password (and the group key, the SRP "realm" it is hashed with) are secrets, kept like tokens and never
    shown. The device key is the identifier the pool lists the device by and the user forgets it by, so it is
    plain text.
    """

    key: str
    group_key: Secret
    password: Secret
    remembered: bool = False
    """True once the device is remembered (sign-ins from it may skip MFA), not only tracked."""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key or _has_space_or_control(self.key):
            raise InvalidInput("A device key is empty or malformed.")


@dataclass(frozen=True, slots=True)
class TrackedDevice:
    """One of the user's devices as the pool lists it (never a secret)."""

    key: str
    name: str | None = None
    remembered: bool | None = None
    created_at: datetime | None = None
    last_authenticated_at: datetime | None = None
    last_ip: str | None = None
    this_device: bool = False
    """Whether it is this machine (the device whose keys this session keeps)."""
