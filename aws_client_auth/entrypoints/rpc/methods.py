"""The methods a client may call: the facade's, with the facade's parameter names, answered with the shapes of
the CLI's ``--json`` output. Each handler's keyword-only parameters are the method's named parameters."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aws_client_auth.application.use_cases.browser_sign_in import DEFAULT_TIMEOUT
from aws_client_auth.domain.errors import DeviceFlowPending
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import MfaType
from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.rpc import account, passkeys
from aws_client_auth.entrypoints.rpc.results import (
    Shown,
    credentials_shown,
    machine_token_shown,
    mfa_setup_shown,
    pending_data,
    step_data,
    tokens_shown,
)
from aws_client_auth.entrypoints.shapes import delivery_data, device_data, status_data, tokens_data

Handler = Callable[..., Coroutine[Any, Any, Any]]


@dataclass(frozen=True, slots=True)
class Method:
    handler: Handler
    waits: bool = False
    """Waits for a person: ``cancel``, ``shutdown`` and the end of input stop it. Other methods are one request
    to a service each, and always answered."""


# --- user management --------------------------------------------------------------------------------------
Metadata = dict[str, str] | None
"""``client_metadata``: key-value pairs for the pool's Lambda triggers, on top of ``[cognito.client_metadata]``."""


async def sign_up(
    auth: AsyncClientAuth,
    *,
    username: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    client_metadata: Metadata = None,
) -> dict[str, Any]:
    result = await auth.sign_up(username, password, email=email, phone=phone, client_metadata=client_metadata)
    return {
        "username": username,
        "user_sub": result.user_sub,
        "confirmed": result.confirmed,
        "delivery": delivery_data(result.delivery),
    }


async def confirm_sign_up(
    auth: AsyncClientAuth, *, username: str, code: str, sign_in: bool = False, client_metadata: Metadata = None
) -> dict[str, Any] | Shown:
    """Confirmed; with ``sign_in``, then signed in with the session Cognito returns (choice-based sign-in): the
    STEP, as ``confirm-sign-up --sign-in --json`` prints it. Without such a session, confirmed only."""
    step = await auth.confirm_sign_up(username, code, sign_in=sign_in, client_metadata=client_metadata)
    if step is not None:
        return step_data(step)
    return {"username": username, "confirmed": True}


async def resend_confirmation_code(auth: AsyncClientAuth, *, username: str) -> dict[str, Any]:
    return {"username": username, "delivery": delivery_data(await auth.resend_confirmation_code(username))}


async def forgot_password(auth: AsyncClientAuth, *, username: str, client_metadata: Metadata = None) -> dict[str, Any]:
    delivery = await auth.forgot_password(username, client_metadata=client_metadata)
    return {"username": username, "delivery": delivery_data(delivery)}


async def confirm_forgot_password(
    auth: AsyncClientAuth, *, username: str, code: str, new_password: str, client_metadata: Metadata = None
) -> dict[str, Any]:
    await auth.confirm_forgot_password(username, code, new_password, client_metadata=client_metadata)
    return {"username": username, "password_reset": True}


async def change_password(auth: AsyncClientAuth, *, old_password: str, new_password: str) -> dict[str, Any]:
    await auth.change_password(old_password, new_password)
    return {"password_changed": True}


async def enable_mfa(auth: AsyncClientAuth, *, mfa_type: str = "sms") -> dict[str, Any] | Shown:
    """SMS (or email) is on at once; TOTP answers with the secret to copy, then ``verify_mfa``."""
    kind = MfaType.parse(mfa_type)
    setup = await auth.enable_mfa(kind)
    if setup is None:
        return {"mfa": kind.value, "enabled": True}
    shown = mfa_setup_shown(setup)
    return Shown({"mfa": "totp", "enabled": False, **shown.data}, shown.revealed)


async def verify_mfa(auth: AsyncClientAuth, *, code: str) -> dict[str, Any]:
    await auth.verify_mfa(code)
    return {"mfa": "totp", "enabled": True}


async def disable_mfa(auth: AsyncClientAuth, *, mfa_type: str | None = None) -> dict[str, Any]:
    """One method off (``mfa_type``), or every one; what is left."""
    left = await auth.disable_mfa(mfa_type)
    remaining = sorted(kind.value for kind in left.enabled)
    preferred = left.preferred.value if left.preferred else None
    return {
        "mfa": mfa_type.lower() if mfa_type else None,
        "enabled": False,
        "remaining": remaining,
        "preferred": preferred,
    }


# --- authentication -----------------------------------------------------------------------------------------
async def sign_in_method(auth: AsyncClientAuth, *, provider: str = COGNITO) -> dict[str, Any]:
    """How ``provider`` signs in: ``password`` (``sign_in``) or ``device`` (``start_device_sign_in``)."""
    return {"provider": provider, "method": (await auth.sign_in_method(provider)).value}


async def sign_in(
    auth: AsyncClientAuth,
    *,
    username: str,
    password: str | None = None,
    provider: str = COGNITO,
    factor: str | None = None,
    custom: bool = False,
    client_metadata: Metadata = None,
) -> Shown:
    """With ``password`` alone, the configured flow; with ``factor``, that first factor (only ``password`` takes
    the password); with neither, the factors Cognito offers (a ``select_factor`` step); ``custom``, the pool's
    custom challenges (after proving ``password`` when given)."""
    step = await auth.sign_in(
        username, password, provider=provider, factor=factor, custom=custom, client_metadata=client_metadata
    )
    return step_data(step)


async def confirm_sign_in(auth: AsyncClientAuth, *, answer: str = "", client_metadata: Metadata = None) -> Shown:
    """The answer to the pending challenge; none for a passkey (the authenticator signs)."""
    return step_data(await auth.confirm_sign_in(answer, client_metadata=client_metadata))


async def start_device_sign_in(auth: AsyncClientAuth, *, provider: str) -> dict[str, Any]:
    return device_data(await auth.start_device_sign_in(provider))


async def complete_device_sign_in(
    auth: AsyncClientAuth, *, wait: bool = True, timeout: float | None = None
) -> dict[str, Any] | Shown:
    """Signed in, or (not approved yet: ``wait`` false, or ``timeout`` seconds passed) the pending code again."""
    try:
        return step_data(await auth.complete_device_sign_in(wait=wait, timeout=timeout))
    except DeviceFlowPending:
        pending = await auth.pending()
        if not isinstance(pending, DeviceAuthorization):  # pragma: no cover - the use case keeps it pending
            raise
        return device_data(pending)


async def pending(auth: AsyncClientAuth) -> dict[str, Any] | Shown | None:
    """The challenge or device code waiting for an answer, as sign-in answered it; null if none."""
    return pending_data(await auth.pending())


async def refresh_tokens(auth: AsyncClientAuth, *, provider: str = COGNITO) -> dict[str, Any]:
    return {"status": "refreshed", **tokens_data(await auth.refresh_tokens(provider))}


async def get_tokens(auth: AsyncClientAuth, *, provider: str = COGNITO) -> Shown:
    return tokens_shown(await auth.get_tokens(provider))


async def sign_out(auth: AsyncClientAuth, *, provider: str | None = None, globally: bool = False) -> dict[str, Any]:
    names = await auth.sign_out(provider, globally=globally)
    return {"signed_out": list(names), "global": globally}


# --- authorization and state --------------------------------------------------------------------------------
async def get_credentials(auth: AsyncClientAuth, *, force_refresh: bool = False) -> Shown:
    return credentials_shown(await auth.get_credentials(force_refresh=force_refresh))


async def credential_process(auth: AsyncClientAuth) -> Shown:
    """What ``credential_process`` prints for the AWS CLI and SDKs."""
    answer = await auth.credential_process()
    return Shown(answer, (answer["SecretAccessKey"], answer["SessionToken"]))


async def link_identities(auth: AsyncClientAuth) -> dict[str, Any]:
    identity = await auth.link_identities()
    return {"identity_id": identity.identity_id, "logins": sorted(identity.logins)}


async def status(auth: AsyncClientAuth) -> dict[str, Any]:
    return status_data(await auth.status())


async def reset(auth: AsyncClientAuth) -> dict[str, Any]:
    await auth.reset()
    return {"reset": True}


# --- browser sign-in and machine tokens (issue 16) -------------------------------------------------------------
async def sign_in_with_browser(
    auth: AsyncClientAuth, *, identity_provider: str | None = None, timeout: float | None = None
) -> Shown:
    """Cognito's managed login in the browser of the computer the server runs on (its address is logged on the
    server's standard error when no browser could be opened)."""
    return step_data(await auth.sign_in_with_browser(identity_provider=identity_provider, timeout=_or_default(timeout)))


async def sign_out_of_browser(
    auth: AsyncClientAuth, *, provider: str | None = None, globally: bool = False, timeout: float | None = None
) -> dict[str, Any]:
    names = await auth.sign_out_of_browser(provider, globally=globally, timeout=_or_default(timeout))
    return {"signed_out": list(names), "global": globally}


def _or_default(timeout: float | None) -> float:
    return DEFAULT_TIMEOUT if timeout is None else timeout


async def machine_token(
    auth: AsyncClientAuth, *, scopes: list[str] | None = None, force_refresh: bool = False
) -> Shown:
    return machine_token_shown(await auth.machine_token(scopes, force_refresh=force_refresh))


METHODS: dict[str, Method] = {
    handler.__name__: Method(handler)
    for handler in (
        sign_up,
        confirm_sign_up,
        resend_confirmation_code,
        forgot_password,
        confirm_forgot_password,
        change_password,
        enable_mfa,
        verify_mfa,
        disable_mfa,
        sign_in_method,
        sign_in,
        confirm_sign_in,
        start_device_sign_in,
        pending,
        refresh_tokens,
        get_tokens,
        sign_out,
        get_credentials,
        credential_process,
        link_identities,
        status,
        reset,
        machine_token,
    )
} | {
    **{handler.__name__: Method(handler) for handler in account.HANDLERS},  # the account and devices (issue 14)
    **{handler.__name__: Method(handler) for handler in passkeys.HANDLERS},  # passkeys and factors (issue 15)
    "complete_device_sign_in": Method(complete_device_sign_in, waits=True),
    "sign_in_with_browser": Method(sign_in_with_browser, waits=True),
    "sign_out_of_browser": Method(sign_out_of_browser, waits=True),
}
