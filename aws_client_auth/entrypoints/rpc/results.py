"""Results, errors and events as JSON values: the shapes of the CLI's ``--json`` output, no secret but the ones a
method exists to return.

Every value leaves through :func:`payload` (strings scrubbed of every secret the process knows, but the ones
shown on purpose); error and event messages are one clean line (:func:`display.one_line`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import Event, OperationFailed
from aws_client_auth.domain.secret import MASK, Secret
from aws_client_auth.domain.sign_in import Challenge, CodeDelivery, DeviceAuthorization, SignedIn, SignInStep
from aws_client_auth.domain.tokens import Tokens
from aws_client_auth.entrypoints.cli.display import for_json, one_line
from aws_client_auth.entrypoints.cli.output import (
    challenge_data,
    challenge_secrets,
    credentials_data,
    device_data,
    tokens_data,
    when,
)
from aws_client_auth.entrypoints.rpc.protocol import CLIENT_AUTH_ERROR, RpcError
from aws_client_auth.entrypoints.scripting import Status


@dataclass(frozen=True, slots=True)
class Shown:
    """A result that shows ``secrets`` on purpose (credentials, tokens, a TOTP secret to copy)."""

    data: dict[str, Any]
    secrets: tuple[Secret, ...]


def payload(result: Any) -> Any:
    """What goes on the wire: every string scrubbed, except the secrets a :class:`Shown` result shows."""
    if isinstance(result, Shown):
        return for_json(result.data, [secret.reveal() for secret in result.secrets])
    return for_json(result)


def step_data(step: SignInStep) -> Shown:
    """As ``client-auth --json sign-in``: signed in, or the challenge to answer with ``confirm_sign_in``."""
    if isinstance(step, SignedIn):
        return Shown({"status": "signed_in", **tokens_data(step.tokens)}, ())
    return Shown(challenge_data(step), challenge_secrets(step))


def pending_data(pending: Challenge | DeviceAuthorization | None) -> Shown | None:
    if pending is None:
        return None
    if isinstance(pending, DeviceAuthorization):
        return Shown(device_data(pending), ())
    return step_data(pending)


def delivery_data(delivery: CodeDelivery | None) -> dict[str, str] | None:
    return {"medium": delivery.medium, "destination": delivery.destination} if delivery else None


def status_data(status: Status) -> dict[str, Any]:
    """As ``client-auth --json status``: never a secret."""
    return {
        "profile": status.profile,
        "providers": [
            {"provider": p.provider, "username": p.username, "expires_at": when(p.expires_at)} for p in status.providers
        ],
        "pending": status.pending,
        "authenticated_identity_id": status.authenticated_identity_id,
        "guest_identity_id": status.guest_identity_id,
        "credentials_expiration": when(status.credentials_expiration),
        "credentials_authenticated": status.credentials_authenticated,
        "linked_logins": list(status.linked_logins),
    }


def credentials_shown(credentials: Credentials) -> Shown:
    """As ``client-auth credentials``: the secret key and session token included."""
    return Shown(credentials_data(credentials), (credentials.secret_key, credentials.session_token))


def tokens_shown(tokens: Tokens) -> Shown:
    """The access and ID tokens, to call an API with. Never the refresh token: the server refreshes for you."""
    shown = tuple(token for token in (tokens.access_token, tokens.id_token) if token is not None)
    data = {
        **tokens_data(tokens),
        "access_token": tokens.access_token.reveal(),
        "id_token": tokens.id_token.reveal() if tokens.id_token else None,
    }
    return Shown(data, shown)


def domain_error(error: ClientAuthError, request_id: str | int | None) -> RpcError:
    message = one_line(str(error))
    data = {"type": type(error).__name__, "code": error.code, "message": message}
    return RpcError(CLIENT_AUTH_ERROR, message, data, request_id=request_id)


def event_data(event: Event) -> dict[str, Any]:
    """``{"type": "SignedIn", ...fields}``; messages as one clean line. Events hold no secret; any value a
    server echoed one into is masked all the same."""
    data: dict[str, Any] = {"type": type(event).__name__}
    for field in fields(event):
        data[field.name] = _value(getattr(event, field.name))
    if isinstance(event, OperationFailed):
        data["message"] = one_line(event.message)
    return for_json(data)  # type: ignore[no-any-return]


def _value(value: Any) -> Any:
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, CodeDelivery):
        return delivery_data(value)
    if isinstance(value, tuple | list):
        return [_value(item) for item in value]
    return value
