"""A Cognito user's passkeys (WebAuthn credentials) and sign-in factors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito import wire
from aws_client_auth.adapters.cognito.app_client import TOKEN_REVOKED, AppClient
from aws_client_auth.adapters.cognito.errors import cognito_errors
from aws_client_auth.application.ports.passkeys import PasskeyAccount
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Passkey
from aws_client_auth.domain.text import clean

_SIGNED_IN = {"NotAuthorizedException": TOKEN_REVOKED}
PASSKEYS_UNAVAILABLE = (
    e.ConfigurationError,
    (
        "This user pool cannot register passkeys: it needs the Essentials or Plus feature plan, choice-based "
        "sign-in with WEB_AUTHN allowed on the app client, and a relying party (its managed login domain or one of "
        "its own)."
    ),
)
_PAGE_LIMIT = 20
_MAX_PAGES = 50


class CognitoPasskeys(PasskeyAccount):
    def __init__(self, app: AppClient) -> None:
        self._app = app

    @checked_answers("Cognito")
    def start_passkey_registration(self, access_token: Secret) -> dict[str, Any]:
        errors = _SIGNED_IN | {"WebAuthnNotEnabledException": PASSKEYS_UNAVAILABLE}
        with cognito_errors(errors):
            answer = self._app.client.start_web_authn_registration(AccessToken=access_token.reveal())
        options = answer["CredentialCreationOptions"]
        if not isinstance(options, dict) or not isinstance(options.get("challenge"), str):
            raise e.ServiceError("Cognito's passkey registration options carry no challenge.")
        return dict(options)

    @checked_answers("Cognito")
    def complete_passkey_registration(self, access_token: Secret, credential: Mapping[str, Any]) -> None:
        errors = _SIGNED_IN | {
            "WebAuthnNotEnabledException": PASSKEYS_UNAVAILABLE,
            "WebAuthnChallengeNotFoundException": (
                e.SessionExpired,
                "The passkey registration took too long and its challenge expired: register again.",
            ),
            "WebAuthnCredentialNotSupportedException": (
                e.PasskeyError,
                "Cognito does not accept this kind of passkey: use another authenticator.",
            ),
            "WebAuthnRelyingPartyMismatchException": (
                e.ConfigurationError,
                "The passkey was made for another relying party: check [passkeys] origin.",
            ),
            "WebAuthnOriginNotAllowedException": (
                e.ConfigurationError,
                "Cognito does not allow this origin for passkeys: check [passkeys] origin.",
            ),
        }
        with cognito_errors(errors):
            self._app.client.complete_web_authn_registration(
                AccessToken=access_token.reveal(),
                Credential=dict(credential),
            )

    @checked_answers("Cognito")
    def list_passkeys(self, access_token: Secret) -> tuple[Passkey, ...]:
        found: list[Passkey] = []
        token: str | None = None
        for _ in range(_MAX_PAGES):
            with cognito_errors(_SIGNED_IN):
                answer = self._app.client.list_web_authn_credentials(
                    AccessToken=access_token.reveal(),
                    MaxResults=_PAGE_LIMIT,
                    **({"NextToken": token} if token else {}),
                )
            found.extend(_passkey(item) for item in answer.get("Credentials", []))
            token = answer.get("NextToken")
            if not token:
                break
        return tuple(found)

    @checked_answers("Cognito")
    def delete_passkey(self, access_token: Secret, credential_id: str) -> None:
        missing = (e.InvalidInput, "No passkey of yours has that id: see client-auth passkeys list.")
        with cognito_errors(_SIGNED_IN | {"ResourceNotFoundException": missing}):
            self._app.client.delete_web_authn_credential(AccessToken=access_token.reveal(), CredentialId=credential_id)

    @checked_answers("Cognito")
    def auth_factors(self, access_token: Secret) -> tuple[AuthFactor, ...]:
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.get_user_auth_factors(AccessToken=access_token.reveal())
        return wire.factors(answer.get("ConfiguredUserAuthFactors") or [])


def _passkey(item: Mapping[str, Any]) -> Passkey:
    created = item.get("CreatedAt")
    if isinstance(created, int | float):
        created = datetime.fromtimestamp(created, UTC)
    return Passkey(
        credential_id=clean(str(item["CredentialId"]), 1024),
        name=clean(str(item.get("FriendlyCredentialName") or ""), 200),
        relying_party=clean(str(item.get("RelyingPartyId") or ""), 300),
        created_at=created if isinstance(created, datetime) else None,
        attachment=clean(str(item["AuthenticatorAttachment"]), 40) if item.get("AuthenticatorAttachment") else None,
        transports=tuple(clean(str(t), 40) for t in item.get("AuthenticatorTransports") or [])[:10],
    )
