"""Cognito's managed login (the hosted UI): the authorization code grant with PKCE, for browser sign-in.

The authorization request carries a PKCE S256 challenge (RFC 7636), a ``state`` and a ``nonce``, each fresh and
unguessable. The code that comes back is exchanged at ``/oauth2/token`` with the verifier, through the shared
HTTP client (deadline, body cap, no redirects, a POST retried only if it was never sent). The ID token is then
verified like every other Cognito ID token (signature by the pool's keys, issuer, audience, use, times) and must
carry this sign-in's nonce. The tokens are the ``cognito`` provider's: identity-pool credentials, refresh (the
Cognito adapter's, which takes managed-login refresh tokens) and sign-out work as after a password sign-in.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final, Protocol
from urllib.parse import quote, urlencode

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.oauth import checks, pkce
from aws_client_auth.adapters.oauth.loopback import loopback_redirect
from aws_client_auth.adapters.oauth.transport import OAuthTransport, provider_error
from aws_client_auth.application.ports.browser_sign_in import AuthorizationRequest, ManagedLogin
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, Tokens, scope_set, scope_text

DISPLAY: Final = "Cognito managed login"
TOKEN_LIFETIME: Final = (1.0, 86400.0, 3600.0)
"""Lowest, highest and default ``expires_in`` of Cognito's access and ID tokens (five minutes to a day)."""
MAX_TOKEN: Final = 32 * 1024
"""Characters of one token kept at most: Cognito's are a few kilobytes, even with many groups."""
MAX_IDENTITY_PROVIDER: Final = 32
_TOKEN: Final = re.compile(r"[!-~]+")


class IdTokenCheck(Protocol):
    """The pool's ID-token verifier (``adapters.cognito.id_tokens.IdTokenVerifier``, bound by the container: the
    OAuth and Cognito adapters do not import each other)."""

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once signature, issuer, audience, use and times are checked; InvalidToken if not."""
        ...


def token_text(data: Mapping[str, Any], key: str, what: str, provider: str = DISPLAY) -> str | None:
    """``data[key]`` when it is a token this client can keep: printable ASCII, at most :data:`MAX_TOKEN`
    characters; None when absent; ServiceError for anything else (never stored, never shown)."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_TOKEN or not _TOKEN.fullmatch(value):
        raise e.ServiceError(f"{provider} answered with {what} this client cannot use (empty, too long or not text).")
    return value


def identity_provider_name(name: str) -> str:
    """A provider federated through the pool, as named on it (``Google``, ``SignInWithApple``, a SAML name)."""
    if not name or len(name) > MAX_IDENTITY_PROVIDER or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise e.InvalidInput(
            f"Identity provider names are 1 to {MAX_IDENTITY_PROVIDER} printable characters without spaces, as "
            "named on the user pool (Google, Facebook, LoginWithAmazon, SignInWithApple, or a SAML/OIDC name)."
        )
    return name


class ManagedLoginClient(ManagedLogin):
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        redirect_uri: str,
        scopes: str,
        transport: OAuthTransport,
        verifier: IdTokenCheck,
        clock: Clock,
        confidential: bool = False,
        random_bytes: pkce.RandomBytes = secrets.token_bytes,
    ) -> None:
        """``confidential``: the transport authenticates as the client (HTTP Basic with the app client secret,
        see :func:`aws_client_auth.adapters.oauth.client_auth.token_endpoint_http`), so the form omits its id."""
        missing = [
            key
            for key, value in (("domain", base_url), ("app_client_id", client_id), ("redirect_uri", redirect_uri))
            if not value
        ]
        if missing:
            raise e.ProviderNotConfigured(
                f"Browser sign-in needs [cognito] {', '.join(missing)}: the managed-login domain, the app client, and "
                "a loopback callback URL registered on it (for example http://localhost:53682/callback)."
            )
        self._base = base_url.rstrip("/")
        self._client_id = client_id
        self._redirect = loopback_redirect(redirect_uri).uri
        self._scopes = scope_set(scopes)
        self._transport = transport
        self._verifier = verifier
        self._clock = clock
        self._confidential = confidential
        self._random = random_bytes

    @property
    def redirect_uri(self) -> str:
        return self._redirect

    @property
    def token_url(self) -> str:
        return f"{self._base}/oauth2/token"

    def authorization(self, identity_provider: str | None = None) -> AuthorizationRequest:
        verifier = pkce.code_verifier(self._random)
        state, nonce = pkce.random_value(self._random), pkce.random_value(self._random)
        params = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": self._redirect,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce.code_challenge(verifier),
            "code_challenge_method": pkce.METHOD,
        }
        if self._scopes:
            params["scope"] = scope_text(self._scopes)
        if identity_provider is not None:
            params["identity_provider"] = identity_provider_name(identity_provider)
        return AuthorizationRequest(
            url=f"{self._base}/oauth2/authorize?{urlencode(params, quote_via=quote)}",
            redirect_uri=self._redirect,
            state=state,
            nonce=nonce,
            code_verifier=Secret(verifier),
        )

    @checked_answers(DISPLAY)
    def exchange(self, request: AuthorizationRequest, code: Secret) -> Tokens:
        form = {
            "grant_type": "authorization_code",
            "code": code.reveal(),
            "redirect_uri": request.redirect_uri,
            "code_verifier": request.code_verifier.reveal(),
        }
        if not self._confidential:
            form["client_id"] = self._client_id
        answer = self._transport.post(self.token_url, form, provider=DISPLAY)
        if answer.error == "invalid_grant":
            raise answer.failure(
                e.SessionExpired,
                "The sign-in code was not accepted (used already, expired, or issued to another sign-in): sign in "
                "again.",
            )
        if answer.error or answer.status != 200:
            raise provider_error(DISPLAY, answer, "sign-in")
        return self._tokens(answer.data, request)

    def _tokens(self, data: Mapping[str, Any], request: AuthorizationRequest) -> Tokens:
        access = token_text(data, "access_token", "an access token")
        id_token = token_text(data, "id_token", "an ID token")
        refresh = token_text(data, "refresh_token", "a refresh token")
        if access is None:
            raise e.ServiceError(f"{DISPLAY} answered without an access token.")
        if id_token is None:
            raise e.ServiceError(
                f"{DISPLAY} answered without an ID token: the app client must allow the openid scope (and "
                "[cognito] scopes, when set, must include it)."
            )
        token_type = data.get("token_type")
        if token_type is not None and (not isinstance(token_type, str) or token_type.lower() != "bearer"):
            raise e.ServiceError(f"{DISPLAY} answered with a token type other than Bearer.")
        claims = self._verifier.verify(id_token)
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode("utf-8"), request.nonce.encode("utf-8")):
            raise e.InvalidToken(
                "The ID token was not issued for this sign-in (its nonce does not match), so it was not used: sign "
                "in again."
            )
        low, high, default = TOKEN_LIFETIME
        lifetime = checks.seconds(data, "expires_in", default=default, low=low, high=high)
        return Tokens(
            provider=COGNITO,
            access_token=Secret(access),
            id_token=Secret(id_token),
            refresh_token=Secret(refresh) if refresh else None,
            expires_at=self._clock.now() + timedelta(seconds=lifetime),
            username=claims.get("cognito:username"),
            subject=claims.get("sub"),
        )

    def logout_url(self) -> str:
        """``/logout`` with the redirect URI as ``logout_uri``: register it among the app client's sign-out URLs."""
        query = urlencode({"client_id": self._client_id, "logout_uri": self._redirect}, quote_via=quote)
        return f"{self._base}/logout?{query}"
