"""ID tokens are verified before they are trusted: signature (the pool's JWKS), issuer, audience, use, expiry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import jwt

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.domain.errors import ClientAuthError, InvalidToken

JwksFetcher = Callable[[str], dict[str, Any]]
_MIN_REFETCH = timedelta(minutes=5)


class IdTokenVerifier:
    """Checks Cognito ID tokens against the pool's published keys, fetched once and cached.

    An unknown key id triggers one refetch (keys rotate), at most every five minutes. Expiry is judged by the
    injected clock with ``leeway`` to forgive a device clock that is a little off.
    """

    def __init__(
        self, *, jwks_url: str, issuer: str, audience: str, leeway: timedelta, clock: Clock, fetch: JwksFetcher
    ) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._clock = clock
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: jwt.PyJWKSet | None = None
        self._fetched_at: datetime | None = None

    def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(f"The ID token is malformed ({type(error).__name__}).") from None
        key = self._key(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "require": ["exp", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(f"The ID token failed verification: {error}.") from None
        if claims.get("token_use") != "id":
            raise InvalidToken("The token is not an ID token (token_use is not 'id').")
        now = self._clock.now().timestamp()
        leeway = self._leeway.total_seconds()
        exp = float(claims["exp"])
        if exp + leeway <= now:
            raise InvalidToken("The ID token has expired: refresh or sign in again.")
        return claims

    def _key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            keys = self._keys
            if keys is None or (kid not in _kids(keys) and self._may_refetch()):
                keys = self._load()
        for key in keys.keys:
            if key.key_id == kid:
                return key
        raise InvalidToken(f"The ID token was signed with an unknown key ({kid or 'no key id'}).")

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self._clock.now() - self._fetched_at >= _MIN_REFETCH

    def _load(self) -> jwt.PyJWKSet:
        data = self._fetch(self._jwks_url)
        try:
            keys = jwt.PyJWKSet.from_dict(data)
        except (jwt.PyJWTError, KeyError, TypeError) as error:
            raise ClientAuthError(f"The pool's JWKS at {self._jwks_url} is malformed.") from error
        self._keys, self._fetched_at = keys, self._clock.now()
        return keys


def _kids(keys: jwt.PyJWKSet) -> set[str | None]:
    return {key.key_id for key in keys.keys}
