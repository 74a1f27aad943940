"""A Cognito identity pool through boto3 ``cognito-identity``: identity ids and temporary AWS credentials."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito.errors import ErrorType, cognito_errors
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import clean

if TYPE_CHECKING:
    from mypy_boto3_cognito_identity import CognitoIdentityClient

log = logging.getLogger(__name__)
_SKEW_TOLERANCE = timedelta(seconds=5)
MAX_CLOCK_SKEW: Final = timedelta(hours=24)
"""The largest clock difference the Date header may correct: a device clock a day off is broken, a Date header
a day off is wrong (a proxy's cache, a hostile stand-in); either way it says nothing about credential expiry."""
LONGEST_CREDENTIALS: Final = timedelta(hours=12)
"""The longest any STS credentials live (identity pools issue one-hour ones): a later Expiration is clamped."""

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
        how far off we are; differences under the header's one-second precision are ignored, and so are
        differences beyond :data:`MAX_CLOCK_SKEW`. The expiry itself is kept within :data:`LONGEST_CREDENTIALS`
        of the service's now."""
        offset = self._clock_offset(metadata.get("HTTPHeaders", {}).get("date"))
        server_now = self._clock.now() + offset
        return _plausible(expiration, server_now) - offset

    def _clock_offset(self, date: object) -> timedelta:
        """How far the service's clock is ahead of ours, from its Date header; zero when that cannot be trusted."""
        server_now = _http_date(date)
        if server_now is None:
            return timedelta(0)
        offset = server_now - self._clock.now()
        if abs(offset) <= _SKEW_TOLERANCE:
            return timedelta(0)
        if abs(offset) > MAX_CLOCK_SKEW:
            log.warning(
                "The identity pool's Date header (%s) is %.0f s away from this device's clock, more than the "
                "%g h a clock can plausibly be off: it is ignored",
                clean(date, 64),
                offset.total_seconds(),
                MAX_CLOCK_SKEW.total_seconds() / 3600,
            )
            return timedelta(0)
        log.info("This device's clock is %.0f s off AWS's; credential expiry adjusted", -offset.total_seconds())
        return offset


def _http_date(value: object) -> datetime | None:
    """An HTTP Date header as an aware datetime (GMT when it names no zone), or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _plausible(expiration: datetime, server_now: datetime) -> datetime:
    """The service's Expiration, clamped to [now, now + LONGEST_CREDENTIALS] on the service's clock: an answer
    saying 2083 must not make credential_process serve these credentials for decades."""
    latest = server_now + LONGEST_CREDENTIALS
    if server_now <= expiration <= latest:
        return expiration
    log.warning(
        "The identity pool's credentials claim to expire at %s, %.0f s from now, outside the plausible 0 to %g h: "
        "their expiry is clamped to that range",
        clean(expiration.isoformat(), 64),
        (expiration - server_now).total_seconds(),
        LONGEST_CREDENTIALS.total_seconds() / 3600,
    )
    return min(max(expiration, server_now), latest)


def _reveal(logins: Mapping[str, Secret]) -> dict[str, str]:
    return {key: token.reveal() for key, token in logins.items()}
