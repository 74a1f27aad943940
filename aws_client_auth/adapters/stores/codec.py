"""A profile's sessions as JSON and back. The text holds secrets, so only the stores' 0600 files and the OS
keychain ever see it.

A profile keeps one session per *scope*: the user pool, app client, identity pool and endpoint it was made with
(version 2). So a person who switches one profile between a staging and a production configuration finds each
session intact, and one configuration never serves, refreshes or deletes another's tokens or credentials::

    {"version": 2, "sessions": {"<scope>": {"tokens": ..., "pending": ..., ...}}}

A version-1 file (one session for the whole profile, written before scopes existed) is read as the session of a
scope only when its Cognito ID token was issued by that scope's user pool to its app client (the claims of our
own file, not a verification); it is rewritten as that scope's on the next save. A version-1 session that cannot
be tied to a configuration that way is not served to any: signing in again replaces it.

A pending challenge is written in the domain's words (``totp_code``, ``select_mfa_type``; MFA methods ``sms``,
``totp``, ``email``). Files written before kept Cognito's names (``SOFTWARE_TOKEN_MFA``, ``SMS_MFA``), in
version 1 and version 2 alike: both are read, and rewritten in the domain's words on the next save. Fields
added since (a code delivery's attribute, an MFA set-up's session, a remembered device, the devices kept per
user) are optional on read.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Pending, Session
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    ChallengeKind,
    CodeDelivery,
    DeviceAuthorization,
    MfaSetup,
    SignUpSession,
)
from aws_client_auth.domain.tokens import ProviderName, Tokens
from aws_client_auth.domain.user import MfaType, RememberedDevice

VERSION = 2
_SINGLE_SESSION_VERSION = 1
log = logging.getLogger(__name__)
_STORED_KINDS = {kind.value: kind for kind in ChallengeKind} | {
    # what earlier versions stored: Cognito's challenge names
    "SMS_MFA": ChallengeKind.SMS_CODE,
    "SOFTWARE_TOKEN_MFA": ChallengeKind.TOTP_CODE,
    "EMAIL_OTP": ChallengeKind.EMAIL_CODE,
    "NEW_PASSWORD_REQUIRED": ChallengeKind.NEW_PASSWORD_REQUIRED,
    "MFA_SETUP": ChallengeKind.MFA_SETUP,
    "SELECT_MFA_TYPE": ChallengeKind.SELECT_MFA_TYPE,
}
_STORED_MFA_TYPES = {kind.value: kind for kind in MfaType} | {
    # what earlier versions stored: Cognito's MFA names
    "SMS_MFA": MfaType.SMS,
    "SOFTWARE_TOKEN_MFA": MfaType.TOTP,
    "EMAIL_OTP": MfaType.EMAIL,
}


def read_scoped(document: Any, scope: str) -> Session:
    """The session of ``scope`` in a profile document (an empty one if it has none).

    Raises StorageError (never KeyError or TypeError) for anything that is not a document we wrote.
    """
    if _is_single_session(document):
        session = decode(document)
        if _issued_for(session, scope):
            log.info("Reading a version-1 session file as the session of this configuration.")
            return session
        log.warning("A version-1 session file was not made with this configuration's pools: it is not used.")
        return Session()
    entry = _sessions(document).get(scope)
    return Session() if entry is None else decode(entry)


def write_scoped(document: Any, scope: str, session: Session | None) -> dict[str, Any] | None:
    """The profile document with ``scope``'s session replaced (or removed, for None or an empty session).

    ``document`` is what the store holds now (None when nothing): the other scopes' sessions are kept as they
    are. Returns None when no session is left, so the store can delete its entry.
    """
    sessions = {} if document is None or _is_single_session(document) else dict(_sessions(document))
    if session is None or session.is_empty:
        sessions.pop(scope, None)
    else:
        sessions[scope] = encode(session)
    return {"version": VERSION, "sessions": sessions} if sessions else None


def scopes(document: Any) -> list[str]:
    return sorted(_sessions(document)) if not _is_single_session(document) else []


def is_readable(document: Any, scope: str | None = None) -> bool:
    """Whether ``document`` is in a format this version reads (and, given ``scope``, whether that scope's entry
    reads too): a store replaces what is not, after keeping it aside where it can."""
    try:
        if scope is None:
            scopes(document)
        else:
            read_scoped(document, scope)
    except StorageError:
        return False
    return True


def _issued_for(session: Session, scope: str) -> bool:
    """Whether the session's Cognito ID token names the scope's user pool (``iss``) and app client (``aud``)."""
    cognito = session.tokens.get(ProviderName("cognito"))
    if cognito is None or cognito.id_token is None:
        return False
    pool, _, rest = scope.partition("/")
    client = rest.partition("/")[0]
    from aws_client_auth.adapters.jwt_claims import unverified_claims  # only for version-1 files

    claims = unverified_claims(cognito.id_token.reveal())
    return str(claims.get("iss", "")).rsplit("/", 1)[-1] == pool and claims.get("aud") == client


def _is_single_session(document: Any) -> bool:
    return isinstance(document, dict) and document.get("version") == _SINGLE_SESSION_VERSION


def _sessions(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise StorageError("unknown format or version")
    sessions = document.get("sessions")
    if not isinstance(sessions, dict) or not all(isinstance(k, str) for k in sessions):
        raise StorageError("the stored sessions are malformed")
    return sessions


def encode(session: Session) -> dict[str, Any]:
    """One session (the value under its scope)."""
    return {
        "tokens": {name: _tokens(t) for name, t in session.tokens.items()},
        "pending": _pending(session.pending),
        "authenticated_identity_id": session.authenticated_identity_id,
        "guest_identity_id": session.guest_identity_id,
        "credentials": _credentials(session.credentials),
        "linked_logins": sorted(session.linked_logins),
        "devices": {entry: _device(device) for entry, device in session.devices.items()},
        **({"sign_up": _sign_up(session.sign_up)} if session.sign_up is not None else {}),
    }


def decode(data: Any) -> Session:
    """Raises StorageError (never KeyError or TypeError) for anything that is not a session we wrote."""
    try:
        if not isinstance(data, dict) or data.get("version", _SINGLE_SESSION_VERSION) != _SINGLE_SESSION_VERSION:
            raise ValueError("unknown format or version")
        return Session(
            tokens={ProviderName(name): _read_tokens(name, t) for name, t in data["tokens"].items()},
            pending=_readable_pending(data.get("pending")),
            authenticated_identity_id=_optional_str(data.get("authenticated_identity_id")),
            guest_identity_id=_optional_str(data.get("guest_identity_id")),
            credentials=_read_credentials(data.get("credentials")),
            linked_logins=frozenset(str(k) for k in data.get("linked_logins", [])),
            devices=_read_devices(data.get("devices", {})),
            sign_up=_read_sign_up(data.get("sign_up")),
        )
    except StorageError:
        raise
    except Exception as error:  # noqa: BLE001 - any shape error in foreign data is one kind of failure here
        raise StorageError(f"the stored session is malformed ({type(error).__name__})") from None


def _reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret is not None else None


def _secret(value: Any) -> Secret | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("secret is not a string")
    return Secret(value)


def _required_secret(value: Any) -> Secret:
    secret = _secret(value)
    if secret is None:
        raise TypeError("missing secret")
    return secret


def _optional_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _required_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("time is not a string")
    return datetime.fromisoformat(value)


def _tokens(t: Tokens) -> dict[str, Any]:
    return {
        "access_token": t.access_token.reveal(),
        "id_token": _reveal(t.id_token),
        "refresh_token": _reveal(t.refresh_token),
        "expires_at": t.expires_at.isoformat(),
        "username": t.username,
        "subject": t.subject,
        "device": _device(t.device),
    }


def _read_tokens(name: str, data: dict[str, Any]) -> Tokens:
    return Tokens(
        provider=ProviderName(name),
        access_token=_required_secret(data["access_token"]),
        id_token=_secret(data.get("id_token")),
        refresh_token=_secret(data.get("refresh_token")),
        expires_at=_time(data["expires_at"]),
        username=_optional_str(data.get("username")),
        subject=_optional_str(data.get("subject")),
        device=_read_device(data.get("device")),
    )


def _device(device: RememberedDevice | None) -> dict[str, Any] | None:
    if device is None:
        return None
    return {
        "key": device.key,
        "group_key": device.group_key.reveal(),
        "password": device.password.reveal(),
        "remembered": device.remembered,
    }


def _read_device(data: Any) -> RememberedDevice | None:
    if data is None:
        return None
    remembered = data.get("remembered", False)
    if not isinstance(remembered, bool):
        raise TypeError("remembered is not a boolean")
    return RememberedDevice(
        key=_required_str(data["key"]),
        group_key=_required_secret(data["group_key"]),
        password=_required_secret(data["password"]),
        remembered=remembered,
    )


def _sign_up(kept: SignUpSession) -> dict[str, Any]:
    return {"username": kept.username, "session": kept.session.reveal(), "issued_at": kept.issued_at.isoformat()}


def _read_sign_up(data: Any) -> SignUpSession | None:
    if data is None:
        return None
    return SignUpSession(
        username=_required_str(data["username"]),
        session=_required_secret(data["session"]),
        issued_at=_time(data["issued_at"]),
    )


def _read_devices(data: Any) -> dict[str, RememberedDevice]:
    """This machine's remembered devices, by provider and login (absent from files written before them)."""
    devices: dict[str, RememberedDevice] = {}
    for entry, value in data.items():
        device = _read_device(value)
        if device is None:
            raise TypeError("a kept device is empty")
        devices[_required_str(entry)] = device
    return devices


def _credentials(c: Credentials | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "access_key_id": c.access_key_id,
        "secret_key": c.secret_key.reveal(),
        "session_token": c.session_token.reveal(),
        "expiration": c.expiration.isoformat(),
        "identity_id": c.identity_id,
        "authenticated": c.authenticated,
        "issued_at": c.issued_at.isoformat() if c.issued_at else None,
    }


def _read_credentials(data: Any) -> Credentials | None:
    if data is None:
        return None
    return Credentials(
        access_key_id=str(data["access_key_id"]),
        secret_key=_required_secret(data["secret_key"]),
        session_token=_required_secret(data["session_token"]),
        expiration=_time(data["expiration"]),
        identity_id=str(data["identity_id"]),
        authenticated=bool(data["authenticated"]),
        issued_at=_time(data["issued_at"]) if data.get("issued_at") else None,
    )


def _pending(pending: Pending | None) -> dict[str, Any] | None:
    if isinstance(pending, DeviceAuthorization):
        return {
            "type": "device",
            "provider": pending.provider,
            "user_code": pending.user_code,
            "verification_uri": pending.verification_uri,
            "verification_uri_complete": pending.verification_uri_complete,
            "expires_at": pending.expires_at.isoformat(),
            "interval": pending.interval,
            "device_code": pending.device_code.reveal(),
        }
    if isinstance(pending, Challenge):
        return {
            "type": "challenge",
            "provider": pending.provider,
            "kind": pending.kind.value,
            "username": pending.username,
            "session": pending.session.reveal(),
            "delivery": _delivery(pending.delivery),
            "options": [o.value for o in pending.options],
            "mfa_setup": _mfa_setup(pending.mfa_setup),
            "parameters": dict(pending.parameters),
            "device": _device(pending.device),
            **({"factors": [f.value for f in pending.factors]} if pending.factors else {}),
            **({"public": dict(pending.public)} if pending.public else {}),
            **({"passkey_request": pending.passkey_request} if pending.passkey_request is not None else {}),
        }
    return None


def _readable_pending(data: Any) -> Pending | None:
    """The pending step, or none when it cannot be read (a kind another version of this client wrote, a damaged
    entry): a step waiting for an answer is worth less than the tokens beside it, which stay usable; the next
    sign-in starts afresh."""
    try:
        return _read_pending(data)
    except Exception as error:  # noqa: BLE001 - any shape error in foreign data drops the step, not the session
        log.warning(
            "The pending sign-in step kept here cannot be read (%s); it is dropped: sign in again.",
            type(error).__name__,
        )
        return None


def _read_pending(data: Any) -> Pending | None:
    if data is None:
        return None
    if data["type"] == "device":
        return DeviceAuthorization(
            provider=ProviderName(data["provider"]),
            user_code=str(data["user_code"]),
            verification_uri=str(data["verification_uri"]),
            verification_uri_complete=_optional_str(data.get("verification_uri_complete")),
            expires_at=_time(data["expires_at"]),
            interval=int(data["interval"]),
            device_code=_required_secret(data["device_code"]),
        )
    if data["type"] != "challenge":
        raise ValueError("unknown pending step")
    return Challenge(
        provider=ProviderName(data["provider"]),
        kind=_STORED_KINDS[data["kind"]],
        username=str(data["username"]),
        session=_required_secret(data["session"]),
        delivery=_read_delivery(data.get("delivery")),
        options=tuple(_STORED_MFA_TYPES[o] for o in data.get("options", [])),
        mfa_setup=_read_mfa_setup(data.get("mfa_setup")),
        parameters={str(k): str(v) for k, v in data.get("parameters", {}).items()},
        device=_read_device(data.get("device")),
        factors=tuple(AuthFactor(f) for f in data.get("factors", [])),
        public={str(k): str(v) for k, v in data.get("public", {}).items()},
        passkey_request=_optional_str(data.get("passkey_request")),
    )


def _delivery(delivery: CodeDelivery | None) -> dict[str, Any] | None:
    if delivery is None:
        return None
    return {"medium": delivery.medium, "destination": delivery.destination, "attribute": delivery.attribute}


def _read_delivery(data: Any) -> CodeDelivery | None:
    if data is None:
        return None
    return CodeDelivery(str(data["medium"]), str(data["destination"]), _optional_str(data.get("attribute")))


def _mfa_setup(setup: MfaSetup | None) -> dict[str, Any] | None:
    if setup is None:
        return None
    return {
        "secret": setup.secret.reveal(),
        "otpauth_uri": setup.otpauth_uri.reveal(),
        "session": _reveal(setup.session),
    }


def _read_mfa_setup(data: Any) -> MfaSetup | None:
    if data is None:
        return None
    return MfaSetup(
        secret=_required_secret(data["secret"]),
        otpauth_uri=_required_secret(data["otpauth_uri"]),
        session=_secret(data.get("session")),
    )
