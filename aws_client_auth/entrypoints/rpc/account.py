"""The account and devices (issue 14): MFA methods, attributes, remembered devices, deleting the account. Results
are the shapes of the CLI's ``--json`` output for the same commands."""

from __future__ import annotations

from typing import Any

from aws_client_auth.domain.user import MfaPreferences
from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.shapes import attribute_delivery_data, tracked_device_data


def _preferences(preferences: MfaPreferences) -> dict[str, Any]:
    return {
        "enabled": sorted(kind.value for kind in preferences.enabled),
        "preferred": preferences.preferred.value if preferences.preferred else None,
    }


async def mfa_preference(auth: AsyncClientAuth, *, mfa_type: str | None = None) -> dict[str, Any]:
    """The MFA methods on and the preferred one; with ``mfa_type``, prefer that one first."""
    preferences = await (auth.set_mfa_preference(mfa_type) if mfa_type else auth.mfa_preference())
    return _preferences(preferences)


async def attributes(auth: AsyncClientAuth) -> dict[str, Any]:
    return {"attributes": dict(sorted((await auth.attributes()).items()))}


async def update_attributes(
    auth: AsyncClientAuth, *, values: dict[str, str], client_metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    deliveries = await auth.update_attributes(values, client_metadata=client_metadata)
    return {"updated": list(values), "deliveries": [attribute_delivery_data(d) for d in deliveries]}


async def send_attribute_code(auth: AsyncClientAuth, *, name: str) -> dict[str, Any]:
    delivery = await auth.send_attribute_code(name)
    return {"attribute": name, "delivery": attribute_delivery_data(delivery) if delivery else None}


async def verify_attribute(auth: AsyncClientAuth, *, name: str, code: str) -> dict[str, Any]:
    await auth.verify_attribute(name, code)
    return {"attribute": name, "verified": True}


async def delete_attributes(auth: AsyncClientAuth, *, names: list[str]) -> dict[str, Any]:
    return {"deleted": list(await auth.delete_attributes(*names))}


async def remember_device(auth: AsyncClientAuth) -> dict[str, Any]:
    device = await auth.remember_device()
    return {"device_remembered": True, "device_key": device.key}


async def devices(auth: AsyncClientAuth) -> dict[str, Any]:
    return {"devices": [tracked_device_data(device) for device in await auth.devices()]}


async def forget_device(auth: AsyncClientAuth, *, key: str | None = None) -> dict[str, Any]:
    return {"forgotten": await auth.forget_device(key), "this_device": key is None}


async def delete_account(auth: AsyncClientAuth) -> dict[str, Any]:
    """Irreversible: the client asks the person first (there is no confirmation here)."""
    return {"deleted": True, "username": await auth.delete_account()}


HANDLERS = (
    mfa_preference,
    attributes,
    update_attributes,
    send_attribute_code,
    verify_attribute,
    delete_attributes,
    remember_device,
    devices,
    forget_device,
    delete_account,
)
