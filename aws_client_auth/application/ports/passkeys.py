"""A user's passkeys and sign-in factors at the provider (Cognito: the WebAuthn credentials of a user pool)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from aws_client_auth.application.ports.user_directory import UserDirectory
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Passkey


@runtime_checkable
class PasskeyAccount(Protocol):
    def start_passkey_registration(self, access_token: Secret) -> dict[str, Any]:
        """The credential creation options (WebAuthn JSON) for the signed-in user's new passkey."""
        ...

    def complete_passkey_registration(self, access_token: Secret, credential: Mapping[str, Any]) -> None:
        """Register the authenticator's answer (RegistrationResponseJSON) to those options."""
        ...

    def list_passkeys(self, access_token: Secret) -> tuple[Passkey, ...]: ...

    def delete_passkey(self, access_token: Secret, credential_id: str) -> None: ...

    def auth_factors(self, access_token: Secret) -> tuple[AuthFactor, ...]:
        """The first factors the user can sign in with (password, email or SMS codes, passkey)."""
        ...


def passkeys_of(directory: UserDirectory) -> PasskeyAccount:
    """The provider's directory as the passkey port, when it keeps passkeys (a Cognito user pool does)."""
    if not isinstance(directory, PasskeyAccount):
        raise InvalidInput("This provider's directory keeps no passkeys: passkeys are Cognito's.")
    return directory
