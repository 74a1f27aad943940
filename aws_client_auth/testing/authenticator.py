"""A passkey authenticator in memory, and the WebAuthn JSON both it and the fake user pool read.

It keeps the rules that matter to a client: a credential is made for one relying party and user, an authenticator
that already holds a listed credential refuses to make another, an assertion is only made with a credential for
the request's relying party (one of ``allowCredentials`` when listed), and the client data it returns echoes the
request's challenge and its origin, which :class:`~aws_client_auth.testing.user_pool.FakeUserPool` checks. Keys
and signatures are not modelled: the test tree's software authenticator does real cryptography.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.domain import errors as e

RP_ID = "login.example.com"
"""The relying party of the fake user pool's passkeys (its managed login domain)."""
ORIGIN = f"https://{RP_ID}"


def b64url(data: bytes) -> str:
    """Unpadded base64url, WebAuthn's JSON encoding of binary fields."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise e.PasskeyError("A WebAuthn field is not base64url.") from None


def client_data(credential: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The client data of a registration (``webauthn.create``) or assertion (``webauthn.get``) response, or
    PasskeyError when it is missing, malformed or of the other kind."""
    response = credential.get("response")
    encoded = response.get("clientDataJSON") if isinstance(response, Mapping) else None
    if not isinstance(encoded, str):
        raise e.PasskeyError("The passkey response carries no client data.")
    try:
        data = json.loads(unb64url(encoded))
    except ValueError:
        raise e.PasskeyError("The passkey response's client data is not JSON.") from None
    if not isinstance(data, dict) or data.get("type") != kind:
        raise e.PasskeyError(f"The passkey response's client data is not of type {kind}.")
    return data


@dataclass
class FakeCredential:
    """A passkey the authenticator holds: its id, relying party, user handle and how often it signed."""

    id: str
    rp_id: str
    user_handle: str
    user_name: str
    sign_count: int = 0


class FakeAuthenticator(Authenticator):
    """A security key in memory. ``present = False`` is a machine without one (NoAuthenticator); ``fail_next``
    makes the next call fail with that error (``Cancelled`` for a user who does not touch the key);
    ``created`` and ``assertions`` count what it made; ``origin`` is the origin its client data names."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.credentials: dict[str, FakeCredential] = {}
        self.present = True
        self.fail_next: e.ClientAuthError | None = None
        self.created = 0
        self.assertions = 0
        self.requests: list[dict[str, Any]] = []
        """The options of every call, in order."""

    def _ready(self, options: Mapping[str, Any]) -> None:
        self.requests.append(dict(options))
        if not self.present:
            raise e.NoAuthenticator("No security key is connected: plug one in and try again.")
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def create_credential(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self._ready(options)
        rp, user, challenge = options.get("rp"), options.get("user"), options.get("challenge")
        if not isinstance(rp, Mapping) or not isinstance(user, Mapping) or not isinstance(challenge, str):
            raise e.PasskeyError("The creation options name no relying party, user or challenge.")
        excluded = {c.get("id") for c in options.get("excludeCredentials") or [] if isinstance(c, Mapping)}
        if excluded & set(self.credentials):
            raise e.PasskeyError("This security key already holds a passkey for this account.")
        credential = FakeCredential(
            b64url(secrets.token_bytes(16)), str(rp.get("id")), str(user.get("id")), str(user.get("name"))
        )
        self.credentials[credential.id] = credential
        self.created += 1
        return {
            "id": credential.id,
            "rawId": credential.id,
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": self._client_data("webauthn.create", challenge),
                "attestationObject": b64url(b"fake-attestation"),
                "transports": ["usb"],
            },
        }

    def get_assertion(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self._ready(options)
        challenge = options.get("challenge")
        if not isinstance(challenge, str):
            raise e.PasskeyError("The request options carry no challenge.")
        allowed = {c.get("id") for c in options.get("allowCredentials") or [] if isinstance(c, Mapping)}
        usable = [
            c for c in self.credentials.values() if c.rp_id == options.get("rpId") and (not allowed or c.id in allowed)
        ]
        if not usable:
            raise e.PasskeyError("This security key holds no passkey for this site.")
        credential = usable[0]
        credential.sign_count += 1
        self.assertions += 1
        return {
            "id": credential.id,
            "rawId": credential.id,
            "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": self._client_data("webauthn.get", challenge),
                "authenticatorData": b64url(credential.sign_count.to_bytes(4, "big")),
                "signature": b64url(b"fake-signature"),
                "userHandle": credential.user_handle,
            },
        }

    def _client_data(self, kind: str, challenge: str) -> str:
        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return b64url(json.dumps(data).encode())
