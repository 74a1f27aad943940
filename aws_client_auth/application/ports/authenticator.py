"""A WebAuthn authenticator: what makes and uses passkeys (a security key, the platform's own, or software).

Options and answers are in WebAuthn's JSON forms (Level 3, section 5.1: ``PublicKeyCredentialCreationOptionsJSON``
and ``PublicKeyCredentialRequestOptionsJSON`` in, ``RegistrationResponseJSON`` and ``AuthenticationResponseJSON``
out, binary fields as unpadded base64url), the forms Cognito's ``StartWebAuthnRegistration`` returns, its
``WEB_AUTHN`` challenge carries (``CREDENTIAL_REQUEST_OPTIONS``), and ``CompleteWebAuthnRegistration`` and the
challenge answer take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Authenticator(Protocol):
    def create_credential(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Create a passkey for ``options["rp"]["id"]`` and ``options["user"]``; the registration response.

        Raises NoAuthenticator when none is present, Cancelled when the user declines or the wait times out,
        and PasskeyError when the authenticator refuses (for example, it already holds a listed credential)."""
        ...

    def get_assertion(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Sign ``options["challenge"]`` with a passkey for ``options["rpId"]`` (one of ``allowCredentials``,
        when listed); the authentication response. Raises as ``create_credential`` does."""
        ...
