"""A Cognito user pool through boto3 ``cognito-idp``: one app client, composed of small adapters.

:class:`AppClient` is built once and shared by the directory (user management and the account), sign-in,
refresh and devices; :class:`CognitoUserPool` is the one object the container binds for every port an app
client serves, and forwards each call to the part that makes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.cognito.app_client import PASSWORD_FLOW, SRP_FLOW, AppClient
from aws_client_auth.adapters.cognito.devices import CognitoDevices
from aws_client_auth.adapters.cognito.directory import CognitoDirectory
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.cognito.passkeys import CognitoPasskeys
from aws_client_auth.adapters.cognito.refresh import CognitoRefresher
from aws_client_auth.adapters.cognito.sign_in import CognitoSignIn
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.passkeys import PasskeyAccount
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserAccount, UserDevices, UserDirectory
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    CodeDelivery,
    ContextDataProvider,
    MfaSetup,
    Passkey,
    SignInStep,
    SignUpResult,
)
from aws_client_auth.domain.tokens import Tokens
from aws_client_auth.domain.user import (
    Email,
    MfaType,
    PhoneNumber,
    RememberedDevice,
    TrackedDevice,
    User,
    Username,
)

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

__all__ = ["PASSWORD_FLOW", "SRP_FLOW", "CognitoUserPool"]


class CognitoUserPool(UserDirectory, UserAccount, UserDevices, PasskeyAccount, PasswordSignIn, TokenRefresher):
    """User management, the account, devices, sign-in and refresh for one app client."""

    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        *,
        pool_id: str,
        client_id: str,
        client_secret: Secret | None,
        auth_flow: str,
        verifier: IdTokenVerifier,
        clock: Clock,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
        totp_issuer: str = "AWS Cognito",
        revoke_on_sign_out: bool = True,
        context_data: ContextDataProvider | None = None,
        device_name: str = "",
        client_metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.app = AppClient(
            client,
            pool_id=pool_id,
            client_id=client_id,
            client_secret=client_secret,
            auth_flow=auth_flow,
            verifier=verifier,
            clock=clock,
            random_bytes=random_bytes,
            totp_issuer=totp_issuer,
            revoke_on_sign_out=revoke_on_sign_out,
            context_data=context_data,
            device_name=device_name,
            client_metadata=client_metadata,
        )
        self.directory = CognitoDirectory(self.app)
        self.devices = CognitoDevices(self.app)
        self.signing_in = CognitoSignIn(self.app, self.devices)
        self.refresher = CognitoRefresher(self.app)
        self.passkeys = CognitoPasskeys(self.app)

    # --- UserDirectory ---------------------------------------------------------------------------------
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult:
        return self.directory.sign_up(username, password, email=email, phone_number=phone_number)

    def confirm_sign_up(self, username: Username, code: str, *, session: Secret | None = None) -> Secret | None:
        return self.directory.confirm_sign_up(username, code, session=session)

    def resend_confirmation_code(self, username: Username) -> CodeDelivery | None:
        return self.directory.resend_confirmation_code(username)

    def forgot_password(self, username: Username) -> CodeDelivery | None:
        return self.directory.forgot_password(username)

    def confirm_forgot_password(self, username: Username, code: str, new_password: Secret) -> None:
        self.directory.confirm_forgot_password(username, code, new_password)

    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None:
        self.directory.change_password(access_token, old_password, new_password)

    def get_user(self, access_token: Secret) -> User:
        return self.directory.get_user(access_token)

    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        return self.directory.start_totp_setup(access_token)

    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        self.directory.verify_totp(access_token, code, device_name)

    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        self.directory.set_mfa_preference(access_token, enabled, preferred)

    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        self.directory.revoke_refresh_token(refresh_token)

    def global_sign_out(self, access_token: Secret) -> None:
        self.directory.global_sign_out(access_token)

    # --- UserAccount -----------------------------------------------------------------------------------
    def change_mfa(
        self,
        access_token: Secret,
        *,
        enable: frozenset[MfaType] = frozenset(),
        disable: frozenset[MfaType] = frozenset(),
        preferred: MfaType | None = None,
    ) -> None:
        self.directory.change_mfa(access_token, enable=enable, disable=disable, preferred=preferred)

    def update_attributes(self, access_token: Secret, values: Mapping[str, str]) -> tuple[CodeDelivery, ...]:
        return self.directory.update_attributes(access_token, values)

    def send_attribute_code(self, access_token: Secret, name: str) -> CodeDelivery | None:
        return self.directory.send_attribute_code(access_token, name)

    def verify_attribute(self, access_token: Secret, name: str, code: str) -> None:
        self.directory.verify_attribute(access_token, name, code)

    def delete_attributes(self, access_token: Secret, names: tuple[str, ...]) -> None:
        self.directory.delete_attributes(access_token, names)

    def delete_user(self, access_token: Secret) -> None:
        self.directory.delete_user(access_token)

    # --- UserDevices -----------------------------------------------------------------------------------
    def list_devices(self, access_token: Secret) -> tuple[TrackedDevice, ...]:
        return self.devices.list_devices(access_token)

    def remember_device(self, access_token: Secret, device_key: str, *, remembered: bool = True) -> None:
        self.devices.remember_device(access_token, device_key, remembered=remembered)

    def forget_device(self, access_token: Secret, device_key: str) -> None:
        self.devices.forget_device(access_token, device_key)

    # --- PasswordSignIn --------------------------------------------------------------------------------
    def sign_in(self, username: Username, password: Secret, *, device: RememberedDevice | None = None) -> SignInStep:
        return self.signing_in.sign_in(username, password, device=device)

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        return self.signing_in.answer_code(challenge, code)

    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        return self.signing_in.answer_new_password(challenge, new_password)

    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        return self.signing_in.answer_mfa_choice(challenge, choice)

    def answer_email(self, challenge: Challenge, email: Email) -> SignInStep:
        return self.signing_in.answer_email(challenge, email)

    def sign_in_with_factor(
        self,
        username: Username,
        factor: AuthFactor | None,
        password: Secret | None = None,
        *,
        device: RememberedDevice | None = None,
    ) -> SignInStep:
        return self.signing_in.sign_in_with_factor(username, factor, password, device=device)

    def sign_in_custom(
        self, username: Username, password: Secret | None = None, *, device: RememberedDevice | None = None
    ) -> SignInStep:
        return self.signing_in.sign_in_custom(username, password, device=device)

    def sign_in_after_sign_up(self, username: Username, session: Secret) -> SignInStep:
        return self.signing_in.sign_in_after_sign_up(username, session)

    def answer_factor(self, challenge: Challenge, factor: AuthFactor) -> SignInStep:
        return self.signing_in.answer_factor(challenge, factor)

    def answer_password(self, challenge: Challenge, password: Secret) -> SignInStep:
        return self.signing_in.answer_password(challenge, password)

    def answer_passkey(self, challenge: Challenge, credential: Mapping[str, Any]) -> SignInStep:
        return self.signing_in.answer_passkey(challenge, credential)

    def answer_custom(self, challenge: Challenge, answer: Secret) -> SignInStep:
        return self.signing_in.answer_custom(challenge, answer)

    # --- Passkeys --------------------------------------------------------------------------------------
    def start_passkey_registration(self, access_token: Secret) -> dict[str, Any]:
        return self.passkeys.start_passkey_registration(access_token)

    def complete_passkey_registration(self, access_token: Secret, credential: Mapping[str, Any]) -> None:
        self.passkeys.complete_passkey_registration(access_token, credential)

    def list_passkeys(self, access_token: Secret) -> tuple[Passkey, ...]:
        return self.passkeys.list_passkeys(access_token)

    def delete_passkey(self, access_token: Secret, credential_id: str) -> None:
        self.passkeys.delete_passkey(access_token, credential_id)

    def auth_factors(self, access_token: Secret) -> tuple[AuthFactor, ...]:
        return self.passkeys.auth_factors(access_token)

    # --- TokenRefresher --------------------------------------------------------------------------------
    def refresh(self, tokens: Tokens) -> Tokens:
        return self.refresher.refresh(tokens)
