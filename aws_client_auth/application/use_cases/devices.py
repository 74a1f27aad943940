"""The user's devices: remember this machine (pools that ask users to opt in), list them, forget one.

This machine's device keys are kept with the Cognito tokens (they go with every refresh) and, for the next
sign-in, by user in the session; forgetting this device drops them here as well as at the pool, so the next
sign-in is a new device's (and asks for MFA).
"""

from __future__ import annotations

from dataclasses import replace

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.user_directory import UserDevices, devices_of
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.events import DeviceForgotten, DeviceRemembered, OperationFailed
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import RememberedDevice, TrackedDevice

NOT_A_DEVICE = (
    "This machine is not one of your remembered devices: the user pool does not track devices, or the sign-in "
    "that would have made it one was before device tracking was on (sign in again)."
)


def _this_device(tokens: Tokens) -> RememberedDevice:
    if tokens.device is None:
        raise InvalidInput(NOT_A_DEVICE)
    return tokens.device


def _with_device(session: Session, key: str, device: RememberedDevice | None) -> Session:
    """The session with the device ``key`` replaced (None: dropped) wherever it is kept: in the tokens that
    still hold it and among the devices kept for the next sign-in."""
    return session.replacing_device(key, device)


class _DeviceUseCase:
    def __init__(
        self, providers: ProviderRegistry, sessions: Sessions, tokens: TokenKeeper, events: EventPublisher
    ) -> None:
        self._providers = providers
        self._sessions = sessions
        self._tokens = tokens
        self._events = events

    def _devices(self) -> UserDevices:
        return devices_of(self._providers.directory(COGNITO))


class RememberDevice(_DeviceUseCase):
    """Remember this machine, so that sign-ins from it may skip MFA (``sign-in --remember-device``)."""

    def execute(self) -> RememberedDevice:
        with failures_published(self._events, lambda e: OperationFailed.of("remember_device", e, COGNITO)):
            devices = self._devices()
            with self._sessions.lock():  # the tokens whose device is remembered are the ones updated
                tokens = self._tokens.fresh(COGNITO)
                device = _this_device(tokens)
                devices.remember_device(tokens.access_token, device.key)
                remembered = replace(device, remembered=True)
                self._sessions.update(lambda session: _with_device(session, device.key, remembered))
        self._events.publish(DeviceRemembered(provider=COGNITO, device_key=device.key))
        return remembered


class ListDevices(_DeviceUseCase):
    """The user's devices as the pool tracks them, this machine marked."""

    def execute(self) -> tuple[TrackedDevice, ...]:
        with failures_published(self._events, lambda e: OperationFailed.of("list_devices", e, COGNITO)):
            devices = self._devices()
            tokens = self._tokens.fresh(COGNITO)
            listed = devices.list_devices(tokens.access_token)
        this = tokens.device.key if tokens.device else None
        return tuple(replace(device, this_device=device.key == this) for device in listed)


class ForgetDevice(_DeviceUseCase):
    """Forget a device at the pool (this machine when no key is given); this machine's keys go here too."""

    def execute(self, device_key: str | None = None) -> str:
        with failures_published(self._events, lambda e: OperationFailed.of("forget_device", e, COGNITO)):
            devices = self._devices()
            with self._sessions.lock():
                tokens = self._tokens.fresh(COGNITO)
                key = device_key.strip() if device_key else _this_device(tokens).key
                if not key:
                    raise InvalidInput("The device key is empty: give one that 'client-auth devices' lists.")
                devices.forget_device(tokens.access_token, key)
                this_device = tokens.device is not None and tokens.device.key == key
                if this_device:
                    self._sessions.update(lambda session: _with_device(session, key, None))
        self._events.publish(DeviceForgotten(provider=COGNITO, device_key=key, this_device=this_device))
        return key
