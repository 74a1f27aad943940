"""User management in a Cognito user pool (or any directory that works the same way): accounts, their
attributes and second factors, and the devices their sign-ins come from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import CodeDelivery, MfaSetup, SignUpResult
from aws_client_auth.domain.user import Email, MfaType, PhoneNumber, TrackedDevice, User, Username


class UserDirectory(Protocol):
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult: ...

    def confirm_sign_up(self, username: Username, code: str, *, session: Secret | None = None) -> Secret | None:
        """Confirm the account (with the sign-up's ``session``, when kept); the provider's session that signs the
        user in at once, when it gives one (Cognito does for pools with choice-based sign-in: single use, for a
        few minutes)."""
        ...

    def resend_confirmation_code(self, username: Username) -> CodeDelivery | None: ...

    def forgot_password(self, username: Username) -> CodeDelivery | None: ...

    def confirm_forgot_password(self, username: Username, code: str, new_password: Secret) -> None: ...

    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None: ...

    def get_user(self, access_token: Secret) -> User: ...

    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        """Associate a new TOTP secret with the user; it is not active until verified."""
        ...

    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None: ...

    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        """Enable exactly the MFA types in ``enabled`` (the others are disabled)."""
        ...

    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        """Revoke this device's refresh token (and the tokens it issued), where the pool allows it."""
        ...

    def global_sign_out(self, access_token: Secret) -> None:
        """Revoke every refresh token of the user, on every device."""
        ...


@runtime_checkable
class UserAccount(Protocol):
    """What signed-in users manage about their own account."""

    def get_user(self, access_token: Secret) -> User:
        """The user, with every attribute and the MFA methods enabled and preferred."""
        ...

    def change_mfa(
        self,
        access_token: Secret,
        *,
        enable: frozenset[MfaType] = frozenset(),
        disable: frozenset[MfaType] = frozenset(),
        preferred: MfaType | None = None,
    ) -> None:
        """Turn the named methods on or off and make ``preferred`` (enabled, or in ``enable``) the preferred one;
        methods not named are left as they are. Raises ConfigurationError when the pool cannot send email codes
        (email MFA needs its email configuration)."""
        ...

    def update_attributes(self, access_token: Secret, values: Mapping[str, str]) -> tuple[CodeDelivery, ...]:
        """Set attributes; where a changed one is verified by the pool (email, phone number), where its code went."""
        ...

    def send_attribute_code(self, access_token: Secret, name: str) -> CodeDelivery | None:
        """Send a verification code for attribute ``name`` (again)."""
        ...

    def verify_attribute(self, access_token: Secret, name: str, code: str) -> None: ...

    def delete_attributes(self, access_token: Secret, names: tuple[str, ...]) -> None: ...

    def delete_user(self, access_token: Secret) -> None:
        """Delete the user's own account. Its tokens are worthless afterwards."""
        ...


@runtime_checkable
class UserDevices(Protocol):
    """The devices a pool tracks for a user (Cognito's device tracking)."""

    def list_devices(self, access_token: Secret) -> tuple[TrackedDevice, ...]: ...

    def remember_device(self, access_token: Secret, device_key: str, *, remembered: bool = True) -> None:
        """Mark a tracked device remembered (sign-ins from it may skip MFA) or no longer remembered."""
        ...

    def forget_device(self, access_token: Secret, device_key: str) -> None:
        """Stop tracking the device: its keys no longer sign in."""
        ...


def account_of(directory: UserDirectory) -> UserAccount:
    """The provider's directory as the account port, when it serves it (a Cognito user pool does)."""
    if not isinstance(directory, UserAccount):
        raise InvalidInput("This provider's directory does not manage accounts: attributes and MFA are Cognito's.")
    return directory


def devices_of(directory: UserDirectory) -> UserDevices:
    """The provider's directory as the device port, when it tracks devices (a Cognito user pool does)."""
    if not isinstance(directory, UserDevices):
        raise InvalidInput("This provider's directory does not track devices: remembered devices are Cognito's.")
    return directory
