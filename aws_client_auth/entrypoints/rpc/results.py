"""Results, errors and events as JSON values: the shapes of the CLI's ``--json`` output, no secret but the ones a
method exists to return.

The shapes are shared with the CLI (``entrypoints/shapes.py``); what is added here is what the server shows on
purpose and how errors and events travel. Every value leaves through :func:`payload`: each string scrubbed of
every secret the process knows but the ones shown on purpose. Error and event messages are one clean line
(:func:`one_line`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any, Final

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import Event, OperationFailed
from aws_client_auth.domain.secret import MASK, Secret, scrub, scrub_except
from aws_client_auth.domain.sign_in import Challenge, CodeDelivery, DeviceAuthorization, MfaSetup, SignedIn, SignInStep
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import MachineToken, Tokens
from aws_client_auth.entrypoints.rpc.protocol import CLIENT_AUTH_ERROR, RpcError
from aws_client_auth.entrypoints.shapes import (
    challenge_data,
    delivery_data,
    device_data,
    tokens_data,
    when,
)

MESSAGE_LIMIT: Final = 4000
"""The longest message text, in characters (a service's words are part of it)."""


@dataclass(frozen=True, slots=True)
class Shown:
    """A result that shows ``revealed`` secret values on purpose (credentials, tokens, a TOTP secret to copy)."""

    data: dict[str, Any]
    revealed: tuple[str, ...]


# --- the filter every value passes --------------------------------------------------------------------------
def payload(result: Any) -> Any:
    """What goes on the wire: every string scrubbed, except the values a :class:`Shown` result shows."""
    if isinstance(result, Shown):
        return scrubbed(result.data, result.revealed)
    return scrubbed(result)


def scrubbed(data: Any, revealed: Collection[str] = ()) -> Any:
    """``data`` with every secret the process knows masked in every string, but the ``revealed`` values."""
    if isinstance(data, str):
        return scrub_except(data, revealed)
    if isinstance(data, dict):
        return {key: scrubbed(value, revealed) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [scrubbed(value, revealed) for value in data]
    return data


def one_line(text: str) -> str:
    """A message: secrets masked, escape sequences gone, line breaks folded, length capped."""
    return clean(scrub(text), MESSAGE_LIMIT)


# --- the CLI's --json shapes --------------------------------------------------------------------------------


def mfa_setup_shown(setup: MfaSetup) -> Shown:
    """The TOTP secret and its URI: the user must copy them into an authenticator app."""
    secret, uri = setup.secret.reveal(), setup.otpauth_uri.reveal()
    return Shown({"secret": secret, "otpauth_uri": uri}, (secret, uri))


def step_data(step: SignInStep) -> Shown:
    """As ``client-auth --json sign-in``: signed in, or the challenge to answer with ``confirm_sign_in``."""
    if isinstance(step, SignedIn):
        return Shown({"status": "signed_in", **tokens_data(step.tokens)}, ())
    return challenge_shown(step)


def challenge_shown(challenge: Challenge) -> Shown:
    setup = challenge.mfa_setup
    revealed = () if setup is None else (setup.secret.reveal(), setup.otpauth_uri.reveal())
    return Shown(challenge_data(challenge), revealed)


def pending_data(pending: object) -> dict[str, Any] | Shown | None:
    if isinstance(pending, DeviceAuthorization):
        return device_data(pending)
    if isinstance(pending, Challenge):
        return challenge_shown(pending)
    return None


def credentials_shown(credentials: Credentials) -> Shown:
    """As ``client-auth credentials``: the secret key and session token included."""
    secret_key, session_token = credentials.secret_key.reveal(), credentials.session_token.reveal()
    data = {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": secret_key,
        "SessionToken": session_token,
        "Expiration": when(credentials.expiration),
        "IdentityId": credentials.identity_id,
        "Authenticated": credentials.authenticated,
    }
    return Shown(data, (secret_key, session_token))


def tokens_shown(tokens: Tokens) -> Shown:
    """The access and ID tokens, to call an API with. Never the refresh token: the server refreshes for you."""
    access = tokens.access_token.reveal()
    id_token = tokens.id_token.reveal() if tokens.id_token else None
    data = {**tokens_data(tokens), "access_token": access, "id_token": id_token}
    return Shown(data, tuple(token for token in (access, id_token) if token))


# --- errors and events --------------------------------------------------------------------------------------
def machine_token_shown(token: MachineToken) -> Shown:
    """``token --client-credentials --json``: the machine's access token (the secret this method returns)."""
    data = {
        "access_token": token.access_token.reveal(),
        "token_type": token.token_type,
        "expires_at": when(token.expires_at),
        "scopes": sorted(token.scopes),
    }
    return Shown(data, (token.access_token.reveal(),))


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
    return scrubbed(data)  # type: ignore[no-any-return]


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
