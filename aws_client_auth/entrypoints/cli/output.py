"""Rendering domain values for people and for --json, without secrets unless the command exists to show one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, DeviceAuthorization, MfaSetup
from aws_client_auth.domain.tokens import Tokens


def when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def tokens_data(tokens: Tokens) -> dict[str, Any]:
    return {"provider": tokens.provider, "username": tokens.username, "expires_at": when(tokens.expires_at)}


def challenge_data(challenge: Challenge) -> dict[str, Any]:
    data: dict[str, Any] = {
        "status": "challenge",
        "provider": challenge.provider,
        "challenge": challenge.kind.value,
        "prompt": challenge.kind.prompt,
    }
    if challenge.delivery:
        data["delivery"] = {"medium": challenge.delivery.medium, "destination": challenge.delivery.destination}
    if challenge.options:
        data["options"] = [o.name.lower() for o in challenge.options]
    if challenge.mfa_setup:
        data |= mfa_setup_data(challenge.mfa_setup)
    return data


def mfa_setup_data(setup: MfaSetup) -> dict[str, Any]:
    # Shown on purpose: the user must copy this secret into an authenticator app.
    return {"secret": setup.secret.reveal(), "otpauth_uri": setup.otpauth_uri.reveal()}


def describe_challenge(challenge: Challenge) -> str:
    lines = [f"{challenge.kind.prompt}."]
    if challenge.delivery:
        lines[0] = f"{challenge.kind.prompt} ({challenge.delivery})."
    if challenge.kind is ChallengeKind.SELECT_MFA_TYPE and challenge.options:
        lines.append("Choices: " + ", ".join(o.name.lower() for o in challenge.options))
    if challenge.mfa_setup:
        lines.extend(describe_mfa_setup(challenge.mfa_setup))
    lines.append("Answer with: client-auth confirm-sign-in <ANSWER>")
    return "\n".join(lines)


def describe_mfa_setup(setup: MfaSetup) -> list[str]:
    return [
        f"Secret: {setup.secret.reveal()}",
        f"URI:    {setup.otpauth_uri.reveal()}",
        qr(setup.otpauth_uri.reveal()),
    ]


def device_data(authorization: DeviceAuthorization) -> dict[str, Any]:
    return {
        "status": "pending",
        "provider": authorization.provider,
        "user_code": authorization.user_code,
        "verification_uri": authorization.verification_uri,
        "verification_uri_complete": authorization.verification_uri_complete,
        "expires_at": when(authorization.expires_at),
        "interval": authorization.interval,
    }


def describe_device(authorization: DeviceAuthorization) -> str:
    lines = [
        f"Open {authorization.verification_uri} and enter the code {authorization.user_code}",
        f"(it expires at {when(authorization.expires_at)}).",
    ]
    if authorization.verification_uri_complete:
        lines.append(f"Or scan / open: {authorization.verification_uri_complete}")
        lines.append(qr(authorization.verification_uri_complete))
    return "\n".join(lines)


def qr(text: str) -> str:
    import io

    import segno

    buffer = io.StringIO()
    segno.make(text, error="l").terminal(out=buffer, compact=True)
    return buffer.getvalue().rstrip("\n")


def credentials_data(credentials: Credentials) -> dict[str, Any]:
    return {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_key.reveal(),
        "SessionToken": credentials.session_token.reveal(),
        "Expiration": when(credentials.expiration),
        "IdentityId": credentials.identity_id,
        "Authenticated": credentials.authenticated,
    }


def credentials_env(credentials: Credentials) -> str:
    import shlex

    values = {
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key.reveal(),
        "AWS_SESSION_TOKEN": credentials.session_token.reveal(),
        "AWS_CREDENTIAL_EXPIRATION": when(credentials.expiration) or "",
    }
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in values.items())
