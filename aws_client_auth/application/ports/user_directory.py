"""User management in a Cognito user pool (or any directory that works the same way)."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import CodeDelivery, MfaSetup, SignUpResult
from aws_client_auth.domain.user import Email, MfaType, PhoneNumber, User, Username


class UserDirectory(Protocol):
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult: ...

    def confirm_sign_up(self, username: Username, code: str) -> None: ...

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
