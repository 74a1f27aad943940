"""The shapes of results as data: what `client-auth --json` prints and what the JSON-RPC server answers.

One module for both faces, so that a script switching from the CLI to the server finds the same fields. Values
stay exact here (the JSON encoder escapes them); the faces decide what to mask and what to show on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_client_auth.application.queries import Status
from aws_client_auth.domain.sign_in import Challenge, CodeDelivery, DeviceAuthorization, MfaSetup, Passkey
from aws_client_auth.domain.tokens import Tokens
from aws_client_auth.domain.user import TrackedDevice


def when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def expired(moment: datetime | None, now: datetime | None = None) -> bool:
    """Whether ``moment`` has passed (a refresh token may still renew what expired)."""
    return moment is not None and moment <= (now or datetime.now(UTC))


def tokens_data(tokens: Tokens) -> dict[str, Any]:
    return {"provider": tokens.provider, "username": tokens.username, "expires_at": when(tokens.expires_at)}


def delivery_data(delivery: CodeDelivery | None) -> dict[str, str] | None:
    return {"medium": delivery.medium, "destination": delivery.destination} if delivery else None


def attribute_delivery_data(delivery: CodeDelivery) -> dict[str, str | None]:
    """Where a verification code for a changed attribute went, and for which attribute."""
    return {"medium": delivery.medium, "destination": delivery.destination, "attribute": delivery.attribute}


def tracked_device_data(device: TrackedDevice) -> dict[str, Any]:
    """A device the user pool tracks for the user; ``this_device`` marks this machine."""
    return {
        "key": device.key,
        "name": device.name,
        "remembered": device.remembered,
        "created_at": when(device.created_at),
        "last_authenticated_at": when(device.last_authenticated_at),
        "last_ip": device.last_ip,
        "this_device": device.this_device,
    }


def mfa_setup_data(setup: MfaSetup) -> dict[str, Any]:
    """The TOTP secret and its URI, revealed: the user must copy them into an authenticator app."""
    return {"secret": setup.secret.reveal(), "otpauth_uri": setup.otpauth_uri.reveal()}


def challenge_data(challenge: Challenge) -> dict[str, Any]:
    """A challenge to answer, with an MFA set-up's secret where there is one (see :func:`mfa_setup_data`)."""
    data: dict[str, Any] = {
        "status": "challenge",
        "provider": challenge.provider,
        "challenge": challenge.kind.value,
        "prompt": challenge.prompt,
    }
    if challenge.delivery:
        data["delivery"] = delivery_data(challenge.delivery)
    if challenge.options:
        data["options"] = [o.value for o in challenge.options]
    if challenge.factors:
        data["factors"] = [f.value for f in challenge.factors]
    if challenge.public:
        data["parameters"] = dict(challenge.public)
    if challenge.mfa_setup:
        data |= mfa_setup_data(challenge.mfa_setup)
    return data


def device_data(authorization: DeviceAuthorization) -> dict[str, Any]:
    """The code to show for a device sign-in; never the device code behind it."""
    return {
        "status": "pending",
        "provider": authorization.provider,
        "user_code": authorization.user_code,
        "verification_uri": authorization.verification_uri,
        "verification_uri_complete": authorization.verification_uri_complete,
        "expires_at": when(authorization.expires_at),
        "interval": authorization.interval,
    }


def status_data(status: Status) -> dict[str, Any]:
    """Who is signed in and what is cached: never a secret."""
    return {
        "profile": status.profile,
        "providers": [
            {
                "provider": p.provider,
                "username": p.username,
                "expires_at": when(p.expires_at),
                "expired": expired(p.expires_at),
                "configured": p.configured,
            }
            for p in status.providers
        ],
        "pending": status.pending,
        "authenticated_identity_id": status.authenticated_identity_id,
        "guest_identity_id": status.guest_identity_id,
        "credentials_expiration": when(status.credentials_expiration),
        "credentials_authenticated": status.credentials_authenticated,
        "linked_logins": list(status.linked_logins),
    }


def passkey_data(passkey: Passkey) -> dict[str, Any]:
    return {
        "credential_id": passkey.credential_id,
        "name": passkey.name,
        "relying_party": passkey.relying_party,
        "created_at": when(passkey.created_at),
        "attachment": passkey.attachment,
        "transports": list(passkey.transports),
    }
