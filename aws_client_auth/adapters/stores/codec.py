"""A session as JSON and back. The file holds secrets, so only the stores' 0600 files ever see this text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import StorageError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Pending, Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, CodeDelivery, DeviceAuthorization, MfaSetup
from aws_client_auth.domain.tokens import ProviderName, Tokens
from aws_client_auth.domain.user import MfaType

VERSION = 1


def encode(session: Session) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tokens": {name: _tokens(t) for name, t in session.tokens.items()},
        "pending": _pending(session.pending),
        "authenticated_identity_id": session.authenticated_identity_id,
        "guest_identity_id": session.guest_identity_id,
        "credentials": _credentials(session.credentials),
        "linked_logins": sorted(session.linked_logins),
    }


def decode(data: Any) -> Session:
    """Raises StorageError (never KeyError or TypeError) for anything that is not a session we wrote."""
    try:
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("unknown format or version")
        return Session(
            tokens={ProviderName(name): _read_tokens(name, t) for name, t in data["tokens"].items()},
            pending=_read_pending(data.get("pending")),
            authenticated_identity_id=_optional_str(data.get("authenticated_identity_id")),
            guest_identity_id=_optional_str(data.get("guest_identity_id")),
            credentials=_read_credentials(data.get("credentials")),
            linked_logins=frozenset(str(k) for k in data.get("linked_logins", [])),
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
    )


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
        setup = pending.mfa_setup
        return {
            "type": "challenge",
            "provider": pending.provider,
            "kind": pending.kind.value,
            "username": pending.username,
            "session": pending.session.reveal(),
            "delivery": None
            if pending.delivery is None
            else {"medium": pending.delivery.medium, "destination": pending.delivery.destination},
            "options": [o.value for o in pending.options],
            "mfa_setup": None
            if setup is None
            else {"secret": setup.secret.reveal(), "otpauth_uri": setup.otpauth_uri.reveal()},
            "parameters": dict(pending.parameters),
        }
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
    delivery = data.get("delivery")
    setup = data.get("mfa_setup")
    return Challenge(
        provider=ProviderName(data["provider"]),
        kind=ChallengeKind(data["kind"]),
        username=str(data["username"]),
        session=_required_secret(data["session"]),
        delivery=None if delivery is None else CodeDelivery(str(delivery["medium"]), str(delivery["destination"])),
        options=tuple(MfaType(o) for o in data.get("options", [])),
        mfa_setup=None
        if setup is None
        else MfaSetup(secret=_required_secret(setup["secret"]), otpauth_uri=_required_secret(setup["otpauth_uri"])),
        parameters={str(k): str(v) for k, v in data.get("parameters", {}).items()},
    )
