"""Temporary AWS credentials from a Cognito identity pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import as_utc

_MAX_ADVISORY = timedelta(minutes=15)
_MAX_MANDATORY = timedelta(minutes=5)
_MIN_MANDATORY = timedelta(seconds=2)
_DEFAULT_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str = field(repr=False)
    secret_key: Secret
    session_token: Secret
    expiration: datetime
    identity_id: str
    authenticated: bool
    issued_at: datetime | None = None
    """When they were obtained: the refresh windows follow the credentials' lifetime."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expiration", as_utc(self.expiration, what="Credential expiration"))
        if self.issued_at is not None:
            object.__setattr__(self, "issued_at", as_utc(self.issued_at, what="Credential issue time"))

    @property
    def lifetime(self) -> timedelta:
        if self.issued_at is None or self.issued_at >= self.expiration:
            return _DEFAULT_LIFETIME
        return self.expiration - self.issued_at

    def remaining(self, now: datetime) -> timedelta:
        return self.expiration - as_utc(now)

    @property
    def advisory_window(self) -> timedelta:
        """Refresh ahead inside this window; a failed refresh keeps these credentials (a quarter of life)."""
        return min(_MAX_ADVISORY, self.lifetime / 4)

    @property
    def mandatory_window(self) -> timedelta:
        """Inside this window the credentials are not handed out any more (a tenth of life, 2 s to 5 min)."""
        return max(_MIN_MANDATORY, min(_MAX_MANDATORY, self.lifetime / 10))

    def is_fresh(self, now: datetime) -> bool:
        """No refresh is due yet."""
        return self.remaining(now) > self.advisory_window

    def is_usable(self, now: datetime) -> bool:
        """Still safe to hand out, though a refresh may be due."""
        return self.remaining(now) > self.mandatory_window
