"""Cognito's names for the domain's words, both ways: challenges, MFA methods and the answers they take.

The domain speaks of an ``sms_code`` challenge and the ``totp`` method; Cognito of ``SMS_MFA`` and
``SOFTWARE_TOKEN_MFA``. Only this module knows both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Final

from aws_client_auth.domain.sign_in import AuthFactor, ChallengeKind
from aws_client_auth.domain.user import MfaType

CHALLENGES: Final[dict[str, ChallengeKind]] = {
    "SMS_MFA": ChallengeKind.SMS_CODE,
    "SOFTWARE_TOKEN_MFA": ChallengeKind.TOTP_CODE,
    "EMAIL_OTP": ChallengeKind.EMAIL_CODE,
    "NEW_PASSWORD_REQUIRED": ChallengeKind.NEW_PASSWORD_REQUIRED,
    "MFA_SETUP": ChallengeKind.MFA_SETUP,
    "SELECT_MFA_TYPE": ChallengeKind.SELECT_MFA_TYPE,
    "SMS_OTP": ChallengeKind.SMS_OTP,
}
CHALLENGE_NAMES: Final = {kind: name for name, kind in CHALLENGES.items()}
CODE_KEYS: Final = {
    ChallengeKind.SMS_CODE: "SMS_MFA_CODE",
    ChallengeKind.TOTP_CODE: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeKind.EMAIL_CODE: "EMAIL_OTP_CODE",
    ChallengeKind.SMS_OTP: "SMS_OTP_CODE",
}
"""The ChallengeResponses key each code challenge is answered under."""

MFA_NAMES: Final = {MfaType.SMS: "SMS_MFA", MfaType.TOTP: "SOFTWARE_TOKEN_MFA", MfaType.EMAIL: "EMAIL_OTP"}
"""What Cognito calls each method in challenge parameters, answers, GetUser and MFAS_CAN_SETUP lists."""
_MFA_TYPES: Final = {name: kind for kind, name in MFA_NAMES.items()} | {"EMAIL_MFA": MfaType.EMAIL}
"""Read both names of email MFA: Cognito's API reference writes EMAIL_MFA where its answers say EMAIL_OTP."""
MFA_SETTINGS: Final = {
    MfaType.SMS: "SMSMfaSettings",
    MfaType.TOTP: "SoftwareTokenMfaSettings",
    MfaType.EMAIL: "EmailMfaSettings",
}
"""SetUserMFAPreference's argument for each method."""
OFFERED: Final = "MFAS_CAN_CHOOSE"
"""Challenge parameter carried to the answer: the names Cognito offered, so the choice is sent as it named it."""


def mfa_type(name: object) -> MfaType | None:
    return _MFA_TYPES.get(name) if isinstance(name, str) else None


def mfa_types(names: Iterable[str]) -> tuple[MfaType, ...]:
    """The methods Cognito named that this client knows, in Cognito's order, once each."""
    found = (mfa_type(name) for name in names)
    return tuple(dict.fromkeys(kind for kind in found if kind is not None))


def json_list(value: Any) -> list[str]:
    """MFA type lists: Cognito sends a JSON string, moto a list or its Python repr; the names are all we need."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return re.findall(r"[A-Z][A-Z_]+", value)
    return []


def offered(names: list[str]) -> dict[str, str]:
    return {OFFERED: json.dumps(names)} if names else {}


def choice_name(choice: MfaType, parameters: dict[str, str]) -> str:
    """``choice`` under the name Cognito offered it by (else its usual name)."""
    for name in json_list(parameters.get(OFFERED)):
        if mfa_type(name) is choice:
            return name
    return MFA_NAMES[choice]


FACTOR_NAMES: Final = {
    AuthFactor.EMAIL_OTP: "EMAIL_OTP",
    AuthFactor.SMS_OTP: "SMS_OTP",
    AuthFactor.PASSKEY: "WEB_AUTHN",
}
"""What Cognito calls each passwordless first factor (PREFERRED_CHALLENGE, SELECT_CHALLENGE's ANSWER); the password
factor is PASSWORD_SRP or PASSWORD, as the client proves it."""
_FACTORS: Final = {name: factor for factor, name in FACTOR_NAMES.items()} | {
    "PASSWORD": AuthFactor.PASSWORD,
    "PASSWORD_SRP": AuthFactor.PASSWORD,
}
AVAILABLE: Final = "AVAILABLE_CHALLENGES"
"""Challenge parameter carried to the answer: the factor names Cognito offered (PASSWORD_SRP, PASSWORD, ...)."""


def known_factor_names(names: Iterable[object]) -> list[str]:
    """The factor names Cognito sent that this client knows, once each (what a server adds is not carried)."""
    return list(dict.fromkeys(name for name in names if isinstance(name, str) and name in _FACTORS))


def factors(names: Iterable[object]) -> tuple[AuthFactor, ...]:
    """The first factors Cognito named that this client knows, in Cognito's order, once each."""
    found = (_FACTORS.get(name) if isinstance(name, str) else None for name in names)
    return tuple(dict.fromkeys(factor for factor in found if factor is not None))
