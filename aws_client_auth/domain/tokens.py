"""Tokens a provider issued to a signed-in user."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.user import RememberedDevice

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
    device: RememberedDevice | None = None
    """This machine as the user's tracked device, when the pool tracks devices (its key goes with refreshes)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", as_utc(self.expires_at, what="Token expiry"))

    def is_valid(self, now: datetime, skew: timedelta = timedelta(0)) -> bool:
        """True while the tokens stay valid for at least ``skew`` longer (no sending a token about to expire)."""
        return as_utc(now) + skew < self.expires_at

    def refreshed_with(self, new: Tokens) -> Tokens:
        """Merge a refresh answer: keep the refresh token (and identity, and device) when the answer has none.

        A rotated refresh token in the answer replaces the old one, which the provider stops accepting soon.
        """
        return replace(
            new,
            refresh_token=new.refresh_token or self.refresh_token,
            id_token=new.id_token or self.id_token,
            username=new.username or self.username,
            subject=new.subject or self.subject,
            device=new.device or self.device,
        )

    def with_device(self, device: RememberedDevice | None) -> Tokens:
        return replace(self, device=device)

    def login(self, kind: LoginToken) -> Secret:
        token = self.id_token if kind is LoginToken.ID else self.access_token
        if not token:
            raise InvalidInput(f"{self.provider} has no {kind.value} token to present to the identity pool")
        return token


# --- machine-to-machine tokens (OAuth 2.0 client credentials) -----------------------------------------------

_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,256}$")
"""An RFC 6749 (section 3.3) scope-token: printable ASCII without space, double quote or backslash."""
MAX_SCOPES = 50
"""Scopes in one request at most (Cognito allows 50 custom scopes per resource server, 100 per pool)."""
_MAX_REFRESH_AHEAD = timedelta(minutes=5)


def scope_set(scopes: str | Iterable[str] | None) -> frozenset[str]:
    """Scopes as a set: a space-separated string or an iterable of scope-tokens (each may itself hold several,
    space-separated). The empty set means "whatever the app client is allowed", which the server decides."""
    if scopes is None:
        return frozenset()
    items = [scopes] if isinstance(scopes, str) else list(scopes)
    found: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise InvalidInput("A scope must be text, such as 'openid' or 'https://api.example.com/read'.")
        for token in item.split():
            if not _SCOPE_TOKEN.match(token):
                raise InvalidInput(
                    f"The scope {token[:80]!r} is not a valid OAuth scope (printable characters without spaces, "
                    "quotes or backslashes, at most 256)."
                )
            found.add(token)
    if len(found) > MAX_SCOPES:
        raise InvalidInput(f"At most {MAX_SCOPES} scopes can be asked for at once, not {len(found)}.")
    return frozenset(found)


def scope_text(scopes: Iterable[str]) -> str:
    """A scope set as the space-separated, sorted text OAuth sends (and caches are keyed by)."""
    return " ".join(sorted(scopes))


@dataclass(frozen=True, slots=True)
class MachineToken:
    """An access token a client obtained for itself (no user): from the ``client_credentials`` grant."""

    access_token: Secret
    expires_at: datetime
    issued_at: datetime
    scopes: frozenset[str] = frozenset()
    """The scopes granted (as the server said, else as asked)."""
    token_type: str = "Bearer"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", as_utc(self.expires_at, what="Token expiry"))
        object.__setattr__(self, "issued_at", as_utc(self.issued_at, what="Token issue time"))

    @property
    def refresh_ahead(self) -> timedelta:
        """How long before expiry a new token is fetched: a quarter of its life, at most five minutes."""
        lifetime = self.expires_at - self.issued_at
        if lifetime <= timedelta(0):
            return timedelta(0)
        return min(_MAX_REFRESH_AHEAD, lifetime / 4)

    def is_fresh(self, now: datetime) -> bool:
        """Valid for longer than :attr:`refresh_ahead`: still worth handing out (and caching)."""
        return as_utc(now) + self.refresh_ahead < self.expires_at
