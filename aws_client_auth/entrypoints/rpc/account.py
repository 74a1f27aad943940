"""The account and devices (issue 14): MFA methods, attributes, remembered devices, deleting the account. Results
are the shapes of the CLI's ``--json`` output for the same commands."""

from __future__ import annotations

from typing import Any

from aws_client_auth.domain.sign_in import CodeDelivery
from aws_client_auth.domain.user import MfaPreferences, TrackedDevice
from aws_client_auth.entrypoints.aio import AsyncClientAuth


def _preferences(preferences: MfaPreferences) -> dict[str, Any]:
    return {
        "enabled": sorted(kind.value for kind in preferences.enabled),
        "preferred": preferences.preferred.value if preferences.preferred else None,
    }


def _delivery(delivery: CodeDelivery) -> dict[str, str | None]:
    return {"medium": delivery.medium, "destination": delivery.destination, "attribute": delivery.attribute}


def _moment(device: TrackedDevice, name: str) -> str | None:
    moment = getattr(device, name)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _device(device: TrackedDevice) -> dict[str, Any]:
    return {
        "key": device.key,
        "name": device.name,
        "remembered": device.remembered,
        "created_at": _moment(device, "created_at"),
        "last_authenticated_at": _moment(device, "last_authenticated_at"),
        "last_ip": device.last_ip,
        "this_device": device.this_device,
    }


async def mfa_preference(auth: AsyncClientAuth, *, mfa_type: str | None = None) -> dict[str, Any]:
    """The MFA methods on and the preferred one; with ``mfa_type``, prefer that one first."""
    preferences = await (auth.set_mfa_preference(mfa_type) if mfa_type else auth.mfa_preference())
    return _preferences(preferences)


async def attributes(auth: AsyncClientAuth) -> dict[str, Any]:
    return {"attributes": dict(sorted((await auth.attributes()).items()))}


async def update_attributes(auth: AsyncClientAuth, *, values: dict[str, str]) -> dict[str, Any]:
    deliveries = await auth.update_attributes(values)
    return {"updated": list(values), "deliveries": [_delivery(d) for d in deliveries]}


async def send_attribute_code(auth: AsyncClientAuth, *, name: str) -> dict[str, Any]:
    delivery = await auth.send_attribute_code(name)
    return {"attribute": name, "delivery": _delivery(delivery) if delivery else None}


async def verify_attribute(auth: AsyncClientAuth, *, name: str, code: str) -> dict[str, Any]:
    await auth.verify_attribute(name, code)
    return {"attribute": name, "verified": True}


async def delete_attributes(auth: AsyncClientAuth, *, names: list[str]) -> dict[str, Any]:
    return {"deleted": list(await auth.delete_attributes(*names))}


async def remember_device(auth: AsyncClientAuth) -> dict[str, Any]:
    device = await auth.remember_device()
    return {"device_remembered": True, "device_key": device.key}


async def devices(auth: AsyncClientAuth) -> dict[str, Any]:
    return {"devices": [_device(device) for device in await auth.devices()]}


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
