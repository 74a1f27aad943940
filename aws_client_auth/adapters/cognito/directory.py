"""User management in a Cognito user pool: sign-up, confirmation, passwords, MFA and sign-out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito.app_client import (
    TOKEN_REVOKED,
    AppClient,
    delivery_of,
    mfa_type,
    mfa_types,
    unverified_claim,
)
from aws_client_auth.adapters.cognito.errors import cognito_errors
from aws_client_auth.application.ports.user_directory import UserDirectory
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import CodeDelivery, MfaSetup, SignUpResult
from aws_client_auth.domain.user import Email, MfaPreferences, MfaType, PhoneNumber, User, Username

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef


class CognitoDirectory(AppClient, UserDirectory):
    @checked_answers("Cognito")
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult:
        attributes: list[AttributeTypeTypeDef] = [{"Name": "email", "Value": email.value}] if email else []
        attributes += [{"Name": "phone_number", "Value": phone_number.value}] if phone_number else []
        with cognito_errors():
            answer = self._client.sign_up(
                ClientId=self._client_id,
                Username=username.value,
                Password=password.reveal(),
                UserAttributes=attributes,
                **self._secret_hash(username.value),
            )
        return SignUpResult(
            user_sub=answer["UserSub"],
            confirmed=answer["UserConfirmed"],
            delivery=delivery_of(answer.get("CodeDeliveryDetails")),
        )

    @checked_answers("Cognito")
    def confirm_sign_up(self, username: Username, code: str) -> None:
        with cognito_errors():
            self._client.confirm_sign_up(
                ClientId=self._client_id,
                Username=username.value,
                ConfirmationCode=code,
                **self._secret_hash(username.value),
            )

    @checked_answers("Cognito")
    def resend_confirmation_code(self, username: Username) -> CodeDelivery | None:
        with cognito_errors():
            answer = self._client.resend_confirmation_code(
                ClientId=self._client_id, Username=username.value, **self._secret_hash(username.value)
            )
        return delivery_of(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def forgot_password(self, username: Username) -> CodeDelivery | None:
        with cognito_errors():
            answer = self._client.forgot_password(
                ClientId=self._client_id, Username=username.value, **self._secret_hash(username.value)
            )
        return delivery_of(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def confirm_forgot_password(self, username: Username, code: str, new_password: Secret) -> None:
        with cognito_errors():
            self._client.confirm_forgot_password(
                ClientId=self._client_id,
                Username=username.value,
                ConfirmationCode=code,
                Password=new_password.reveal(),
                **self._secret_hash(username.value),
            )

    @checked_answers("Cognito")
    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None:
        with cognito_errors():
            self._client.change_password(
                AccessToken=access_token.reveal(),
                PreviousPassword=old_password.reveal(),
                ProposedPassword=new_password.reveal(),
            )

    @checked_answers("Cognito")
    def get_user(self, access_token: Secret) -> User:
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            answer = self._client.get_user(AccessToken=access_token.reveal())
        attributes = {a["Name"]: a.get("Value", "") for a in answer.get("UserAttributes", [])}
        enabled = frozenset(mfa_types(answer.get("UserMFASettingList", [])))
        preferred = mfa_type(answer.get("PreferredMfaSetting", ""))
        return User(
            username=Username(answer["Username"]),
            sub=attributes.get("sub", ""),
            email=Email(attributes["email"]) if attributes.get("email") else None,
            phone_number=PhoneNumber(attributes["phone_number"]) if attributes.get("phone_number") else None,
            confirmed=True,
            mfa=MfaPreferences(enabled=enabled, preferred=preferred),
        )

    @checked_answers("Cognito")
    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            answer = self._client.associate_software_token(AccessToken=access_token.reveal())
        label = unverified_claim(access_token.reveal(), "username") or "user"
        return self._mfa_setup(answer["SecretCode"], label, answer.get("Session"))

    @checked_answers("Cognito")
    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            answer = self._client.verify_software_token(
                AccessToken=access_token.reveal(), UserCode=code, FriendlyDeviceName=device_name
            )
        if answer.get("Status") != "SUCCESS":
            raise e.CodeMismatch("The authenticator code was not accepted: try the current one.")

    @checked_answers("Cognito")
    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        settings: dict[str, Any] = {
            "SMSMfaSettings": {"Enabled": MfaType.SMS in enabled, "PreferredMfa": preferred is MfaType.SMS},
            "SoftwareTokenMfaSettings": {"Enabled": MfaType.TOTP in enabled, "PreferredMfa": preferred is MfaType.TOTP},
        }
        if MfaType.EMAIL in enabled:
            settings["EmailMfaSettings"] = {"Enabled": True, "PreferredMfa": preferred is MfaType.EMAIL}
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            self._client.set_user_mfa_preference(AccessToken=access_token.reveal(), **settings)

    @checked_answers("Cognito")
    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        if not self._revoke_on_sign_out:
            return
        extra = {"ClientSecret": self._client_secret.reveal()} if self._client_secret else {}
        with cognito_errors():
            self._client.revoke_token(Token=refresh_token.reveal(), ClientId=self._client_id, **extra)

    @checked_answers("Cognito")
    def global_sign_out(self, access_token: Secret) -> None:
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            self._client.global_sign_out(AccessToken=access_token.reveal())
