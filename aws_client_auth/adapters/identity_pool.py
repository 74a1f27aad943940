"""A Cognito identity pool through boto3 ``cognito-identity``: identity ids and temporary AWS credentials."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito.errors import ErrorType, cognito_errors
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret

if TYPE_CHECKING:
    from mypy_boto3_cognito_identity import CognitoIdentityClient

log = logging.getLogger(__name__)
_SKEW_TOLERANCE = timedelta(seconds=5)

ERRORS: dict[str, tuple[ErrorType, str]] = {
    "NotAuthorizedException": (
        e.NotAuthorized,
        "The identity pool did not accept the sign-in: check that the pool trusts this provider.",
    ),
    "ResourceNotFoundException": (
        e.ConfigurationError,
        "The identity pool or identity was not found: check [cognito] identity_pool_id.",
    ),
    "InvalidIdentityPoolConfigurationException": (
        e.ConfigurationError,
        "The identity pool's roles are not set up: give it an authenticated (and guest) role.",
    ),
    "ResourceConflictException": (e.ServiceError, "The identity pool refused to link these logins."),
    "ExternalServiceException": (e.ServiceUnavailable, "A provider the identity pool asked failed; try again."),
    "InternalErrorException": (e.ServiceUnavailable, "The identity pool failed internally; try again later."),
    "LimitExceededException": (e.Throttled, "The identity pool's limit was reached: wait and try again."),
    "TooManyRequestsException": (e.Throttled, "Too many identity pool requests: wait a moment and try again."),
}
_GUEST_REFUSED: dict[str, tuple[ErrorType, str]] = {
    **ERRORS,
    "NotAuthorizedException": (
        e.GuestAccessDisabled,
        "The identity pool does not allow guest access: sign in first, or enable unauthenticated identities.",
    ),
}

# GetCredentialsForIdentity names no pool: "not found" there means the identity id.
_IDENTITY_GONE: dict[str, tuple[ErrorType, str]] = {
    "ResourceNotFoundException": (e.UnknownIdentity, "The identity pool no longer knows this identity."),
}


class CognitoIdentityPool(IdentityPool):
    def __init__(self, client: CognitoIdentityClient, *, pool_id: str, clock: Clock, account_id: str = "") -> None:
        self._client = client
        self._pool_id = pool_id
        self._clock = clock
        self._account_id = account_id

    @property
    def pool_id(self) -> str:
        return self._pool_id

    @checked_answers("The identity pool")
    def get_id(self, logins: Mapping[str, Secret]) -> str:
        extra = {"AccountId": self._account_id} if self._account_id else {}
        with cognito_errors(ERRORS if logins else _GUEST_REFUSED):
            answer = self._client.get_id(IdentityPoolId=self._pool_id, Logins=_reveal(logins), **extra)
        return answer["IdentityId"]

    @checked_answers("The identity pool")
    def get_credentials(self, identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        with cognito_errors({**(ERRORS if logins else _GUEST_REFUSED), **_IDENTITY_GONE}):
            answer = self._client.get_credentials_for_identity(IdentityId=identity_id, Logins=_reveal(logins))
        raw = answer.get("Credentials")
        if not raw or not raw.get("SecretKey") or not raw.get("Expiration"):
            raise e.ServiceError("The identity pool answered without credentials.")
        return Credentials(
            access_key_id=raw.get("AccessKeyId", ""),
            secret_key=Secret(raw["SecretKey"]),
            session_token=Secret(raw.get("SessionToken", "")),
            expiration=self._on_our_clock(raw["Expiration"], answer.get("ResponseMetadata", {})),
            identity_id=answer.get("IdentityId") or identity_id,
            authenticated=bool(logins),
        )

    def _on_our_clock(self, expiration: datetime, metadata: Mapping[str, Any]) -> datetime:
        """The expiry as this device's clock will see it: a clock minutes off would otherwise hand out
        credentials AWS already refuses (or refresh them far too early). The answer's Date header says
        how far off we are; differences under the header's one-second precision are ignored."""
        date = metadata.get("HTTPHeaders", {}).get("date")
        if not date:
            return expiration
        try:
            server_now = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return expiration
        offset = server_now - self._clock.now()
        if abs(offset) <= _SKEW_TOLERANCE:
            return expiration
        log.info("This device's clock is %.0f s off AWS's; credential expiry adjusted", -offset.total_seconds())
        return expiration - offset


def _reveal(logins: Mapping[str, Secret]) -> dict[str, str]:
    return {key: token.reveal() for key, token in logins.items()}
