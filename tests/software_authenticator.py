"""A software WebAuthn authenticator for the tests: real P-256 keys, real signatures, nothing faked.

It implements the ``Authenticator`` port (``aws_client_auth.application.ports.authenticator``) the way a security
key and the browser-side client together would: registration builds ``clientDataJSON`` (``webauthn.create``),
``authenticatorData`` (rpIdHash, flags UP|UV|AT, sign count, attested credential data with a zero AAGUID and the
credential's COSE EC2 key) and a ``"none"`` attestation object; an assertion builds ``clientDataJSON``
(``webauthn.get``), ``authenticatorData`` with a counter that moves forward, and an ES256 signature over
``authenticatorData || SHA-256(clientDataJSON)``. Answers are WebAuthn's JSON forms (unpadded base64url).

It refuses as a real key would: a listed ``excludeCredentials`` credential it holds, no credential matching
``allowCredentials`` (or none for the relying party), no ES256 among ``pubKeyCredParams``.

Credentials live in memory, or in a JSON file (``store``) that a later process reads back: a CLI process that
registers and another that signs in share keys. The file holds private keys, so it is written mode 0600.

Select it for the CLI by configuration::

    [passkeys]
    authenticator = "tests.software_authenticator:factory"
    store = "/tmp/.../passkeys.json"       # or the SOFTWARE_AUTHENTICATOR_STORE environment variable

Keywords for negative tests of a verifier: ``origin`` (a wrong one), ``sign_for_rp_id`` (hash another relying
party id into ``authenticatorData``), ``tamper_signature``, ``wrong_challenge`` and ``counter_step`` (0: replay
the counter); ``set_counter`` moves a credential's counter back. ``cancel`` and ``absent`` make every call raise
``Cancelled`` or ``NoAuthenticator``, as a user who declines or a machine without a key would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor

from aws_client_auth.domain.errors import Cancelled, NoAuthenticator, PasskeyError

STORE_ENV = "SOFTWARE_AUTHENTICATOR_STORE"
ES256 = -7
AAGUID = bytes(16)
FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})

log = logging.getLogger(__name__)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class StoredCredential:
    credential_id: bytes
    rp_id: str
    user_handle: bytes
    user_name: str
    private_key: ec.EllipticCurvePrivateKey
    sign_count: int = 0

    def to_json(self) -> dict[str, Any]:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return {
            "id": b64url(self.credential_id),
            "rp_id": self.rp_id,
            "user_handle": b64url(self.user_handle),
            "user_name": self.user_name,
            "private_key": pem.decode("ascii"),
            "sign_count": self.sign_count,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredCredential:
        key = serialization.load_pem_private_key(data["private_key"].encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise PasskeyError("The software authenticator's store holds a key that is not P-256.")
        return cls(
            credential_id=unb64url(data["id"]),
            rp_id=data["rp_id"],
            user_handle=unb64url(data["user_handle"]),
            user_name=data.get("user_name", ""),
            private_key=key,
            sign_count=int(data.get("sign_count", 0)),
        )

    def cose_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor.encode(
            {1: 2, 3: ES256, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def public_key_der(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class SoftwareAuthenticator:
    """An ``Authenticator`` with P-256 keys in memory or in a 0600 JSON file (``store``)."""

    def __init__(
        self,
        store: Path | None = None,
        *,
        origin: str | None = None,
        notify: Callable[[str], None] | None = None,
        sign_for_rp_id: str | None = None,
        tamper_signature: bool = False,
        wrong_challenge: bool = False,
        counter_step: int = 1,
        cancel: bool = False,
        absent: bool = False,
    ) -> None:
        self.store = store
        self.origin = origin
        self.notify = notify or log.info
        self.sign_for_rp_id = sign_for_rp_id
        self.tamper_signature = tamper_signature
        self.wrong_challenge = wrong_challenge
        self.counter_step = counter_step
        self.cancel = cancel
        self.absent = absent
        self._memory: list[StoredCredential] = []

    # -- the port ----------------------------------------------------------------------------------------------

    def create_credential(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self._present()
        rp_id = str(options["rp"]["id"])
        user = options["user"]
        algorithms = [p.get("alg") for p in options.get("pubKeyCredParams", []) if p.get("type", "public-key")]
        if algorithms and ES256 not in algorithms:
            raise PasskeyError("The authenticator supports none of the requested algorithms (it has ES256 only).")
        credentials = self._load()
        excluded = {unb64url(c["id"]) for c in options.get("excludeCredentials", []) or []}
        if any(c.credential_id in excluded and c.rp_id == rp_id for c in credentials):
            raise PasskeyError("This authenticator already holds a passkey for this account.")
        self.notify(f"Software authenticator: creating a passkey for {rp_id}.")
        credential = StoredCredential(
            credential_id=secrets.token_bytes(32),
            rp_id=rp_id,
            user_handle=unb64url(str(user["id"])),
            user_name=str(user.get("name", "")),
            private_key=ec.generate_private_key(ec.SECP256R1()),
        )
        client_data = self._client_data("webauthn.create", str(options["challenge"]), rp_id)
        attested = AAGUID + struct.pack(">H", len(credential.credential_id)) + credential.credential_id
        auth_data = self._auth_data(rp_id, FLAG_UP | FLAG_UV | FLAG_AT, 0) + attested + credential.cose_key()
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        credentials.append(credential)
        self._save(credentials)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "publicKey": b64url(credential.public_key_der()),
                "publicKeyAlgorithm": ES256,
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get_assertion(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self._present()
        rp_id = str(options["rpId"])
        credentials = self._load()
        allowed = {unb64url(c["id"]) for c in options.get("allowCredentials", []) or []}
        candidates = [c for c in credentials if c.rp_id == rp_id and (not allowed or c.credential_id in allowed)]
        if not candidates:
            raise PasskeyError(f"This authenticator holds no passkey for {rp_id} that the service accepts.")
        credential = candidates[-1]  # the newest, as a platform authenticator offers first
        self.notify(f"Software authenticator: signing in to {rp_id}.")
        credential.sign_count += self.counter_step
        client_data = self._client_data("webauthn.get", str(options["challenge"]), rp_id)
        auth_data = self._auth_data(rp_id, FLAG_UP | FLAG_UV, credential.sign_count)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if self.tamper_signature:
            signature = _tampered(signature, credential.private_key)
        self._save(credentials)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # -- for tests ---------------------------------------------------------------------------------------------

    def credential_ids(self, rp_id: str | None = None) -> list[str]:
        """The held credentials' ids (base64url), oldest first."""
        return [b64url(c.credential_id) for c in self._load() if rp_id is None or c.rp_id == rp_id]

    def set_counter(self, credential_id: str, value: int) -> None:
        """Set a credential's signature counter (a cloned or rolled-back key, for a verifier's counter check)."""
        credentials = self._load()
        for credential in credentials:
            if b64url(credential.credential_id) == credential_id:
                credential.sign_count = value
        self._save(credentials)

    # -- the parts ---------------------------------------------------------------------------------------------

    def _present(self) -> None:
        if self.absent:
            raise NoAuthenticator("No security key found: plug one in and try again.")
        if self.cancel:
            raise Cancelled("The passkey request was cancelled or timed out.")

    def _client_data(self, kind: str, challenge: str, rp_id: str) -> bytes:
        raw = secrets.token_bytes(32) if self.wrong_challenge else unb64url(challenge)
        origin = self.origin or f"https://{rp_id}"
        document = {"type": kind, "challenge": b64url(raw), "origin": origin, "crossOrigin": False}
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def _auth_data(self, rp_id: str, flags: int, sign_count: int) -> bytes:
        rp_id_hash = hashlib.sha256((self.sign_for_rp_id or rp_id).encode("utf-8")).digest()
        return rp_id_hash + bytes([flags]) + struct.pack(">I", sign_count & 0xFFFFFFFF)

    def _load(self) -> list[StoredCredential]:
        if self.store is None:
            return list(self._memory)
        try:
            text = self.store.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        document = json.loads(text)
        return [StoredCredential.from_json(item) for item in document.get("credentials", [])]

    def _save(self, credentials: list[StoredCredential]) -> None:
        if self.store is None:
            self._memory = list(credentials)
            return
        document = {"version": 1, "credentials": [c.to_json() for c in credentials]}
        self.store.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=".passkeys-", dir=self.store.parent)  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2)
            os.chmod(name, 0o600)
            os.replace(name, self.store)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


def _tampered(signature: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    """A well-formed DER signature that does not verify: a signature by the same key over other bytes."""
    return key.sign(signature + b"tampered", ec.ECDSA(hashes.SHA256()))


def factory(options: Mapping[str, str], notify: Callable[[str], None]) -> SoftwareAuthenticator:
    """The ``[passkeys] authenticator = "tests.software_authenticator:factory"`` entry: options ``store`` (else
    ``$SOFTWARE_AUTHENTICATOR_STORE``, else memory), ``origin``, and ``cancel`` / ``absent`` (true/false)."""
    path = options.get("store") or os.environ.get(STORE_ENV)
    return SoftwareAuthenticator(
        Path(path).expanduser() if path else None,
        origin=options.get("origin") or None,
        notify=notify,
        cancel=options.get("cancel", "").lower() in TRUE_WORDS,
        absent=options.get("absent", "").lower() in TRUE_WORDS,
    )
