"""Rendering domain values for people and for --json, without secrets unless the command exists to show one.

Human renderings put every value a server chose (codes, URIs, user names, delivery destinations, identity ids)
through :func:`display.server_text`: one inert line each, so that a provider cannot draw on the terminal or forge
a line. The --json renderings keep values exact: the JSON encoder escapes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import (
    Answer,
    Challenge,
    ChallengeKind,
    CodeDelivery,
    DeviceAuthorization,
    MfaSetup,
)
from aws_client_auth.domain.text import clean
from aws_client_auth.entrypoints.cli.display import server_text, shown_on_purpose
from aws_client_auth.entrypoints.shapes import (
    challenge_data,
    device_data,
    expired,
    mfa_setup_data,
    tokens_data,
    when,
)

__all__ = ["challenge_data", "device_data", "expired", "mfa_setup_data", "tokens_data", "when"]

PASSWORD_ANSWERS = frozenset({ChallengeKind.NEW_PASSWORD_REQUIRED})
"""Challenges answered with a new password: never taken from the command line, asked for twice."""
SECRET_ANSWERS = frozenset({ChallengeKind.PASSWORD, ChallengeKind.CUSTOM})
"""Challenges whose answer may be a secret (the password, a custom challenge's ticket): never echoed, read once
from a prompt without echo or from standard input; a custom answer may still be given as an argument."""


def tokens_until(moment: datetime | None) -> str:
    """The status mark of a provider's tokens: when they expire, or that they have (refreshed on next use)."""
    if expired(moment):
        return f"tokens expired at {when(moment)}; refreshed on next use"
    return f"tokens until {when(moment)}"


def delivery_text(delivery: CodeDelivery) -> str:
    """Where a code went, as Cognito reported it (``sms to +*******0100``)."""
    return f"{server_text(delivery.medium.lower(), 20)} to {server_text(delivery.destination, 100)}"


def describe_challenge(challenge: Challenge, *, hint: bool = True) -> str:
    """What the challenge asks; with ``hint``, how to answer it with confirm-sign-in (not when asked at once)."""
    lines = [f"{challenge.prompt}."]
    if challenge.delivery:
        lines[0] = f"{challenge.prompt} ({delivery_text(challenge.delivery)})."
    if challenge.answer is Answer.MFA_TYPE and challenge.options:
        lines.append("Choices: " + ", ".join(o.value for o in challenge.options))
    if challenge.factors:
        lines.append("Choices: " + ", ".join(f.value for f in challenge.factors))
    for name, value in challenge.public.items():  # the pool's own trigger wrote these: inert text, bounded
        lines.append(f"{server_text(name, 60)}: {server_text(value, 500)}")
    if challenge.mfa_setup:
        lines.extend(describe_mfa_setup(challenge.mfa_setup))
    if hint:
        lines.append(answer_hint(challenge.kind))
    elif challenge.kind is ChallengeKind.PASSKEY:
        lines.append("Use your security key or authenticator when it asks.")
    return "\n".join(lines)


def answer_hint(kind: ChallengeKind) -> str:
    if kind is ChallengeKind.PASSKEY:
        return "Answer with: client-auth confirm-sign-in (it asks your authenticator)"
    if kind is ChallengeKind.PASSWORD:
        return (
            "Answer with: client-auth confirm-sign-in (it asks without echo), "
            "or pipe it into: client-auth confirm-sign-in --answer-stdin"
        )
    if kind is ChallengeKind.CUSTOM:
        return "Answer with: client-auth confirm-sign-in <ANSWER>, or --answer-stdin for an answer others must not see"
    if kind in PASSWORD_ANSWERS:
        return (
            "Answer with: client-auth confirm-sign-in (it asks twice, without echo), "
            "or pipe it into: client-auth confirm-sign-in --answer-stdin"
        )
    return "Answer with: client-auth confirm-sign-in <ANSWER>"


def challenge_secrets(challenge: Challenge) -> tuple[Secret, ...]:
    """What a challenge's rendering shows on purpose: the TOTP secret of an MFA set-up."""
    return setup_secrets(challenge.mfa_setup) if challenge.mfa_setup else ()


def setup_secrets(setup: MfaSetup) -> tuple[Secret, ...]:
    return (setup.secret, setup.otpauth_uri)


def describe_mfa_setup(setup: MfaSetup) -> list[str]:
    """Shown on purpose (see :func:`setup_secrets`); the QR code only for a URI shown exactly as sent."""
    lines = [f"Secret: {shown_on_purpose(setup.secret)}", f"URI:    {shown_on_purpose(setup.otpauth_uri)}"]
    return lines + qr_if_exact(setup.otpauth_uri.reveal())


def describe_device(authorization: DeviceAuthorization) -> str:
    uri, code = server_text(authorization.verification_uri), server_text(authorization.user_code, 100)
    lines = [f"Open {uri} and enter the code {code}", f"(it expires at {when(authorization.expires_at)})."]
    if authorization.verification_uri_complete:
        lines.append(f"Or scan / open: {server_text(authorization.verification_uri_complete)}")
        lines.extend(qr_if_exact(authorization.verification_uri_complete))
    return "\n".join(lines)


def qr_if_exact(text: str) -> list[str]:
    """A QR code of ``text`` only if ``text`` was printed unchanged beside it: what the camera reads must be what
    the user could read (and a QR code of a megabyte is no picture)."""
    return [qr(text)] if clean(text) == text else []


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
