"""Tokens a provider issued to a signed-in user."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret

_PROVIDER = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class ProviderName(str):
    """Name of an authentication provider: ``cognito``, ``lwa``, ``google`` or a custom provider's own."""

    __slots__ = ()

    def __new__(cls, value: str) -> ProviderName:
        if not isinstance(value, str) or not _PROVIDER.match(value):
            raise InvalidInput(
                f"Provider name {value!r} is malformed: use lowercase letters, digits, '-' or '_', "
                "starting with a letter (for example cognito, lwa, google)."
            )
        return super().__new__(cls, value)


COGNITO = ProviderName("cognito")
LOGIN_WITH_AMAZON = ProviderName("lwa")
GOOGLE = ProviderName("google")


class LoginToken(StrEnum):
    """Which of a provider's tokens the identity pool accepts as its login."""

    ID = "id"
    ACCESS = "access"


def as_utc(moment: datetime, *, what: str = "time") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} must be timezone-aware")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Tokens:
    provider: ProviderName
    access_token: Secret
    expires_at: datetime
    id_token: Secret | None = None
    refresh_token: Secret | None = None
    username: str | None = None
    """Who the tokens belong to, where known (the alias typed at sign-in, or the provider's subject)."""
    subject: str | None = None
    """The provider's stable user id (Cognito's ``sub``), needed for SECRET_HASH on refresh."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", as_utc(self.expires_at, what="Token expiry"))

    def is_valid(self, now: datetime, skew: timedelta = timedelta(0)) -> bool:
        """True while the tokens stay valid for at least ``skew`` longer (no sending a token about to expire)."""
        return as_utc(now) + skew < self.expires_at

    def refreshed_with(self, new: Tokens) -> Tokens:
        """Merge a refresh answer: keep the refresh token (and identity) when the answer has none."""
        return replace(
            new,
            refresh_token=new.refresh_token or self.refresh_token,
            id_token=new.id_token or self.id_token,
            username=new.username or self.username,
            subject=new.subject or self.subject,
        )

    def login(self, kind: LoginToken) -> Secret:
        token = self.id_token if kind is LoginToken.ID else self.access_token
        if not token:
            raise InvalidInput(f"{self.provider} has no {kind.value} token to present to the identity pool")
        return token
