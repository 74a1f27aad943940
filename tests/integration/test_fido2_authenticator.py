"""The fido2 adapter without hardware: ``fido2.client.Fido2Client`` drives a software CTAP2 device (CBOR over the
CtapDevice boundary, the same bytes a USB key exchanges, with real P-256 keys), so the adapter's conversion from
WebAuthn JSON to fido2's types and back is checked end to end, and its answers verify with py_webauthn. Its error
paths (no key, a declined or timed-out touch, an excluded or unknown credential, a PIN it cannot ask for, a key
that goes away) come from the same device. And the loader: the built-in default, ``module:factory``, an entry
point, and clear configuration errors."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import secrets
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
import webauthn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.ctap import STATUS, CtapDevice, CtapError
from fido2.hid import CAPABILITY, CTAPHID
from webauthn.helpers.exceptions import InvalidAuthenticationResponse

from aws_client_auth.adapters.webauthn import fido2_authenticator as fido2_module
from aws_client_auth.adapters.webauthn.fido2_authenticator import (
    NO_KEY,
    PICK,
    TOUCH,
    WINDOWS_PROMPT,
    Fido2Authenticator,
    translate,
)
from aws_client_auth.adapters.webauthn.loader import GROUP, load_authenticator
from aws_client_auth.domain.errors import Cancelled, ConfigurationError, NoAuthenticator, PasskeyError
from tests.software_authenticator import SoftwareAuthenticator, StoredCredential, b64url, unb64url

RP_ID = "auth.example.com"
ORIGIN = f"https://{RP_ID}"
USER_ID = b"user-handle-0123"
ROOT = Path(__file__).resolve().parents[2]


class SoftCtap2Device(CtapDevice):
    """A CTAP 2.1 authenticator in software: getInfo, makeCredential, getAssertion and selection, answering in
    canonical CBOR with CTAP status codes, as a USB key does over HID."""

    def __init__(
        self,
        *,
        uv: bool = True,
        client_pin: bool = False,
        refuse: int | None = None,
        touched: bool = True,
        unplugged: bool = False,
    ) -> None:
        self.credentials: list[StoredCredential] = []
        self.uv = uv
        self.client_pin = client_pin
        self.refuse = refuse  # a CTAP status the key answers when asked for a touch
        self.touched = touched  # False: the user never touches this key (selection waits to be cancelled)
        self.unplugged = unplugged
        self.closed = False
        self.commands: list[int] = []

    @property
    def capabilities(self) -> int:
        return CAPABILITY.CBOR | CAPABILITY.NMSG

    def call(
        self,
        cmd: int,
        data: bytes = b"",
        event: threading.Event | None = None,
        on_keepalive: Callable[[STATUS], None] | None = None,
    ) -> bytes:
        if self.unplugged:
            raise OSError(19, "No such device")
        assert cmd == CTAPHID.CBOR
        command = data[0]
        self.commands.append(command)
        arguments = cbor.decode(data[1:]) if len(data) > 1 else {}
        handlers: dict[int, Callable[..., Any]] = {
            0x04: self._info,
            0x01: self._make,
            0x02: self._assert,
            0x0B: self._selection,
        }
        try:
            if command not in handlers:
                raise CtapError(CtapError.ERR.INVALID_COMMAND)
            answer = handlers[command](arguments, event, on_keepalive)
        except CtapError as error:
            return bytes([error.code])
        return b"\x00" + (cbor.encode(answer) if answer is not None else b"")

    def close(self) -> None:
        self.closed = True

    @classmethod
    def list_devices(cls) -> Iterator[SoftCtap2Device]:
        return iter([])

    def _info(self, _: Mapping[int, Any], *__: Any) -> dict[int, Any]:
        options: dict[str, bool] = {"rk": True, "up": True, "plat": False}
        if self.uv:
            options["uv"] = True
        if self.client_pin:
            options["clientPin"] = True
        return {1: ["FIDO_2_0", "FIDO_2_1"], 3: bytes(16), 4: options, 6: [2, 1]}

    def _touch(self, event: threading.Event | None, on_keepalive: Callable[[STATUS], None] | None) -> None:
        if on_keepalive:
            on_keepalive(STATUS.UPNEEDED)
        if self.refuse is not None:
            raise CtapError(self.refuse)
        if not self.touched:
            (event or threading.Event()).wait(10)
            raise CtapError(CtapError.ERR.KEEPALIVE_CANCEL)

    def _selection(self, _: Mapping[int, Any], event: Any, on_keepalive: Any) -> None:
        self._touch(event, on_keepalive)

    def _auth_data(self, rp_id: str, flags: int, count: int) -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count)

    def _make(self, args: Mapping[int, Any], event: Any, on_keepalive: Any) -> dict[int, Any]:
        rp_id = args[2]["id"]
        if self.client_pin and 8 not in args:
            raise CtapError(CtapError.ERR.PUAT_REQUIRED)
        excluded = {d["id"] for d in args.get(5) or []}
        if any(c.credential_id in excluded and c.rp_id == rp_id for c in self.credentials):
            self._touch(event, on_keepalive)
            raise CtapError(CtapError.ERR.CREDENTIAL_EXCLUDED)
        if -7 not in [p["alg"] for p in args[4]]:
            raise CtapError(CtapError.ERR.UNSUPPORTED_ALGORITHM)
        self._touch(event, on_keepalive)
        credential = StoredCredential(
            credential_id=secrets.token_bytes(48),
            rp_id=rp_id,
            user_handle=args[3]["id"],
            user_name=args[3].get("name", ""),
            private_key=ec.generate_private_key(ec.SECP256R1()),
        )
        self.credentials.append(credential)
        uv = 0x04 if (args.get(7) or {}).get("uv") else 0
        attested = bytes(16) + struct.pack(">H", len(credential.credential_id)) + credential.credential_id
        auth_data = self._auth_data(rp_id, 0x41 | uv, 0) + attested + credential.cose_key()
        return {1: "none", 2: auth_data, 3: {}}

    def _assert(self, args: Mapping[int, Any], event: Any, on_keepalive: Any) -> dict[int, Any]:
        rp_id, client_data_hash = args[1], args[2]
        options = args.get(5) or {}
        allowed = {d["id"] for d in args.get(3) or []}
        found = [c for c in self.credentials if c.rp_id == rp_id and (not allowed or c.credential_id in allowed)]
        if not found:
            raise CtapError(CtapError.ERR.NO_CREDENTIALS)
        credential = found[-1]
        flags = 0
        if options.get("up", True):
            self._touch(event, on_keepalive)
            credential.sign_count += 1
            flags |= 0x01
        if options.get("uv"):
            flags |= 0x04
        auth_data = self._auth_data(rp_id, flags, credential.sign_count)
        signature = credential.private_key.sign(auth_data + client_data_hash, ec.ECDSA(hashes.SHA256()))
        return {
            1: {"type": "public-key", "id": credential.credential_id},
            2: auth_data,
            3: signature,
            4: {"id": credential.user_handle},
        }


def creation_options(challenge: bytes, exclude: list[str] | None = None) -> dict[str, Any]:
    return {
        "rp": {"id": RP_ID, "name": "Example"},
        "user": {"id": b64url(USER_ID), "name": "alice", "displayName": "alice"},
        "challenge": b64url(challenge),
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
        "timeout": 60000,
        "excludeCredentials": [{"type": "public-key", "id": i} for i in exclude or []],
        "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
        "attestation": "none",
    }


def request_options(challenge: bytes, allow: list[str] | None = None) -> dict[str, Any]:
    return {
        "challenge": b64url(challenge),
        "rpId": RP_ID,
        "allowCredentials": [{"type": "public-key", "id": i} for i in allow or []],
        "timeout": 60000,
        "userVerification": "preferred",
    }


def adapter(*devices: SoftCtap2Device, prompts: list[str] | None = None, **kwargs: Any) -> Fido2Authenticator:
    sink = prompts if prompts is not None else []
    return Fido2Authenticator(devices=lambda: list(devices), platform_api=False, notify=sink.append, **kwargs)


def assert_json_form(document: Any) -> None:
    """Only JSON types, binary as unpadded base64url."""
    assert json.loads(json.dumps(document)) == document
    for value in document["response"].values():
        if isinstance(value, str):
            assert "=" not in value
            assert "+" not in value
            assert "/" not in value


# -- conversion, end to end through fido2's client ------------------------------------------------------------


def test_register_then_sign_in_with_a_usb_key_verifies_with_py_webauthn() -> None:
    device = SoftCtap2Device()
    prompts: list[str] = []
    authenticator = adapter(device, prompts=prompts)

    challenge = secrets.token_bytes(32)
    registration = authenticator.create_credential(creation_options(challenge))
    assert_json_form(registration)
    assert registration["type"] == "public-key"
    assert registration["id"] == registration["rawId"]
    assert registration["authenticatorAttachment"] == "cross-platform"
    body = registration["response"]
    assert body["transports"] == ["usb"]
    assert body["publicKeyAlgorithm"] == -7
    assert json.loads(unb64url(body["clientDataJSON"]))["origin"] == ORIGIN
    verified = webauthn.verify_registration_response(
        credential=registration,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )
    assert verified.credential_id == unb64url(registration["id"])
    assert unb64url(body["publicKey"]) == device.credentials[0].public_key_der()
    assert TOUCH in prompts
    assert device.closed

    challenge = secrets.token_bytes(32)
    assertion = authenticator.get_assertion(request_options(challenge, [registration["id"]]))
    assert_json_form(assertion)
    assert assertion["id"] == registration["id"]
    assert unb64url(assertion["response"]["userHandle"]) == USER_ID
    checked = webauthn.verify_authentication_response(
        credential=assertion,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=verified.credential_public_key,
        credential_current_sign_count=verified.sign_count,
        require_user_verification=True,
    )
    assert checked.new_sign_count == 1


def test_the_configured_origin_is_the_one_signed() -> None:
    device = SoftCtap2Device()
    authenticator = adapter(device, origin="https://login.auth.example.com")
    challenge = secrets.token_bytes(32)
    registration = authenticator.create_credential(creation_options(challenge))
    assert json.loads(unb64url(registration["response"]["clientDataJSON"]))["origin"] == (
        "https://login.auth.example.com"
    )
    webauthn.verify_registration_response(
        credential=registration,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin="https://login.auth.example.com",
    )


def test_a_key_registered_through_the_adapter_is_refused_for_another_challenge() -> None:
    device = SoftCtap2Device()
    authenticator = adapter(device)
    registration = authenticator.create_credential(creation_options(secrets.token_bytes(32)))
    verified = webauthn.verify_registration_response(
        credential=registration,
        expected_challenge=unb64url(json.loads(unb64url(registration["response"]["clientDataJSON"]))["challenge"]),
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
    )
    assertion = authenticator.get_assertion(request_options(secrets.token_bytes(32)))
    with pytest.raises(InvalidAuthenticationResponse):
        webauthn.verify_authentication_response(
            credential=assertion,
            expected_challenge=secrets.token_bytes(32),
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=0,
        )


def test_with_several_keys_the_touched_one_is_used() -> None:
    idle, touched = SoftCtap2Device(touched=False), SoftCtap2Device()
    prompts: list[str] = []
    adapter(idle, touched, prompts=prompts).create_credential(creation_options(secrets.token_bytes(32)))
    assert PICK in prompts
    assert len(touched.credentials) == 1
    assert not idle.credentials
    assert idle.closed
    assert touched.closed


def test_with_several_keys_none_touched_is_cancelled() -> None:
    keys = [SoftCtap2Device(touched=False), SoftCtap2Device(touched=False)]
    authenticator = Fido2Authenticator(devices=lambda: keys, platform_api=False, notify=lambda _: None, timeout_ms=200)
    with pytest.raises(Cancelled):
        authenticator.get_assertion(request_options(secrets.token_bytes(32)))


def test_the_windows_webauthn_api_is_used_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for fido2.client.windows (which loads only on Windows) that reaches a software key."""
    from fido2.client import Fido2Client

    device = SoftCtap2Device()
    made: list[Any] = []

    class WindowsClient:
        def __init__(self, collector: Any) -> None:
            made.append(collector)
            self._client = Fido2Client(device, collector)

        @staticmethod
        def is_available() -> bool:
            return True

        def make_credential(self, options: Any, event: Any = None) -> Any:
            return self._client.make_credential(options, event)

        def get_assertion(self, options: Any, event: Any = None) -> Any:
            return self._client.get_assertion(options, event)

    fake = type(sys)("fido2.client.windows")
    fake.WindowsClient = WindowsClient  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fido2.client.windows", fake)
    monkeypatch.setattr(fido2_module, "_on_windows", lambda: True)
    prompts: list[str] = []
    authenticator = Fido2Authenticator(notify=prompts.append, devices=list)  # no USB key is looked for
    challenge = secrets.token_bytes(32)
    registration = authenticator.create_credential(creation_options(challenge))
    assert WINDOWS_PROMPT in prompts
    assert "transports" not in registration["response"]  # Windows does not say which authenticator it used
    webauthn.verify_registration_response(
        credential=registration, expected_challenge=challenge, expected_rp_id=RP_ID, expected_origin=ORIGIN
    )
    assert authenticator.get_assertion(request_options(secrets.token_bytes(32)))["id"] == registration["id"]
    assert len(made) == 2

    fake.WindowsClient.is_available = staticmethod(lambda: False)  # before 19H1
    with pytest.raises(NoAuthenticator):
        Fido2Authenticator(devices=list).get_assertion(request_options(secrets.token_bytes(32)))
    monkeypatch.setitem(sys.modules, "fido2.client.windows", None)  # the module cannot be imported
    with pytest.raises(NoAuthenticator):
        Fido2Authenticator(devices=list).get_assertion(request_options(secrets.token_bytes(32)))


def test_usb_keys_are_used_by_default_off_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fido2_module._on_windows() == (sys.platform == "win32")
    monkeypatch.setattr(fido2_module, "_on_windows", lambda: False)
    device = SoftCtap2Device()
    options = creation_options(secrets.token_bytes(32))
    del options["timeout"]  # the adapter's own bound applies
    Fido2Authenticator(devices=lambda: [device]).create_credential(options)
    assert len(device.credentials) == 1


def test_the_pin_prompt_and_a_key_that_fails_to_close() -> None:
    from fido2.ctap2.pin import ClientPin

    permission = ClientPin.PERMISSION.GET_ASSERTION
    assert fido2_module._interaction(print, lambda: "123456").request_pin(permission, RP_ID) == "123456"
    assert fido2_module._interaction(print, lambda: "").request_pin(permission, RP_ID) is None
    assert fido2_module._interaction(print, None).request_pin(permission, RP_ID) is None
    assert fido2_module._interaction(print, None).request_uv(permission, RP_ID)

    class Sticky(SoftCtap2Device):
        def close(self) -> None:
            raise OSError("busy")

    assert adapter(Sticky()).create_credential(creation_options(secrets.token_bytes(32)))["type"] == "public-key"


def test_public_keys_of_other_kinds_become_spki() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    numbers = p384.public_numbers()
    cose_p384 = {1: 2, 3: -35, -1: 2, -2: numbers.x.to_bytes(48, "big"), -3: numbers.y.to_bytes(48, "big")}
    assert fido2_module._spki(cose_p384) == p384.public_bytes(*spki)
    edwards = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = edwards.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert fido2_module._spki({1: 1, 3: -8, -1: 6, -2: raw}) == edwards.public_bytes(*spki)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    n, e = rsa_key.public_numbers().n, rsa_key.public_numbers().e
    cose_rsa = {1: 3, 3: -257, -1: n.to_bytes(256, "big"), -2: e.to_bytes(3, "big")}
    assert fido2_module._spki(cose_rsa) == rsa_key.public_bytes(*spki)
    assert fido2_module._spki({1: 4}) is None
    assert fido2_module._spki({1: 2, -1: 1, -2: b"\x00" * 32, -3: b"\x00" * 32}) is None  # not on the curve
    assert fido2_module._plain({"list": [b"\xff", 1, ("a",)]}) == {"list": ["_w", 1, ["a"]]}


# -- error paths ------------------------------------------------------------------------------------------------


def test_no_key_is_no_authenticator_with_what_to_do() -> None:
    with pytest.raises(NoAuthenticator, match="No security key found: plug one in and try again") as caught:
        adapter().create_credential(creation_options(secrets.token_bytes(32)))
    assert str(caught.value) == NO_KEY
    with pytest.raises(NoAuthenticator):
        adapter().get_assertion(request_options(secrets.token_bytes(32)))


def test_the_real_hid_listing_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from fido2.hid import CtapHidDevice

    monkeypatch.setattr(CtapHidDevice, "list_devices", classmethod(lambda cls: iter([])))
    with pytest.raises(NoAuthenticator):
        Fido2Authenticator(platform_api=False).get_assertion(request_options(secrets.token_bytes(32)))


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        (CtapError.ERR.OPERATION_DENIED, Cancelled, "declined"),
        (CtapError.ERR.USER_ACTION_TIMEOUT, Cancelled, "not touched in time"),
        (CtapError.ERR.KEEPALIVE_CANCEL, Cancelled, "cancelled"),
        (CtapError.ERR.KEY_STORE_FULL, PasskeyError, "full"),
        (CtapError.ERR.INVALID_CBOR, PasskeyError, "INVALID_CBOR"),
    ],
)
def test_a_key_that_refuses_raises_a_typed_error(code: int, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words) as caught:
        adapter(SoftCtap2Device(refuse=code)).create_credential(creation_options(secrets.token_bytes(32)))
    assert "Traceback" not in str(caught.value)


def test_an_excluded_credential_and_an_unknown_one_are_passkey_errors() -> None:
    device = SoftCtap2Device()
    authenticator = adapter(device)
    registration = authenticator.create_credential(creation_options(secrets.token_bytes(32)))
    with pytest.raises(PasskeyError, match="already holds a passkey"):
        authenticator.create_credential(creation_options(secrets.token_bytes(32), exclude=[registration["id"]]))
    with pytest.raises(PasskeyError, match="holds no passkey for this account"):
        authenticator.get_assertion(request_options(secrets.token_bytes(32), [b64url(b"another key's credential")]))


def test_a_key_with_a_pin_and_no_way_to_ask_for_it() -> None:
    device = SoftCtap2Device(uv=False, client_pin=True)
    with pytest.raises(PasskeyError, match="PIN"):
        adapter(device).create_credential(creation_options(secrets.token_bytes(32)))


def test_a_key_without_user_verification_when_the_service_requires_it() -> None:
    options = creation_options(secrets.token_bytes(32))
    options["authenticatorSelection"]["userVerification"] = "required"
    with pytest.raises(PasskeyError, match="cannot do what the service asks"):
        adapter(SoftCtap2Device(uv=False)).create_credential(options)


def test_a_key_that_goes_away_and_options_that_cannot_be_read() -> None:
    with pytest.raises(PasskeyError, match="did not answer"):
        adapter(SoftCtap2Device(unplugged=True)).create_credential(creation_options(secrets.token_bytes(32)))
    broken = creation_options(secrets.token_bytes(32))
    del broken["challenge"]
    with pytest.raises(PasskeyError, match="could not be read"):
        adapter(SoftCtap2Device()).create_credential(broken)
    with pytest.raises(PasskeyError, match=r"rp\.id"):
        adapter(SoftCtap2Device()).create_credential({"rp": {"name": "x"}})
    with pytest.raises(PasskeyError, match="rpId"):
        adapter(SoftCtap2Device()).get_assertion({"challenge": b64url(b"x")})


def test_an_origin_the_relying_party_id_does_not_cover_is_refused() -> None:
    with pytest.raises(PasskeyError, match="refused") as caught:
        adapter(SoftCtap2Device(), origin="https://evil.example").create_credential(
            creation_options(secrets.token_bytes(32))
        )
    assert "relying party" in str(caught.value)


def test_windows_errors_and_unplugged_keys_translate() -> None:
    from fido2 import client

    ClientError = cast(Any, client.ClientError)  # noqa: N806 - fido2's class, untyped constructor

    def windows(code: int) -> OSError:
        error = OSError("WebAuthn API failed")
        error.winerror = code - (1 << 32)  # type: ignore[attr-defined]  # ctypes gives HRESULTs signed
        return error

    assert isinstance(translate(ClientError(ClientError.ERR.OTHER_ERROR, windows(0x80090036))), Cancelled)
    assert "already holds" in str(translate(ClientError(ClientError.ERR.OTHER_ERROR, windows(0x8009000F))))
    assert "No passkey" in str(translate(ClientError(ClientError.ERR.OTHER_ERROR, windows(0x80090011))))
    assert "could not be reached" in str(translate(OSError(19, "No such device")))
    assert isinstance(translate(ClientError(ClientError.ERR.TIMEOUT)), Cancelled)
    assert "try another key" in str(translate(ClientError(ClientError.ERR.DEVICE_INELIGIBLE)))
    assert "failed" in str(translate(ClientError(ClientError.ERR.OTHER_ERROR, "odd\x1b[2Jthing")))
    assert "\x1b" not in str(translate(ClientError(ClientError.ERR.OTHER_ERROR, "odd\x1b[2Jthing")))
    assert "passkey request failed" in str(translate(RuntimeError("boom")))
    assert "no detail" in str(translate(ClientError(ClientError.ERR.OTHER_ERROR)))
    cancelled = Cancelled("no")
    assert translate(cancelled) is cancelled
    assert isinstance(translate(CtapError(CtapError.ERR.PIN_INVALID)), PasskeyError)
    assert "Wrong PIN" in str(translate(CtapError(CtapError.ERR.PIN_INVALID)))


def test_importing_the_adapter_and_loader_loads_no_fido2() -> None:
    code = (
        "import sys, aws_client_auth.adapters.webauthn.loader, aws_client_auth.adapters.webauthn.fido2_authenticator;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fido2', 'cryptography')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


# -- the loader -------------------------------------------------------------------------------------------------


def test_the_default_is_the_fido2_adapter() -> None:
    prompts: list[str] = []
    for name in ("fido2", "", " fido2 "):
        built = load_authenticator(name, {"origin": "https://app.example.com"}, prompts.append)
        assert isinstance(built, Fido2Authenticator)
        assert built.origin == "https://app.example.com"
        assert built.notify == prompts.append

    def pin() -> str:
        return "123456"

    built = load_authenticator("fido2", {}, prompts.append, request_pin=pin)
    assert isinstance(built, Fido2Authenticator)
    assert built.origin is None
    assert built.request_pin is pin


def test_a_module_factory_is_imported_by_path(tmp_path: Path) -> None:
    built = load_authenticator(
        "tests.software_authenticator:factory", {"store": str(tmp_path / "keys.json")}, lambda _: None
    )
    assert isinstance(built, SoftwareAuthenticator)
    assert built.store == tmp_path / "keys.json"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("no_such_package.module:factory", "could not be imported"),
        ("tests.software_authenticator:no_such_factory", "has no no_such_factory"),
        ("tests.software_authenticator:STORE_ENV", "not callable"),
        ("tests.software_authenticator:b64url", "could not be set up"),
        ("tests.software_authenticator:StoredCredential.cose_key", "could not be set up"),
        ("not a path:", "package.module:factory"),
        ("a:b:c", "package.module:factory"),
        ("no-such-authenticator", "Unknown authenticator 'no-such-authenticator'.*'fido2'"),
    ],
)
def test_what_cannot_be_loaded_is_a_configuration_error(name: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words) as caught:
        load_authenticator(name, {}, lambda _: None)
    assert "[passkeys] authenticator" in str(caught.value)


def test_a_factory_that_returns_something_else_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = type(sys)("not_an_authenticator")
    plugin.factory = lambda options, notify: {"options": options}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "not_an_authenticator", plugin)
    with pytest.raises(ConfigurationError, match="without create_credential"):
        load_authenticator("not_an_authenticator:factory", {}, lambda _: None)


def test_an_entry_point_is_found_by_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.metadata.entry_points
    points = [
        importlib.metadata.EntryPoint(name="software", value="tests.software_authenticator:factory", group=GROUP),
        importlib.metadata.EntryPoint(name="broken", value="no_such_package.module:factory", group=GROUP),
    ]

    def entry_points(**params: Any) -> Any:
        if params.get("group") == GROUP:
            return importlib.metadata.EntryPoints(points)
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    prompts: list[str] = []
    built = load_authenticator("software", {"store": str(tmp_path / "k.json")}, prompts.append)
    assert isinstance(built, SoftwareAuthenticator)
    assert built.notify == prompts.append
    with pytest.raises(ConfigurationError, match=r"'broken'.*could not be loaded"):
        load_authenticator("broken", {}, prompts.append)
    with pytest.raises(ConfigurationError, match="'broken', 'fido2', 'software'"):
        load_authenticator("other", {}, prompts.append)


def test_a_factorys_own_typed_error_passes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def refusing(options: Mapping[str, str], notify: Callable[[str], None]) -> Any:
        raise NoAuthenticator("No security key found: plug one in and try again.")

    plugin = type(sys)("refusing_factory_module")
    plugin.factory = refusing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "refusing_factory_module", plugin)
    with pytest.raises(NoAuthenticator):
        load_authenticator("refusing_factory_module:factory", {}, lambda _: None)
