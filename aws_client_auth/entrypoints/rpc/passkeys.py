"""Passkeys and sign-in factors (issue 15). Results are the shapes of the CLI's ``--json`` output for the same
commands; a credential id is public (it names the passkey, it proves nothing)."""

from __future__ import annotations

from typing import Any

from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.shapes import passkey_data


async def register_passkey(auth: AsyncClientAuth) -> dict[str, Any]:
    """Waits for the person to touch the security key (the authenticator's prompt is logged on standard error);
    it cannot be cancelled half-way, and other requests are served meanwhile."""
    return {"registered": True, "credential_id": await auth.register_passkey()}


async def list_passkeys(auth: AsyncClientAuth) -> dict[str, Any]:
    return {"passkeys": [passkey_data(passkey) for passkey in await auth.passkeys()]}


async def delete_passkey(auth: AsyncClientAuth, *, credential_id: str) -> dict[str, Any]:
    await auth.delete_passkey(credential_id)
    return {"deleted": credential_id}


async def auth_factors(auth: AsyncClientAuth) -> dict[str, Any]:
    """The first factors the signed-in user can sign in with."""
    return {"factors": [factor.value for factor in await auth.auth_factors()]}


HANDLERS = (register_passkey, list_passkeys, delete_passkey, auth_factors)
