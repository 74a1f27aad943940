"""The OAuth 2.0 device authorization grant (RFC 8628) against one provider, with that provider's quirks
described by a ``DeviceFlowProfile``: Login with Amazon, Google, or any standard provider."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.jwt_claims import unverified_claims
from aws_client_auth.adapters.oauth import checks
from aws_client_auth.adapters.oauth.transport import OAuthAnswer, OAuthPoster, provider_error
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.device_sign_in import Approved, DeviceSignIn, Pending, PollResult, SlowDown
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import ProviderName, Tokens

RFC_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL: Final = 5
"""Seconds between polls when the provider does not say (RFC 8628, section 3.2)."""
CODE_LIFETIME: Final = (1.0, 3600.0, 600.0)
"""Lowest, highest and default ``expires_in`` of a device code, in seconds: a code lives minutes, not years."""
TOKEN_LIFETIME: Final = (1.0, 86400.0, 3600.0)
"""The same for an access token: no answer makes one last longer than a day here."""
MAX_CLAIM: Final = 256
"""Characters of an ``email`` or ``sub`` claim kept for display (RFC 5321 caps an address at 254)."""


@dataclass(frozen=True, slots=True)
class DeviceFlowProfile:
    """Where a provider's endpoints are and how its requests differ from RFC 8628."""

    name: ProviderName
    display: str
    code_url: str
    tokens_url: str
    client_id: str
    scope: str
    client_secret: Secret | None = None
    code_form: Callable[[DeviceFlowProfile], dict[str, str]] | None = None
    poll_form: Callable[[DeviceFlowProfile, DeviceAuthorization], dict[str, str]] | None = None
    send_secret: bool = False
    """Send client_secret on polls and refreshes (Google's "TVs and limited input" clients need it)."""


def rfc_code_form(profile: DeviceFlowProfile) -> dict[str, str]:
    return {"client_id": profile.client_id, "scope": profile.scope}


def rfc_poll_form(profile: DeviceFlowProfile, authorization: DeviceAuthorization) -> dict[str, str]:
    return {"grant_type": RFC_GRANT, "device_code": authorization.device_code.reveal(), "client_id": profile.client_id}


class DeviceFlowClient(DeviceSignIn, TokenRefresher):
    def __init__(self, profile: DeviceFlowProfile, transport: OAuthPoster, clock: Clock) -> None:
        if not profile.client_id:
            raise e.ProviderNotConfigured(f"{profile.display} has no app client id configured.")
        self._p = profile
        self._transport = transport
        self._clock = clock

    @property
    def name(self) -> ProviderName:
        return self._p.name

    def _with_secret(self, form: dict[str, str]) -> dict[str, str]:
        if self._p.send_secret and self._p.client_secret:
            form["client_secret"] = self._p.client_secret.reveal()
        return form

    @checked_answers("The provider")
    def start(self) -> DeviceAuthorization:
        form = (self._p.code_form or rfc_code_form)(self._p)
        answer = self._transport.post(self._p.code_url, form, provider=self._p.display)
        if answer.error or answer.status != 200:
            raise provider_error(self._p.display, answer, "device code request")
        return self._authorization(answer.data)

    def _authorization(self, data: Mapping[str, Any]) -> DeviceAuthorization:
        """The device-code answer, every field checked before anything is kept (see :mod:`.checks`)."""
        name = self._p.display
        uri = data.get("verification_uri") or data.get("verification_url")  # Google says _url
        if data.get("device_code") is None or data.get("user_code") is None or uri is None:
            raise e.ServiceError(f"{name} answered the device code request without a code or a URL.")
        complete = data.get("verification_uri_complete") or data.get("verification_url_complete")
        low, high, default = CODE_LIFETIME
        lifetime = checks.seconds(data, "expires_in", default=default, low=low, high=high)
        interval = checks.seconds(
            data, "interval", default=DEFAULT_INTERVAL, low=1, high=DeviceAuthorization.MAX_INTERVAL
        )
        return DeviceAuthorization(
            provider=self._p.name,
            user_code=checks.user_code(data["user_code"], name),
            verification_uri=checks.verification_uri(uri, name),
            verification_uri_complete=checks.verification_uri(complete, name) if complete is not None else None,
            expires_at=self._clock.now() + timedelta(seconds=lifetime),
            interval=math.ceil(interval),
            device_code=checks.device_code(data["device_code"], name),
        )

    @checked_answers("The provider")
    def poll(self, authorization: DeviceAuthorization) -> PollResult:
        form = self._with_secret((self._p.poll_form or rfc_poll_form)(self._p, authorization))
        answer = self._transport.post(self._p.tokens_url, form, provider=self._p.display)
        if answer.error == "authorization_pending":
            return Pending()
        if answer.error == "slow_down":
            return SlowDown()
        if answer.error == "access_denied":
            raise answer.failure(e.DeviceFlowDenied, f"The sign-in with {self._p.display} was denied.")
        if answer.error in ("expired_token", "invalid_grant"):
            raise answer.failure(
                e.DeviceFlowExpired, f"The {self._p.display} device code expired: start the sign-in again."
            )
        if answer.error or answer.status != 200:
            raise provider_error(self._p.display, answer, "sign-in")
        return Approved(self._tokens(answer, refresh_token=None))

    @checked_answers("The provider")
    def refresh(self, tokens: Tokens) -> Tokens:
        if tokens.refresh_token is None:
            raise e.SessionExpired(f"No {self._p.display} refresh token is kept: sign in again.")
        form = self._with_secret(
            {
                "grant_type": "refresh_token",
                "client_id": self._p.client_id,
                "refresh_token": tokens.refresh_token.reveal(),
            }
        )
        answer = self._transport.post(self._p.tokens_url, form, provider=self._p.display)
        if answer.error == "invalid_grant":
            raise answer.failure(
                e.SessionExpired, f"Your {self._p.display} session has expired or was revoked: sign in again."
            )
        if answer.error or answer.status != 200:
            raise provider_error(self._p.display, answer, "refresh")
        return self._tokens(answer, refresh_token=None)

    def _tokens(self, answer: OAuthAnswer, refresh_token: str | None) -> Tokens:
        data = answer.data
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise e.ServiceError(f"{self._p.display} answered without an access token.")
        id_token = data.get("id_token") if isinstance(data.get("id_token"), str) else None
        refresh = data.get("refresh_token") if isinstance(data.get("refresh_token"), str) else refresh_token
        claims = _display_claims(id_token)
        return Tokens(
            provider=self._p.name,
            access_token=Secret(access),
            id_token=Secret(id_token) if id_token else None,
            refresh_token=Secret(refresh) if refresh else None,
            expires_at=self._clock.now() + timedelta(seconds=_token_lifetime(data)),
            username=claims.get("email") or claims.get("sub"),
            subject=claims.get("sub"),
        )


def _token_lifetime(data: Mapping[str, Any]) -> float:
    low, high, default = TOKEN_LIFETIME
    return checks.seconds(data, "expires_in", default=default, low=low, high=high)


def _display_claims(id_token: str | None) -> dict[str, str]:
    """Who signed in, for display only: the identity pool verifies the token itself. Unverified, so cleaned
    like any other text a server sent."""
    claims = unverified_claims(id_token) if id_token else {}
    return {k: clean(claims[k], MAX_CLAIM) for k in ("email", "sub") if claims.get(k)}
