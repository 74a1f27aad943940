"""The default authenticator: the ``fido2`` library, with a roaming security key over USB HID on every
platform, and the Windows WebAuthn API on Windows (which also reaches Windows Hello, NFC and Bluetooth keys,
and without which Windows lets only administrators talk to a key directly).

Options come in, and answers go out, in WebAuthn's JSON forms; ``fido2``'s types are used in between. The
client's origin is ``https://<rp id>`` unless configured: a native application has no web origin of its own, and
Cognito checks the origin against its relying party. ``fido2`` is imported inside the methods, so nothing heavy
loads when the CLI starts.

Every failure is a typed error with a message that says what to do: no key present (``NoAuthenticator``), the
user declined or did not touch the key in time (``Cancelled``), anything the key or the platform refused
(``PasskeyError``). No PIN ever appears in a message or a log.
"""

from __future__ import annotations

import base64
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from aws_client_auth.domain.errors import Cancelled, ClientAuthError, NoAuthenticator, PasskeyError
from aws_client_auth.domain.text import clean

if TYPE_CHECKING:
    from fido2.client import ClientDataCollector, ClientError, UserInteraction, WebAuthnClient
    from fido2.ctap import CtapDevice
    from fido2.webauthn import AttestationObject

log = logging.getLogger(__name__)

Notify = Callable[[str], None]
PinPrompt = Callable[[], "str | None"]
DeviceLister = Callable[[], "Iterable[CtapDevice]"]

DEFAULT_TIMEOUT_MS = 120_000
NO_KEY = (
    "No security key found: plug one in and try again. (Over USB; on Linux the key must be accessible to "
    "this user, which the key maker's udev rules or the libfido2 package set up.)"
)
TOUCH = "Touch your security key."
PICK = "Several security keys found: touch the one to use."
WINDOWS_PROMPT = "Follow the Windows Security prompt to use your passkey."
CANCELLED = "The passkey request was cancelled, or the security key was not touched in time."

# HRESULTs of the Windows WebAuthn API (webauthn.h maps them to the DOMExceptions browsers raise).
_WINDOWS_CANCELLED = {0x80090036, 0x800704C7, 0x800705B4}  # NTE_USER_CANCELLED, ERROR_CANCELLED, ERROR_TIMEOUT
_WINDOWS_EXISTS = 0x8009000F  # NTE_EXISTS: a credential in excludeCredentials is on the authenticator
_WINDOWS_NOT_FOUND = 0x80090011  # NTE_NOT_FOUND: none of allowCredentials is


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Fido2Authenticator:
    """An ``Authenticator`` over ``fido2``.

    ``notify`` receives the prompts to show the user (touch the key, pick a key; the CLI writes them to stderr),
    ``request_pin`` is asked for the key's PIN when the key needs one (None: a key with a PIN cannot be used
    here, and the error says so). ``devices`` and ``platform_api`` are for tests and special set-ups: the USB
    devices to use (default: every CTAP HID device) and whether to use the Windows WebAuthn API (default: on
    Windows, when it is available).
    """

    def __init__(
        self,
        *,
        origin: str | None = None,
        notify: Notify | None = None,
        request_pin: PinPrompt | None = None,
        devices: DeviceLister | None = None,
        platform_api: bool | None = None,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
    ) -> None:
        self.origin = origin
        self.notify: Notify = notify or log.info
        self.request_pin = request_pin
        self._devices = devices
        self._platform_api = platform_api
        self.timeout_ms = timeout_ms

    # -- the port ----------------------------------------------------------------------------------------------

    def create_credential(self, options: Mapping[str, Any]) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialCreationOptions

        rp = options.get("rp")
        rp_id = rp.get("id") if isinstance(rp, Mapping) else None
        if not isinstance(rp_id, str) or not rp_id:
            raise PasskeyError("The service's passkey options name no relying party (rp.id).")
        parsed = _parse(PublicKeyCredentialCreationOptions, self._with_timeout(options))

        def make(client: WebAuthnClient) -> dict[str, Any]:
            return registration_json(client.make_credential(parsed), self._transports(client))

        return self._run(rp_id, make)

    def get_assertion(self, options: Mapping[str, Any]) -> dict[str, Any]:
        from fido2.webauthn import PublicKeyCredentialRequestOptions

        rp_id = options.get("rpId")
        if not isinstance(rp_id, str) or not rp_id:
            raise PasskeyError("The service's passkey request names no relying party (rpId).")
        parsed = _parse(PublicKeyCredentialRequestOptions, self._with_timeout(options))

        def sign(client: WebAuthnClient) -> dict[str, Any]:
            selection = client.get_assertion(parsed)
            return authentication_json(selection.get_response(0))

        return self._run(rp_id, sign)

    # -- the clients -------------------------------------------------------------------------------------------

    def _run(self, rp_id: str, action: Callable[[WebAuthnClient], dict[str, Any]]) -> dict[str, Any]:
        from fido2.client import DefaultClientDataCollector

        collector = DefaultClientDataCollector(self.origin or f"https://{rp_id}")
        try:
            if self._use_platform_api():
                return action(self._windows_client(collector))
            devices = self._list_devices()
            try:
                return action(self._select(devices, collector))
            finally:
                for device in devices:
                    _close(device)
        except (PasskeyError, Cancelled):
            raise
        except Exception as error:  # every failure becomes a typed error with a clean message
            raise translate(error) from error

    def _use_platform_api(self) -> bool:
        if self._platform_api is not None:
            return self._platform_api
        if not _on_windows():
            return False
        try:
            from fido2.client.windows import WindowsClient
        except (ImportError, OSError):
            return False
        return bool(WindowsClient.is_available())

    def _windows_client(self, collector: ClientDataCollector) -> WebAuthnClient:
        from fido2.client.windows import WindowsClient

        self.notify(WINDOWS_PROMPT)
        return cast("WebAuthnClient", WindowsClient(collector))

    def _list_devices(self) -> list[CtapDevice]:
        if self._devices is not None:
            found = list(self._devices())
        else:
            from fido2.hid import CtapHidDevice

            found = list(CtapHidDevice.list_devices())
        if not found:
            raise NoAuthenticator(NO_KEY)
        return found

    def _select(self, devices: list[CtapDevice], collector: ClientDataCollector) -> WebAuthnClient:
        """A client for the one key, or for the key the user touches when there are several."""
        from fido2.client import Fido2Client

        interaction = _interaction(self.notify, self.request_pin)
        clients: list[Fido2Client] = []
        for device in devices:
            try:
                clients.append(Fido2Client(device, collector, interaction))
            except Exception as error:  # noqa: BLE001 - one broken device must not hide a working one
                log.warning("A security key could not be used: %s", _describe(error))
        if not clients:
            raise PasskeyError("The security key did not answer: unplug it, plug it in again and retry.")
        if len(clients) == 1:
            return clients[0]
        self.notify(PICK)
        return _touched(clients, self.timeout_ms / 1000)

    def _with_timeout(self, options: Mapping[str, Any]) -> Mapping[str, Any]:
        if options.get("timeout"):
            return options
        return {**options, "timeout": self.timeout_ms}

    def _transports(self, client: WebAuthnClient) -> list[str] | None:
        from fido2.client import Fido2Client

        return ["usb"] if isinstance(client, Fido2Client) else None


def _on_windows() -> bool:
    return sys.platform == "win32"


def _touched(clients: list[Any], timeout: float) -> WebAuthnClient:
    """The client whose key is touched first (CTAP 2.1 selection, or a dummy request on older keys)."""
    event = threading.Event()
    lock = threading.Lock()
    chosen: list[WebAuthnClient] = []

    def wait_for_touch(client: Any) -> None:
        try:
            client.selection(event)
        except Exception:  # noqa: BLE001 - a key not touched, or cancelled once another one was
            return
        with lock:
            if not chosen:
                chosen.append(client)
                event.set()

    threads = [threading.Thread(target=wait_for_touch, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    event.wait(timeout)
    event.set()
    for thread in threads:
        thread.join(timeout=5)
    if not chosen:
        raise Cancelled(CANCELLED)
    return chosen[0]


def _interaction(notify: Notify, request_pin: PinPrompt | None) -> UserInteraction:
    from fido2.client import UserInteraction
    from fido2.ctap2.pin import ClientPin

    class Prompts(UserInteraction):
        def prompt_up(self) -> None:
            notify(TOUCH)

        def request_pin(self, permissions: ClientPin.PERMISSION, rp_id: str | None) -> str | None:
            if request_pin is None:
                return None
            return request_pin() or None

        def request_uv(self, permissions: ClientPin.PERMISSION, rp_id: str | None) -> bool:
            return True

    return Prompts()


def _close(device: CtapDevice) -> None:
    try:
        device.close()
    except Exception:  # closing is best effort
        log.debug("Closing a security key failed", exc_info=True)


def _parse(kind: Any, options: Mapping[str, Any]) -> Any:
    try:
        return kind.from_dict(options)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise PasskeyError(f"The service's passkey options could not be read ({_describe(error)}).") from error


# -- fido2's answers as WebAuthn JSON --------------------------------------------------------------------------


def registration_json(response: Any, transports: list[str] | None = None) -> dict[str, Any]:
    """``RegistrationResponseJSON`` for a ``fido2.webauthn.RegistrationResponse``, with the Level 3 fields
    (``authenticatorData``, ``publicKeyAlgorithm``, ``publicKey``, ``transports``) a relying party may read."""
    document: dict[str, Any] = _plain(response)
    body = document["response"]
    attestation: AttestationObject = response.response.attestation_object
    auth_data = attestation.auth_data
    body["authenticatorData"] = b64url(bytes(auth_data))
    credential = auth_data.credential_data
    if credential is not None:
        cose = dict(credential.public_key)
        algorithm = cose.get(3)
        if isinstance(algorithm, int):
            body["publicKeyAlgorithm"] = algorithm
        spki = _spki(cose)
        if spki is not None:
            body["publicKey"] = b64url(spki)
    if transports:
        body["transports"] = list(transports)
    document.setdefault("clientExtensionResults", {})
    return document


def authentication_json(response: Any) -> dict[str, Any]:
    """``AuthenticationResponseJSON`` for a ``fido2.webauthn.AuthenticationResponse``."""
    document: dict[str, Any] = _plain(response)
    document.setdefault("clientExtensionResults", {})
    return document


def _plain(value: Any) -> Any:
    """JSON types only: mappings as dicts, bytes as unpadded base64url, fido2's string enums as str."""
    if isinstance(value, bytes):
        return b64url(bytes(value))
    if isinstance(value, Mapping):
        return {str(key): _plain(value[key]) for key in value}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str.__str__(value)
    return value


def _spki(cose: Mapping[int, Any]) -> bytes | None:
    """The COSE public key as DER SubjectPublicKeyInfo (EC2, OKP Ed25519, RSA); None for another kind."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    curves: dict[int, ec.EllipticCurve] = {1: ec.SECP256R1(), 2: ec.SECP384R1(), 3: ec.SECP521R1()}
    try:
        key: Any
        kty = cose.get(1)
        if kty == 2 and cose.get(-1) in curves:
            x = int.from_bytes(cose[-2], "big")
            y = int.from_bytes(cose[-3], "big")
            key = ec.EllipticCurvePublicNumbers(x, y, curves[cose[-1]]).public_key()
        elif kty == 1 and cose.get(-1) == 6:
            key = ed25519.Ed25519PublicKey.from_public_bytes(cose[-2])
        elif kty == 3:
            key = rsa.RSAPublicNumbers(int.from_bytes(cose[-2], "big"), int.from_bytes(cose[-1], "big")).public_key()
        else:
            return None
        return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    except (ValueError, TypeError, KeyError):
        return None


# -- errors ----------------------------------------------------------------------------------------------------


def translate(error: BaseException) -> ClientAuthError:
    """A typed error, with a message that says what to do, for whatever fido2 or the platform raised."""
    from fido2.client import ClientError, PinRequiredError
    from fido2.ctap import CtapError

    if isinstance(error, PasskeyError | Cancelled):
        return error
    if isinstance(error, PinRequiredError):
        return PasskeyError(
            "This security key is protected by a PIN, and no PIN can be asked for here: "
            "run the command on a terminal to be asked for it."
        )
    if isinstance(error, CtapError):
        return _from_ctap(error.code) or PasskeyError(f"The security key refused the request ({_describe(error)}).")
    if isinstance(error, ClientError):
        return _from_client_error(error)
    if isinstance(error, OSError):
        return _from_windows(error) or PasskeyError(
            f"The security key could not be reached ({_describe(error)}): plug it in again and retry."
        )
    return PasskeyError(f"The passkey request failed ({_describe(error)}).")


def _from_client_error(error: ClientError) -> ClientAuthError:
    from fido2.client import ClientError
    from fido2.ctap import CtapError

    cause = error.cause
    found: ClientAuthError | None = None
    if isinstance(cause, CtapError):
        found = _from_ctap(cause.code)
    elif isinstance(cause, OSError):
        found = _from_windows(cause)
    if found is not None:
        return found
    code = error.code
    if code == ClientError.ERR.TIMEOUT:
        return Cancelled(CANCELLED)
    if code == ClientError.ERR.DEVICE_INELIGIBLE:
        return PasskeyError("This security key cannot be used for this request: try another key.")
    if code == ClientError.ERR.CONFIGURATION_UNSUPPORTED:
        return PasskeyError(
            f"The security key cannot do what the service asks ({_describe(cause)}). A key may need a PIN "
            "set up first (with the key maker's tool) to verify its user."
        )
    if code == ClientError.ERR.BAD_REQUEST:
        detail = _describe(cause) if cause is not None else "the relying party id does not match the origin"
        return PasskeyError(f"The passkey request was refused ({detail}).")
    return PasskeyError(f"The security key failed ({_describe(cause)}).")


def _from_ctap(code: int) -> ClientAuthError | None:
    from fido2.ctap import CtapError

    err = CtapError.ERR
    messages: dict[int, ClientAuthError] = {
        err.CREDENTIAL_EXCLUDED: PasskeyError("This security key already holds a passkey for this account."),
        err.NO_CREDENTIALS: PasskeyError(
            "This security key holds no passkey for this account: use the key you registered, or register this one."
        ),
        err.OPERATION_DENIED: Cancelled("The passkey request was declined on the security key."),
        err.KEEPALIVE_CANCEL: Cancelled(CANCELLED),
        err.ACTION_TIMEOUT: Cancelled(CANCELLED),
        err.USER_ACTION_TIMEOUT: Cancelled(CANCELLED),
        err.PIN_INVALID: PasskeyError("Wrong PIN for the security key: try again (it locks after several)."),
        err.PIN_AUTH_BLOCKED: PasskeyError("Too many wrong PINs: unplug the security key, plug it in again, retry."),
        err.PIN_BLOCKED: PasskeyError("The security key's PIN is blocked: the key must be reset to be used again."),
        err.PIN_NOT_SET: PasskeyError("The security key has no PIN: set one with the key maker's tool, then retry."),
        err.UV_BLOCKED: PasskeyError("The security key's fingerprint check is blocked: use its PIN instead."),
        err.UNSUPPORTED_ALGORITHM: PasskeyError("The security key supports none of the algorithms the service asks."),
        err.KEY_STORE_FULL: PasskeyError("The security key is full: delete a passkey from it, then retry."),
    }
    return messages.get(code)


def _from_windows(error: OSError) -> ClientAuthError | None:
    code = getattr(error, "winerror", None)
    if not isinstance(code, int):
        return None
    code &= 0xFFFFFFFF
    if code in _WINDOWS_CANCELLED:
        return Cancelled(CANCELLED)
    if code == _WINDOWS_EXISTS:
        return PasskeyError("This authenticator already holds a passkey for this account.")
    if code == _WINDOWS_NOT_FOUND:
        return PasskeyError("No passkey for this account was found on the authenticator used.")
    return None


def _describe(error: object) -> str:
    from fido2.ctap import CtapError

    if error is None:
        return "no detail"
    if isinstance(error, CtapError):
        code = error.code
        return clean(getattr(code, "name", None) or f"CTAP error 0x{int(code):02x}", 80)
    if isinstance(error, OSError) and error.strerror:
        return clean(error.strerror, 120)
    if isinstance(error, BaseException):
        text = str(error)
        return clean(f"{type(error).__name__}: {text}" if text else type(error).__name__, 160)
    return clean(error, 160)
