"""Device tracking: this machine made one of the user's devices (ConfirmDevice with a verifier made here), the
device proven on later sign-ins (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), and the user's device list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.app_client import TOKEN_REVOKED, AppClient
from aws_client_auth.adapters.cognito.errors import cognito_errors
from aws_client_auth.application.ports.user_directory import UserDevices
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.user import RememberedDevice, TrackedDevice

PAGE: Final = 60
"""ListDevices' largest page."""
MOST_PAGES: Final = 50
"""A user has a few devices; a service that keeps paging past 3000 is not answering a device list."""
_SIGNED_IN = {"NotAuthorizedException": TOKEN_REVOKED}


class CognitoDevices(UserDevices):
    def __init__(self, app: AppClient) -> None:
        self._app = app

    def confirm(self, access_token: Secret, metadata: Mapping[str, Any]) -> RememberedDevice:
        """Make this machine the device Cognito announced in ``NewDeviceMetadata``: a device password made here,
        and only its SRP verifier and salt sent. ``remembered`` unless the pool asks users to opt in."""
        key, group_key = str(metadata["DeviceKey"]), str(metadata["DeviceGroupKey"])
        verifier = srp.device_verifier(group_key, key, self._app.random_bytes)
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.confirm_device(
                AccessToken=access_token.reveal(),
                DeviceKey=key,
                DeviceSecretVerifierConfig={"PasswordVerifier": verifier.password_verifier, "Salt": verifier.salt},
                DeviceName=self._app.device_name,
            )
        return RememberedDevice(
            key=key,
            group_key=Secret(group_key),
            password=Secret(verifier.password),
            remembered=not answer.get("UserConfirmationNecessary", False),
        )

    @checked_answers("Cognito")
    def list_devices(self, access_token: Secret) -> tuple[TrackedDevice, ...]:
        devices: list[TrackedDevice] = []
        page: dict[str, str] = {}
        for _ in range(MOST_PAGES):
            with cognito_errors(_SIGNED_IN):
                answer = self._app.client.list_devices(AccessToken=access_token.reveal(), Limit=PAGE, **page)
            devices.extend(_tracked(device) for device in answer.get("Devices", []))
            token = answer.get("PaginationToken")
            if not token:
                return tuple(devices)
            page = {"PaginationToken": token}
        raise e.ServiceError(f"Cognito kept paging the device list past {PAGE * MOST_PAGES} devices.")

    @checked_answers("Cognito")
    def remember_device(self, access_token: Secret, device_key: str, *, remembered: bool = True) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.update_device_status(
                AccessToken=access_token.reveal(),
                DeviceKey=device_key,
                DeviceRememberedStatus="remembered" if remembered else "not_remembered",
            )

    @checked_answers("Cognito")
    def forget_device(self, access_token: Secret, device_key: str) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.forget_device(AccessToken=access_token.reveal(), DeviceKey=device_key)

    def prove(self, device: RememberedDevice, params: Mapping[str, Any], ephemeral: srp.Ephemeral) -> dict[str, str]:
        """The answer to DEVICE_PASSWORD_VERIFIER: SRP over the device group key and the device password."""
        try:
            stamp, signature = srp.device_claim(
                ephemeral,
                group_key=device.group_key.reveal(),
                device_key=device.key,
                password=device.password.reveal(),
                salt_hex=params["SALT"],
                server_b_hex=params["SRP_B"],
                secret_block_b64=params["SECRET_BLOCK"],
                now=self._app.clock.now(),
            )
        except ValueError as error:
            raise e.ServiceError(f"Cognito's device SRP challenge is unusable: {error}.") from None
        return {
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "DEVICE_KEY": device.key,
        }


def _tracked(device: Mapping[str, Any]) -> TrackedDevice:
    attributes = {a["Name"]: a.get("Value", "") for a in device.get("DeviceAttributes", [])}
    status = attributes.get("dev:device_remembered_status")
    return TrackedDevice(
        key=clean(device["DeviceKey"], 128),
        name=clean(attributes["device_name"], 128) if attributes.get("device_name") else None,
        remembered=None if status is None else status == "remembered",
        created_at=_moment(device.get("DeviceCreateDate")),
        last_authenticated_at=_moment(device.get("DeviceLastAuthenticatedDate")),
        last_ip=clean(attributes["last_ip_used"], 64) if attributes.get("last_ip_used") else None,
    )


def _moment(value: object) -> datetime | None:
    """botocore parses Cognito's timestamps; an emulator's odd value is no reason to fail a listing."""
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
