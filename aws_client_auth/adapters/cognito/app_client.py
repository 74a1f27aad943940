"""One Cognito app client, shared by the small adapters a user pool is made of (sign-in, refresh, directory,
devices): the boto3 client, the app client's id, secret and auth flow, SECRET_HASH, context data, the ID-token
check, and readers for the shapes of Cognito's answers."""

from __future__ import annotations

import math
import secrets
import socket
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlencode

from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.jwt_claims import unverified_claims
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.services import client_metadata
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret, remember
from aws_client_auth.domain.sign_in import CodeDelivery, ContextData, ContextDataProvider, MfaSetup
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import RememberedDevice

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

SRP_FLOW: Final = "USER_SRP_AUTH"
PASSWORD_FLOW: Final = "USER_PASSWORD_AUTH"
CHOICE_FLOW: Final = "USER_AUTH"
CUSTOM_FLOW: Final = "CUSTOM_AUTH"
AUTH_FLOWS: Final = (SRP_FLOW, PASSWORD_FLOW, CHOICE_FLOW, CUSTOM_FLOW)
SESSION_GONE = (e.SessionExpired, "The sign-in took too long and its session expired: sign in again.")
TOKEN_REVOKED = (e.SessionExpired, "Your Cognito session has expired or was revoked: sign in again.")
LONGEST_TOKEN_LIFETIME: Final = timedelta(days=1)
"""Cognito's access and ID tokens live from five minutes to one day."""
DEVICE_NAME_LIMIT: Final = 64


class AppClient:
    """A Cognito app client's public API calls: no AWS credentials of its own are needed.

    One object is built per app client and handed to each part of the adapter, which reads its attributes.
    """

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
        context_data: ContextDataProvider | None = None,
        device_name: str = "",
        client_metadata: Mapping[str, str] | None = None,
    ) -> None:
        if auth_flow not in AUTH_FLOWS:
            raise e.ConfigurationError(f"[cognito] auth_flow {auth_flow!r} is not one of {', '.join(AUTH_FLOWS)}.")
        self.client = client
        self.pool_id = pool_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_flow = auth_flow
        self.clock = clock
        self.random_bytes = random_bytes
        self.revoke_on_sign_out = revoke_on_sign_out
        self.device_name = clean(device_name or socket.gethostname() or "client-auth", DEVICE_NAME_LIMIT)
        """What this machine is called in the user's device list: the host name unless configured."""
        self._verifier = verifier
        self._totp_issuer = totp_issuer
        self._context_data = context_data
        self.client_metadata = dict(client_metadata or {})
        """``[cognito.client_metadata]``: sent with every call that takes ``ClientMetadata``."""

    def secret_hash(self, username: str, key: str = "SecretHash") -> dict[str, Any]:
        """``{key: SECRET_HASH}`` for clients with a secret, else nothing."""
        if self.client_secret is None:
            return {}
        value = srp.secret_hash(username, self.client_id, self.client_secret.reveal())
        remember(value)  # it is derived from the client secret: masked wherever a service echoes it back
        return {key: value}

    def client_secret_argument(self) -> dict[str, Any]:
        """``ClientSecret`` itself, for the calls that take it (token revocation and refresh)."""
        return {"ClientSecret": self.client_secret.reveal()} if self.client_secret else {}

    def context(self, username: str) -> dict[str, Any]:
        """What goes with a user's call for the pool's own processing: ``UserContextData`` for threat protection,
        from the configured provider, and ``ClientMetadata`` for its Lambda triggers (each only when there is some).
        Every operation that takes the one takes the other."""
        data = self._context_data(username) if self._context_data is not None else None
        if not data:
            return self.metadata()
        value = {"IpAddress": data.ip_address, "EncodedData": data.encoded_data}
        return {"UserContextData": {key: item for key, item in value.items() if item}, **self.metadata()}

    def metadata(self) -> dict[str, Any]:
        """``ClientMetadata``: the configured pairs, then those the caller gave for this call."""
        pairs = {**self.client_metadata, **client_metadata.current()}
        return {"ClientMetadata": pairs} if pairs else {}

    def mfa_setup(self, secret_code: str, label: str, session: str | None) -> MfaSetup:
        query = urlencode({"secret": secret_code, "issuer": self._totp_issuer})
        uri = f"otpauth://totp/{quote(self._totp_issuer)}:{quote(label)}?{query}"
        return MfaSetup(
            secret=Secret(secret_code), otpauth_uri=Secret(uri), session=Secret(session) if session else None
        )

    def tokens(self, result: Mapping[str, Any], device: RememberedDevice | None = None) -> Tokens:
        """Tokens from an AuthenticationResult, once its ID token is verified.

        A result without an ID token is an error, not a session without identity: the identity pool needs the ID
        token, and skipping its verification would trust the username and subject of an unchecked answer.
        """
        id_token = result.get("IdToken")
        if not isinstance(id_token, str) or not id_token:
            raise e.ServiceError("Cognito answered a sign-in without an ID token: sign in again.")
        claims = self._verifier.verify(id_token)
        refresh_token = result.get("RefreshToken")
        return Tokens(
            provider=COGNITO,
            access_token=Secret(result["AccessToken"]),
            id_token=Secret(id_token),
            refresh_token=Secret(refresh_token) if refresh_token else None,
            expires_at=self.clock.now() + token_lifetime(result.get("ExpiresIn", 3600)),
            username=claims.get("cognito:username"),
            subject=claims.get("sub"),
            device=device,
        )


def context_provider(ip_address: str = "", custom: ContextDataProvider | None = None) -> ContextDataProvider | None:
    """The context data sent with each call: the caller's provider (a script's callable), with the configured
    ``[cognito] user_context_ip`` filling in an address it leaves out; None when there is neither."""
    fixed = ContextData(ip_address=ip_address) if ip_address else None
    if custom is None:
        return None if fixed is None else (lambda _username: fixed)
    if fixed is None:
        return custom

    def combined(username: str) -> ContextData | None:
        data = custom(username)
        if data is None:
            return fixed
        return data if data.ip_address else ContextData(ip_address=ip_address, encoded_data=data.encoded_data)

    return combined


def token_lifetime(expires_in: object) -> timedelta:
    """``ExpiresIn`` as a duration, clamped to what Cognito issues (at most a day).

    A stand-in answering ``1e12`` must neither overflow the date arithmetic nor keep a token "fresh" for years;
    a negative value means already expired.
    """
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or math.isnan(expires_in):
        raise e.ServiceError("Cognito answered with a token lifetime (ExpiresIn) that is not a number.")
    return timedelta(seconds=min(max(expires_in, 0), LONGEST_TOKEN_LIFETIME.total_seconds()))


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


def unverified_claim(token: str, claim: str) -> str | None:
    """Only for a display label: the token itself is Cognito's, which checks it on every call. The value is
    unverified text from a server, so it is cleaned before anyone shows it."""
    value = unverified_claims(token).get(claim)
    return clean(value, 128) if value else None
