"""What every Cognito adapter shares: the app client (id, secret, auth flow), SECRET_HASH, TOTP set-up values,
and readers for the shapes of Cognito's answers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlencode

import jwt

from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret, remember
from aws_client_auth.domain.sign_in import CodeDelivery, MfaSetup
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.user import MfaType

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

SRP_FLOW: Final = "USER_SRP_AUTH"
PASSWORD_FLOW: Final = "USER_PASSWORD_AUTH"
SESSION_GONE = (e.SessionExpired, "The sign-in took too long and its session expired: sign in again.")
TOKEN_REVOKED = (e.SessionExpired, "Your Cognito session has expired or was revoked: sign in again.")


class AppClient:
    """A Cognito app client's public API calls: no AWS credentials of its own are needed."""

    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        *,
        pool_id: str,
        client_id: str,
        client_secret: Secret | None,
        auth_flow: str,
        verifier: IdTokenVerifier,
        clock: Clock,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
        totp_issuer: str = "AWS Cognito",
        revoke_on_sign_out: bool = True,
    ) -> None:
        if auth_flow not in (SRP_FLOW, PASSWORD_FLOW):
            raise e.ConfigurationError(f"[cognito] auth_flow {auth_flow!r} is not one of {SRP_FLOW}, {PASSWORD_FLOW}.")
        self._client = client
        self._pool_id = pool_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._auth_flow = auth_flow
        self._verifier = verifier
        self._clock = clock
        self._random_bytes = random_bytes
        self._totp_issuer = totp_issuer
        self._revoke_on_sign_out = revoke_on_sign_out

    def _mfa_setup(self, secret_code: str, label: str, session: str | None) -> MfaSetup:
        query = urlencode({"secret": secret_code, "issuer": self._totp_issuer})
        uri = f"otpauth://totp/{quote(self._totp_issuer)}:{quote(label)}?{query}"
        return MfaSetup(
            secret=Secret(secret_code), otpauth_uri=Secret(uri), session=Secret(session) if session else None
        )

    def _secret_hash(self, username: str, key: str = "SecretHash") -> dict[str, Any]:
        if self._client_secret is None:
            return {}
        value = srp.secret_hash(username, self._client_id, self._client_secret.reveal())
        remember(value)  # it is derived from the client secret: masked wherever a service echoes it back
        return {key: value}


def session_argument(session: str | None) -> dict[str, Any]:
    return {"Session": session} if session else {}


def delivery_of(details: Mapping[str, Any] | None) -> CodeDelivery | None:
    if not details:
        return None
    return CodeDelivery(
        medium=str(details.get("DeliveryMedium", "")),
        destination=str(details.get("Destination", "")),
        attribute=details.get("AttributeName"),
    )


def challenge_delivery(params: Mapping[str, Any]) -> CodeDelivery | None:
    medium = params.get("CODE_DELIVERY_DELIVERY_MEDIUM")
    destination = params.get("CODE_DELIVERY_DESTINATION")
    return CodeDelivery(str(medium), str(destination)) if medium and destination else None


def mfa_type(name: str) -> MfaType | None:
    try:
        return MfaType(name)
    except ValueError:
        return None


def mfa_types(names: list[str]) -> tuple[MfaType, ...]:
    """The MFA types Cognito named that this client knows, in Cognito's order."""
    return tuple(kind for kind in map(mfa_type, names) if kind is not None)


def json_list(value: Any) -> list[str]:
    """MFA type lists: Cognito sends a JSON string, moto a list or its Python repr; the names are all we need."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return re.findall(r"[A-Z][A-Z_]+", value)
    return []


def unverified_claim(token: str, claim: str) -> str | None:
    """Only for a display label: the token itself is Cognito's, which checks it on every call. The value is
    unverified text from a server, so it is cleaned before anyone shows it."""
    try:
        value = jwt.decode(token, options={"verify_signature": False}).get(claim)
    except jwt.PyJWTError:
        return None
    return clean(value, 128) if value else None
