"""The client half of Cognito's SRP-6a sign-in (USER_SRP_AUTH): the password never leaves the machine.

RFC 5054's 3072-bit group with g = 2 and k = H(N | PAD(g)); the proof is an HMAC keyed by HKDF("Caldera
Derived Key") of the shared secret, as Amplify and the AWS SDKs compute it. Big-number exponentiation is the
whole cost, so gmpy2 (GMP) does it when installed; the ephemeral secret stays full size either way.

Remembered devices prove themselves the same way (DEVICE_SRP_AUTH): the device group key stands where the pool
name does, the device key where the user id does, and a random device password (made here, never sent) where
the user's password does; Cognito keeps only the verifier and salt the client computed (ConfirmDevice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aws_client_auth.domain.errors import InvalidInput

try:
    import gmpy2

    def _powmod(base: int, exponent: int, modulus: int) -> int:
        return int(gmpy2.powmod(base, exponent, modulus))

except ImportError:  # pragma: no cover - gmpy2 is a dependency; plain pow is the same maths, slower

    def _powmod(base: int, exponent: int, modulus: int) -> int:
        return pow(base, exponent, modulus)


N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
EPHEMERAL_BYTES = 128
DEVICE_PASSWORD_BYTES = 40
SALT_BYTES = 16
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pad_hex(value: int | str) -> str:
    """Hex with an even length and a leading 00 when the top bit is set (a positive two's-complement value)."""
    text = f"{value:x}" if isinstance(value, int) else value
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


def hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest().zfill(64)


K = int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def timestamp(moment: datetime) -> str:
    """Cognito's format, English names whatever the locale: ``Tue Nov 3 08:05:09 UTC 2026``."""
    t = moment.astimezone(UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day} {t:%H:%M:%S} UTC {t.year}"


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """The client's one-time SRP secret ``a`` and public value ``A = g^a mod N``."""

    a: int
    public: int

    def __repr__(self) -> str:
        return "Ephemeral(a=<hidden>)"

    @property
    def public_hex(self) -> str:
        return f"{self.public:x}"


def new_ephemeral(random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> Ephemeral:
    while True:
        a = int.from_bytes(random_bytes(EPHEMERAL_BYTES), "big") % N
        public = _powmod(G, a, N)
        if a and public % N:
            return Ephemeral(a, public)


def _utf8(text: str, what: str) -> bytes:
    """``text`` as UTF-8; a ValueError naming ``what`` (not the text, nor where it breaks) if it cannot be."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not valid UTF-8 text") from None


def _identity(pool_name: str, user_id: str, password: str) -> bytes:
    """``pool_name + user_id + ":" + password`` in UTF-8, for the identity hash.

    A password that is not UTF-8 (lone surrogates) is the user's input error, and is said so without a
    character of it: UnicodeEncodeError's own message quotes the character and its position.
    """
    try:
        secret_part = password.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("The password is not valid UTF-8 text: type it again.") from None
    return _utf8(f"{pool_name}{user_id}:", "the pool id or USER_ID_FOR_SRP") + secret_part


def password_claim(
    ephemeral: Ephemeral,
    *,
    pool_id: str,
    user_id: str,
    password: str,
    salt_hex: str,
    server_b_hex: str,
    secret_block_b64: str,
    now: datetime,
) -> tuple[str, str]:
    """Answer to PASSWORD_VERIFIER: (TIMESTAMP, PASSWORD_CLAIM_SIGNATURE)."""
    return _claim(
        ephemeral,
        realm=pool_id.split("_", 1)[1],
        user_id=user_id,
        password=password,
        salt_hex=salt_hex,
        server_b_hex=server_b_hex,
        secret_block_b64=secret_block_b64,
        now=now,
    )


def device_claim(
    ephemeral: Ephemeral,
    *,
    group_key: str,
    device_key: str,
    password: str,
    salt_hex: str,
    server_b_hex: str,
    secret_block_b64: str,
    now: datetime,
) -> tuple[str, str]:
    """Answer to DEVICE_PASSWORD_VERIFIER: (TIMESTAMP, PASSWORD_CLAIM_SIGNATURE)."""
    return _claim(
        ephemeral,
        realm=group_key,
        user_id=device_key,
        password=password,
        salt_hex=salt_hex,
        server_b_hex=server_b_hex,
        secret_block_b64=secret_block_b64,
        now=now,
    )


def _claim(
    ephemeral: Ephemeral,
    *,
    realm: str,
    user_id: str,
    password: str,
    salt_hex: str,
    server_b_hex: str,
    secret_block_b64: str,
    now: datetime,
) -> tuple[str, str]:
    server_b = int(server_b_hex, 16)
    if server_b % N == 0:
        raise ValueError("SRP safety check failed: B mod N is zero")
    u = int(hash_hex(pad_hex(ephemeral.public) + pad_hex(server_b)), 16)
    if u == 0:
        raise ValueError("SRP safety check failed: u is zero")
    x = _private_key(realm, user_id, password, salt_hex)
    base = (server_b - K * _powmod(G, x, N)) % N
    shared = _powmod(base, ephemeral.a + u * x, N)
    key = hkdf(bytes.fromhex(pad_hex(shared)), bytes.fromhex(pad_hex(u)))
    stamp = timestamp(now)
    message = _utf8(realm + user_id, "the pool id or USER_ID_FOR_SRP") + base64.b64decode(secret_block_b64)
    message += stamp.encode()
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return stamp, signature


def _private_key(realm: str, user_id: str, password: str, salt_hex: str) -> int:
    """x = H(PAD(salt) | H(realm | user_id | ":" | password))."""
    identity_hash = hashlib.sha256(_identity(realm, user_id, password)).hexdigest().zfill(64)
    return int(hash_hex(pad_hex(salt_hex) + identity_hash), 16)


@dataclass(frozen=True, slots=True)
class DeviceVerifier:
    """What ConfirmDevice sends (``DeviceSecretVerifierConfig``) and the device password only this machine keeps."""

    password: str
    password_verifier: str
    """base64 of the padded verifier g^x mod N."""
    salt: str
    """base64 of the padded salt."""

    def __repr__(self) -> str:
        return "DeviceVerifier(password=<hidden>)"


def device_verifier(
    group_key: str, device_key: str, random_bytes: Callable[[int], bytes] = secrets.token_bytes
) -> DeviceVerifier:
    """A fresh device password, and the salt and verifier Cognito needs to check the device's later proofs."""
    password = base64.b64encode(random_bytes(DEVICE_PASSWORD_BYTES)).decode()
    salt_hex = pad_hex(int.from_bytes(random_bytes(SALT_BYTES), "big"))
    verifier = _powmod(G, _private_key(group_key, device_key, password, salt_hex), N)
    return DeviceVerifier(
        password=password,
        password_verifier=base64.b64encode(bytes.fromhex(pad_hex(verifier))).decode(),
        salt=base64.b64encode(bytes.fromhex(salt_hex)).decode(),
    )
