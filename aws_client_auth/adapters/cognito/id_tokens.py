"""ID tokens are verified before they are trusted: signature (the pool's JWKS), issuer, audience, use and times."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import jwt

from aws_client_auth.adapters.settings.model import MAX_ID_TOKEN_LEEWAY_SECONDS
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError, InvalidToken, ServiceError
from aws_client_auth.domain.text import clean

JwksFetcher = Callable[[str], dict[str, Any]]

ALGORITHM: Final = "RS256"
"""Cognito signs ID tokens with RS256 only; ``none`` and HMAC (keyed with the public key) are forgeries."""
MAX_LEEWAY: Final = timedelta(seconds=MAX_ID_TOKEN_LEEWAY_SECONDS)
REFETCH_INTERVAL: Final = timedelta(minutes=5)
"""An unknown key id refetches the key set (keys rotate), at most once per interval: a stream of tokens with
made-up key ids must not become a stream of requests."""
FAILURE_TTL: Final = timedelta(seconds=30)
"""A failed key-set fetch is remembered this long (negative caching): a hundred bad tokens make one request."""
REQUIRED_CLAIMS: Final = ("iss", "aud", "sub", "token_use", "exp", "iat")
LATEST_TIME: Final = 253_402_300_799
"""9999-12-31T23:59:59Z: a NumericDate after it, like a negative one, is no real time."""

_FAILURES: Final[Mapping[type[jwt.PyJWTError], str]] = {
    jwt.InvalidSignatureError: "The ID token's signature does not match the pool's key.",
    jwt.InvalidIssuerError: "The ID token was not issued by this user pool (iss).",
    jwt.InvalidAudienceError: "The ID token was issued to another app client (aud).",
    jwt.InvalidAlgorithmError: f"The ID token is not signed with {ALGORITHM}.",
}


class IdTokenVerifier:
    """Checks Cognito ID tokens against the pool's published keys, fetched once and cached.

    Times are judged by the injected clock with ``leeway`` (at most :data:`MAX_LEEWAY`) to forgive a device clock
    that is a little off: expired, not yet valid (``nbf``) and issued in the future (``iat``) are refused.
    """

    def __init__(
        self, *, jwks_url: str, issuer: str, audience: str, leeway: timedelta, clock: Clock, fetch: JwksFetcher
    ) -> None:
        if not timedelta(0) <= leeway <= MAX_LEEWAY:
            raise ConfigurationError(
                f"[cognito] id_token_leeway_seconds must be from 0 to {MAX_ID_TOKEN_LEEWAY_SECONDS}, "
                f"not {leeway.total_seconds():g}."
            )
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._clock = clock
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: jwt.PyJWKSet | None = None
        self._last_fetch: datetime | None = None
        """When the key set was last asked for, whether or not that worked."""
        self._failure: ClientAuthError | None = None
        """Why the last fetch failed; with no key set yet, raised again (not retried) until FAILURE_TTL passes."""

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once every check passed; InvalidToken naming the first check that failed."""
        key = self._key(_key_id(token))
        claims = self._decoded(token, key)
        if claims.get("token_use") != "id":
            shown = clean(claims.get("token_use"), 20)
            raise InvalidToken(f"The token is not an ID token (its token_use is {shown!r}, not 'id').")
        self._check_times(claims)
        return claims

    def _decoded(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    # Times are checked below, on the injected clock, and with stricter rules on their values.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "strict_aud": True,
                    "require": list(REQUIRED_CLAIMS),
                },
            )
        except jwt.PyJWTError as error:
            message = _FAILURES.get(type(error)) or f"The ID token failed verification: {clean(error)}."
            raise InvalidToken(message) from None
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock.now().timestamp()
        leeway = self._leeway.total_seconds()
        expires, issued = _numeric_date(claims, "exp"), _numeric_date(claims, "iat")
        not_before = _numeric_date(claims, "nbf") if "nbf" in claims else None
        if expires + leeway <= now:
            raise InvalidToken("The ID token has expired: refresh or sign in again.")
        if issued - leeway > now:
            raise InvalidToken(
                f"The ID token was issued {issued - now:.0f} s in the future (iat): check this device's clock, "
                f"or raise [cognito] id_token_leeway_seconds (at most {MAX_ID_TOKEN_LEEWAY_SECONDS})."
            )
        if not_before is not None and not_before - leeway > now:
            raise InvalidToken(
                f"The ID token is not valid for another {not_before - now:.0f} s (nbf): check this device's clock."
            )

    def _key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            key = _find(self._current_keys(kid), kid)
        if key is not None:
            return key
        raise InvalidToken(f"The ID token was signed with an unknown key ({clean(kid, 80) or 'no key id'}).")

    def _current_keys(self, kid: str) -> jwt.PyJWKSet:
        """The cached key set; fetched when there is none, refetched for an unknown key id at most once per
        :data:`REFETCH_INTERVAL`; a fetch that failed less than :data:`FAILURE_TTL` ago is raised again."""
        if self._keys is not None:
            if _find(self._keys, kid) is not None or not self._due(REFETCH_INTERVAL):
                return self._keys
        elif self._failure is not None and not self._due(FAILURE_TTL):
            raise copy.copy(self._failure)
        return self._load()

    def _due(self, interval: timedelta) -> bool:
        """Whether ``interval`` has passed since the last fetch (a clock set back counts as passed)."""
        if self._last_fetch is None:
            return True
        elapsed = self._clock.now() - self._last_fetch
        return elapsed >= interval or elapsed < timedelta(0)

    def _load(self) -> jwt.PyJWKSet:
        self._last_fetch = self._clock.now()
        try:
            keys = _key_set(self._fetch(self._jwks_url), self._jwks_url)
        except ClientAuthError as error:
            self._failure = error
            raise
        self._keys, self._failure = keys, None
        return keys


def _key_id(token: str) -> str:
    """The header's key id, once the header is well formed and names RS256 (checked here, before any fetch)."""
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(f"The ID token is malformed ({type(error).__name__}).") from None
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise InvalidToken(
            f"The ID token is signed with {clean(algorithm, 20)!r}, not {ALGORITHM}: only the pool's own "
            "signature is trusted."
        )
    kid = header.get("kid")
    return kid if isinstance(kid, str) else ""


def _key_set(data: dict[str, Any], url: str) -> jwt.PyJWKSet:
    try:
        return jwt.PyJWKSet.from_dict(data)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, AttributeError):
        raise ServiceError(f"The pool's key set (JWKS) at {clean(url)} is malformed or has no usable key.") from None


def _find(keys: jwt.PyJWKSet, kid: str) -> jwt.PyJWK | None:
    """The key with this id; one of another kind than RSA then fails the algorithm check, never verifies."""
    return next((key for key in keys.keys if key.key_id == kid), None)


def _numeric_date(claims: Mapping[str, Any], name: str) -> float:
    """A JWT NumericDate, refused unless it is a real, finite number of seconds in a plausible range.

    JSON parsers turn ``1e400`` into infinity and accept ``NaN``; the strings "inf" and "nan" convert to floats
    too. Any of them would make a token that never expires.
    """
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= LATEST_TIME:
        raise InvalidToken(f"The ID token's {name} claim is not a time (seconds since 1970): {clean(value, 40)}.")
    return float(value)
