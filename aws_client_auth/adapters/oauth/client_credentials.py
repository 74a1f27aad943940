"""Machine-to-machine access tokens: the OAuth 2.0 client credentials grant (RFC 6749, section 4.4) at Cognito's
``/oauth2/token``, for build servers and dedicated game servers with no person present.

The client authenticates with HTTP Basic (its transport's session does it, see :mod:`.client_auth`); Cognito
needs an app client with a secret and custom scopes (a resource server's) for this grant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.oauth import checks
from aws_client_auth.adapters.oauth.managed_login import token_text
from aws_client_auth.adapters.oauth.transport import OAuthTransport, provider_error
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.machine_tokens import MachineTokenSource
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import MachineToken, scope_set, scope_text

DISPLAY: Final = "The machine token endpoint"
TOKEN_LIFETIME: Final = (1.0, 86400.0, 3600.0)
"""Lowest, highest and default ``expires_in``: Cognito's access tokens live five minutes to a day."""


class ClientCredentialsClient(MachineTokenSource):
    def __init__(
        self, *, token_url: str, client_id: str, has_secret: bool, transport: OAuthTransport, clock: Clock
    ) -> None:
        """``transport`` must authenticate as ``client_id`` (its session carries the secret): ``has_secret`` says
        whether a secret is configured at all, so that a missing one is a clear configuration error."""
        missing = [
            key
            for key, value in (("client_id", client_id), ("client_secret", has_secret), ("token_url", token_url))
            if not value
        ]
        if missing:
            raise e.ProviderNotConfigured(
                f"Machine tokens need [machine] {', '.join(missing)} (the token URL may instead come from "
                "[cognito] domain): an app client with a secret, allowed the client credentials grant."
            )
        self._token_url = token_url
        self._client_id = client_id
        self._transport = transport
        self._clock = clock

    @checked_answers(DISPLAY)
    def fetch(self, scopes: frozenset[str]) -> MachineToken:
        form = {"grant_type": "client_credentials"}
        if scopes:
            form["scope"] = scope_text(scopes)
        answer = self._transport.post(self._token_url, form, provider=DISPLAY)
        if answer.error or answer.status != 200:
            raise provider_error(DISPLAY, answer, "client credentials")
        data = answer.data
        access = token_text(data, "access_token", "an access token", DISPLAY)
        if access is None:
            raise e.ServiceError(f"{DISPLAY} answered without an access token.")
        token_type = data.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise e.ServiceError(f"{DISPLAY} answered with a token type other than Bearer.")
        low, high, default = TOKEN_LIFETIME
        lifetime = checks.seconds(data, "expires_in", default=default, low=low, high=high)
        now = self._clock.now()
        return MachineToken(
            access_token=Secret(access),
            expires_at=now + timedelta(seconds=lifetime),
            issued_at=now,
            scopes=_granted(data.get("scope"), scopes),
        )


def _granted(value: object, asked: frozenset[str]) -> frozenset[str]:
    """The scopes the server says it granted; those asked for when it does not say (or says nonsense)."""
    if not isinstance(value, str) or not value:
        return asked
    try:
        return scope_set(value)
    except e.InvalidInput:
        return asked
