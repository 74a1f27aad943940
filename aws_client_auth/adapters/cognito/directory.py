"""User management in a Cognito user pool: sign-up, confirmation, passwords, MFA, attributes, the account
itself and sign-out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito import wire
from aws_client_auth.adapters.cognito.app_client import (
    TOKEN_REVOKED,
    AppClient,
    delivery_of,
    session_argument,
    unverified_claim,
)
from aws_client_auth.adapters.cognito.errors import ErrorType, cognito_errors
from aws_client_auth.application.ports.user_directory import UserAccount, UserDirectory
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import CodeDelivery, MfaSetup, SignUpResult
from aws_client_auth.domain.user import Email, MfaPreferences, MfaType, PhoneNumber, User, Username

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

_SIGNED_IN = {"NotAuthorizedException": TOKEN_REVOKED}
EMAIL_MFA_UNAVAILABLE = (
    e.ConfigurationError,
    (
        "Email MFA needs the user pool to send email through Amazon SES (its email configuration), and a verified "
        "email address: ask the pool's administrator, or use sms or totp."
    ),
)
"""Cognito refuses email MFA with InvalidParameterException when the pool cannot send it."""


class CognitoDirectory(UserDirectory, UserAccount):
    def __init__(self, app: AppClient) -> None:
        self._app = app

    @checked_answers("Cognito")
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult:
        attributes: list[AttributeTypeTypeDef] = [{"Name": "email", "Value": email.value}] if email else []
        attributes += [{"Name": "phone_number", "Value": phone_number.value}] if phone_number else []
        with cognito_errors():
            answer = self._app.client.sign_up(
                ClientId=self._app.client_id,
                Username=username.value,
                Password=password.reveal(),
                UserAttributes=attributes,
                **self._app.secret_hash(username.value),
                **self._app.context(username.value),
            )
        return SignUpResult(
            user_sub=answer["UserSub"],
            confirmed=answer["UserConfirmed"],
            delivery=delivery_of(answer.get("CodeDeliveryDetails")),
            session=_session_of(answer),
        )

    @checked_answers("Cognito")
    def confirm_sign_up(self, username: Username, code: str, *, session: Secret | None = None) -> Secret | None:
        with cognito_errors():
            answer = self._app.client.confirm_sign_up(
                ClientId=self._app.client_id,
                Username=username.value,
                ConfirmationCode=code,
                **session_argument(session.reveal() if session is not None else None),
                **self._app.secret_hash(username.value),
                **self._app.context(username.value),
            )
        return _session_of(answer)

    @checked_answers("Cognito")
    def resend_confirmation_code(self, username: Username) -> CodeDelivery | None:
        with cognito_errors():
            answer = self._app.client.resend_confirmation_code(
                ClientId=self._app.client_id,
                Username=username.value,
                **self._app.secret_hash(username.value),
                **self._app.context(username.value),
            )
        return delivery_of(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def forgot_password(self, username: Username) -> CodeDelivery | None:
        with cognito_errors():
            answer = self._app.client.forgot_password(
                ClientId=self._app.client_id,
                Username=username.value,
                **self._app.secret_hash(username.value),
                **self._app.context(username.value),
            )
        return delivery_of(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def confirm_forgot_password(self, username: Username, code: str, new_password: Secret) -> None:
        with cognito_errors():
            self._app.client.confirm_forgot_password(
                ClientId=self._app.client_id,
                Username=username.value,
                ConfirmationCode=code,
                Password=new_password.reveal(),
                **self._app.secret_hash(username.value),
                **self._app.context(username.value),
            )

    @checked_answers("Cognito")
    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None:
        with cognito_errors():
            self._app.client.change_password(
                AccessToken=access_token.reveal(),
                PreviousPassword=old_password.reveal(),
                ProposedPassword=new_password.reveal(),
            )

    @checked_answers("Cognito")
    def get_user(self, access_token: Secret) -> User:
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.get_user(AccessToken=access_token.reveal())
        attributes = {a["Name"]: a.get("Value", "") for a in answer.get("UserAttributes", [])}
        enabled = frozenset(wire.mfa_types(answer.get("UserMFASettingList", [])))
        return User(
            username=Username(answer["Username"]),
            sub=attributes.get("sub", ""),
            email=Email(attributes["email"]) if attributes.get("email") else None,
            phone_number=PhoneNumber(attributes["phone_number"]) if attributes.get("phone_number") else None,
            confirmed=True,
            mfa=MfaPreferences(enabled=enabled, preferred=wire.mfa_type(answer.get("PreferredMfaSetting"))),
            attributes=attributes,
        )

    @checked_answers("Cognito")
    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.associate_software_token(AccessToken=access_token.reveal())
        label = unverified_claim(access_token.reveal(), "username") or "user"
        return self._app.mfa_setup(answer["SecretCode"], label, answer.get("Session"))

    @checked_answers("Cognito")
    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.verify_software_token(
                AccessToken=access_token.reveal(), UserCode=code, FriendlyDeviceName=device_name
            )
        if answer.get("Status") != "SUCCESS":
            raise e.CodeMismatch("The authenticator code was not accepted: try the current one.")

    @checked_answers("Cognito")
    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        # SMS and TOTP are always sent (exactly these enabled); email only when enabled, as a pool without email
        # MFA may refuse any mention of it. change_mfa names exactly what changes instead.
        self._set_mfa(
            access_token,
            {kind: kind in enabled for kind in MfaType if kind is not MfaType.EMAIL or kind in enabled},
            preferred,
        )

    @checked_answers("Cognito")
    def change_mfa(
        self,
        access_token: Secret,
        *,
        enable: frozenset[MfaType] = frozenset(),
        disable: frozenset[MfaType] = frozenset(),
        preferred: MfaType | None = None,
    ) -> None:
        both = enable & disable
        if both:
            raise e.InvalidInput(f"{', '.join(sorted(both))} cannot be both enabled and disabled.")
        if preferred is not None and preferred in disable:
            raise e.InvalidInput(f"{preferred.value} cannot be preferred while it is being disabled.")
        changes = dict.fromkeys(enable, True) | dict.fromkeys(disable, False)
        if preferred is not None:
            changes.setdefault(preferred, True)
        self._set_mfa(access_token, changes, preferred)

    def _set_mfa(self, access_token: Secret, changes: Mapping[MfaType, bool], preferred: MfaType | None) -> None:
        settings: dict[str, Any] = {
            wire.MFA_SETTINGS[kind]: {"Enabled": on, "PreferredMfa": on and kind is preferred}
            for kind, on in changes.items()
        }
        overrides: dict[str, tuple[ErrorType, str]] = dict(_SIGNED_IN)
        if changes.get(MfaType.EMAIL):
            overrides["InvalidParameterException"] = EMAIL_MFA_UNAVAILABLE
        with cognito_errors(overrides):
            self._app.client.set_user_mfa_preference(AccessToken=access_token.reveal(), **settings)

    @checked_answers("Cognito")
    def update_attributes(self, access_token: Secret, values: Mapping[str, str]) -> tuple[CodeDelivery, ...]:
        attributes: list[AttributeTypeTypeDef] = [{"Name": name, "Value": value} for name, value in values.items()]
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.update_user_attributes(
                AccessToken=access_token.reveal(), UserAttributes=attributes, **self._app.metadata()
            )
        deliveries = (delivery_of(details) for details in answer.get("CodeDeliveryDetailsList", []))
        return tuple(delivery for delivery in deliveries if delivery is not None)

    @checked_answers("Cognito")
    def send_attribute_code(self, access_token: Secret, name: str) -> CodeDelivery | None:
        with cognito_errors(_SIGNED_IN):
            answer = self._app.client.get_user_attribute_verification_code(
                AccessToken=access_token.reveal(), AttributeName=name, **self._app.metadata()
            )
        return delivery_of(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def verify_attribute(self, access_token: Secret, name: str, code: str) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.verify_user_attribute(AccessToken=access_token.reveal(), AttributeName=name, Code=code)

    @checked_answers("Cognito")
    def delete_attributes(self, access_token: Secret, names: tuple[str, ...]) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.delete_user_attributes(AccessToken=access_token.reveal(), UserAttributeNames=list(names))

    @checked_answers("Cognito")
    def delete_user(self, access_token: Secret) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.delete_user(AccessToken=access_token.reveal())

    @checked_answers("Cognito")
    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        if not self._app.revoke_on_sign_out:
            return
        with cognito_errors():
            self._app.client.revoke_token(
                Token=refresh_token.reveal(),
                ClientId=self._app.client_id,
                **self._app.client_secret_argument(),
            )

    @checked_answers("Cognito")
    def global_sign_out(self, access_token: Secret) -> None:
        with cognito_errors(_SIGNED_IN):
            self._app.client.global_sign_out(AccessToken=access_token.reveal())


def _session_of(answer: Mapping[str, Any]) -> Secret | None:
    """SignUp's and ConfirmSignUp's ``Session`` (app clients with choice-based sign-in), held as a secret."""
    session = answer.get("Session")
    return Secret(session) if isinstance(session, str) and session else None
