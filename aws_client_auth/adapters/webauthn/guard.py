"""What every authenticator is wrapped in: the relying party is checked before a key is touched, and whatever the
authenticator does wrong becomes a typed error that names it.

A passkey is bound to its relying party (the user pool's domain). The options come from the server the
configuration points at; were that server an impostor, it could ask the user's key to sign for another site
(``rpId: "accounts.example.com"``) and relay the assertion. So the relying party is the configured one
(``[passkeys] relying_party``, else the host of ``[cognito] domain``), never the one the server names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError, PasskeyError
from aws_client_auth.domain.text import clean

UNSET = (
    "Passkeys need the user pool's relying party: set [passkeys] relying_party to the pool's domain (its managed "
    "login domain, such as myapp.auth.us-east-1.amazoncognito.com, or its custom domain), or [cognito] domain."
)


class RelyingPartyGuard:
    """``inner``, used only for ``relying_party``; its failures and malformed answers as PasskeyError."""

    def __init__(self, inner: Authenticator, relying_party: str | None) -> None:
        self.inner = inner
        self._relying_party = (relying_party or "").strip().lower() or None

    def create_credential(self, options: Mapping[str, Any]) -> dict[str, Any]:
        rp = options.get("rp")
        self._check(rp.get("id") if isinstance(rp, Mapping) else None)
        return self._answer("create_credential", options)

    def get_assertion(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self._check(options.get("rpId"))
        return self._answer("get_assertion", options)

    def _check(self, named: object) -> None:
        if self._relying_party is None:
            raise ConfigurationError(UNSET)
        if not isinstance(named, str) or named.strip().lower() != self._relying_party:
            shown = clean(named, 120) if isinstance(named, str) else "none"
            raise PasskeyError(
                f"The server asked for a passkey of {shown!r}, not of this pool's relying party "
                f"{self._relying_party!r}: refused before your key was used. Check [aws] endpoint_url, or "
                "[passkeys] relying_party if the pool's domain changed."
            )

    def _answer(self, method: str, options: Mapping[str, Any]) -> dict[str, Any]:
        try:
            answer = getattr(self.inner, method)(options)
        except ClientAuthError:
            raise
        except Exception as error:
            raise PasskeyError(f"The authenticator failed ({type(error).__name__}): try again.") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str) or not answer["id"]:
            raise PasskeyError("The authenticator answered with something that is not a WebAuthn credential.")
        try:
            import json

            json.dumps(answer)
        except (TypeError, ValueError):
            raise PasskeyError("The authenticator answered with values that are not JSON.") from None
        return answer
