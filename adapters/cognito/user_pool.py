"""A Cognito user pool through boto3 ``cognito-idp``: sign-up, sign-in (SRP or password), challenges, MFA,
refresh and sign-out. The public, unsigned API calls an app client makes; no AWS credentials are needed."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlencode

import jwt

from adapters.boundary import checked_answers
from adapters.cognito import srp
from adapters.cognito.errors import cognito_errors
from adapters.cognito.id_tokens import IdTokenVerifier
from application.ports.clock import Clock
from application.ports.password_sign_in import PasswordSignIn
from application.ports.token_refresher import TokenRefresher
from application.ports.user_directory import UserDirectory
from domain import errors as e
from domain.secret import Secret
from domain.sign_in import Challenge, ChallengeKind, CodeDelivery, MfaSetup, SignedIn, SignInStep, SignUpResult
from domain.tokens import COGNITO, Tokens
from domain.user import Email, MfaPreferences, MfaType, PhoneNumber, User, Username

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

SRP_FLOW: Final = "USER_SRP_AUTH"
PASSWORD_FLOW: Final = "USER_PASSWORD_AUTH"
_SESSION_GONE = (e.SessionExpired, "The sign-in took too long and its session expired: sign in again.")
_TOKEN_REVOKED = (e.SessionExpired, "Your Cognito session has expired or was revoked: sign in again.")
_CODE_KINDS = {
    ChallengeKind.SMS_CODE: "SMS_MFA_CODE",
    ChallengeKind.TOTP_CODE: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeKind.EMAIL_CODE: "EMAIL_OTP_CODE",
}
_SIMPLE_CHALLENGES = {
    "SMS_MFA": ChallengeKind.SMS_CODE,
    "SOFTWARE_TOKEN_MFA": ChallengeKind.TOTP_CODE,
    "EMAIL_OTP": ChallengeKind.EMAIL_CODE,
    "NEW_PASSWORD_REQUIRED": ChallengeKind.NEW_PASSWORD_REQUIRED,
}


class CognitoUserPool(UserDirectory, PasswordSignIn, TokenRefresher):
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
    ) -> None:
        if auth_flow not in (SRP_FLOW, PASSWORD_FLOW):
            raise e.ConfigurationError(f"[cognito] auth_flow {auth_flow!r} is not one of {SRP_FLOW}, {PASSWORD_FLOW}.")
        self._client = client
        self._pool_id = pool_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._auth_flow = auth_flow
        self._verifier = verifier
        self._clock = clock
        self._random_bytes = random_bytes
        self._totp_issuer = totp_issuer
        self._revoke_on_sign_out = revoke_on_sign_out

    # --- user directory ---------------------------------------------------------------------------------

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
            delivery=_delivery(answer.get("CodeDeliveryDetails")),
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
        return _delivery(answer.get("CodeDeliveryDetails"))

    @checked_answers("Cognito")
    def forgot_password(self, username: Username) -> CodeDelivery | None:
        with cognito_errors():
            answer = self._client.forgot_password(
                ClientId=self._client_id, Username=username.value, **self._secret_hash(username.value)
            )
        return _delivery(answer.get("CodeDeliveryDetails"))

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
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
            answer = self._client.get_user(AccessToken=access_token.reveal())
        attributes = {a["Name"]: a.get("Value", "") for a in answer.get("UserAttributes", [])}
        enabled = frozenset(_mfa_types(answer.get("UserMFASettingList", [])))
        preferred = _mfa_type(answer.get("PreferredMfaSetting", ""))
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
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
            answer = self._client.associate_software_token(AccessToken=access_token.reveal())
        label = _unverified_claim(access_token.reveal(), "username") or "user"
        return self._mfa_setup(answer["SecretCode"], label, answer.get("Session"))

    @checked_answers("Cognito")
    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
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
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
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
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
            self._client.global_sign_out(AccessToken=access_token.reveal())

    # --- sign-in ----------------------------------------------------------------------------------------

    @checked_answers("Cognito")
    def sign_in(self, username: Username, password: Secret) -> SignInStep:
        if self._auth_flow == PASSWORD_FLOW:
            with cognito_errors():
                answer = self._client.initiate_auth(
                    ClientId=self._client_id,
                    AuthFlow=PASSWORD_FLOW,
                    AuthParameters={
                        "USERNAME": username.value,
                        "PASSWORD": password.reveal(),
                        **self._secret_hash(username.value, "SECRET_HASH"),
                    },
                )
            return self._step(answer, username.value)
        return self._srp_sign_in(username, password)

    def _srp_sign_in(self, username: Username, password: Secret) -> SignInStep:
        ephemeral = srp.new_ephemeral(self._random_bytes)
        with cognito_errors():
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow=SRP_FLOW,
                AuthParameters={
                    "USERNAME": username.value,
                    "SRP_A": ephemeral.public_hex,
                    **self._secret_hash(username.value, "SECRET_HASH"),
                },
            )
        if answer.get("ChallengeName") != "PASSWORD_VERIFIER":
            return self._step(answer, username.value)
        params = answer["ChallengeParameters"]
        user_id = params["USER_ID_FOR_SRP"]
        internal_name = params.get("USERNAME", user_id)
        try:
            stamp, signature = srp.password_claim(
                ephemeral,
                pool_id=self._pool_id,
                user_id=user_id,
                password=password.reveal(),
                salt_hex=params["SALT"],
                server_b_hex=params["SRP_B"],
                secret_block_b64=params["SECRET_BLOCK"],
                now=self._clock.now(),
            )
        except ValueError as error:
            raise e.ServiceError(f"Cognito's SRP challenge is unusable: {error}.") from None
        responses = {
            "USERNAME": internal_name,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            **self._secret_hash(internal_name, "SECRET_HASH"),
        }
        return self._respond("PASSWORD_VERIFIER", answer.get("Session"), responses, username.value)

    @checked_answers("Cognito")
    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        if challenge.kind is ChallengeKind.MFA_SETUP:
            with cognito_errors({"NotAuthorizedException": _SESSION_GONE, "ResourceNotFoundException": _SESSION_GONE}):
                verified = self._client.verify_software_token(
                    Session=challenge.session.reveal(), UserCode=code, FriendlyDeviceName="client-auth"
                )
            if verified.get("Status") != "SUCCESS":
                raise e.CodeMismatch("The authenticator code was not accepted: try the current one.")
            session = verified.get("Session") or challenge.session.reveal()
            return self._respond("MFA_SETUP", session, {"USERNAME": name}, challenge.username)
        key = _CODE_KINDS.get(challenge.kind)
        if key is None:
            raise e.InvalidInput(f"A {challenge.kind.value} challenge is not answered with a code.")
        return self._respond(
            challenge.kind.value, challenge.session.reveal(), {"USERNAME": name, key: code}, challenge.username
        )

    @checked_answers("Cognito")
    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        return self._respond(
            "NEW_PASSWORD_REQUIRED",
            challenge.session.reveal(),
            {"USERNAME": name, "NEW_PASSWORD": new_password.reveal()},
            challenge.username,
        )

    @checked_answers("Cognito")
    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        return self._respond(
            "SELECT_MFA_TYPE",
            challenge.session.reveal(),
            {"USERNAME": name, "ANSWER": choice.value},
            challenge.username,
        )

    def _respond(self, name: str, session: str | None, responses: dict[str, str], username: str) -> SignInStep:
        if "SECRET_HASH" not in responses:
            responses |= self._secret_hash(responses["USERNAME"], "SECRET_HASH")
        overrides = {"ResourceNotFoundException": _SESSION_GONE}
        if name != "PASSWORD_VERIFIER":
            overrides["NotAuthorizedException"] = _SESSION_GONE
        with cognito_errors(overrides):
            answer = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=name,  # type: ignore[arg-type]
                ChallengeResponses=responses,
                **_session_argument(session),
            )
        return self._step(answer, username)

    def _step(self, answer: Mapping[str, Any], username: str) -> SignInStep:
        result = answer.get("AuthenticationResult")
        if result:
            return SignedIn(self._tokens(result, refresh_token=result.get("RefreshToken")))
        name = answer.get("ChallengeName", "")
        params: dict[str, Any] = dict(answer.get("ChallengeParameters") or {})
        session = Secret(answer.get("Session") or "")
        carried = {"USERNAME": str(params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or username)}
        if name in _SIMPLE_CHALLENGES:
            return Challenge(
                provider=COGNITO,
                kind=_SIMPLE_CHALLENGES[name],
                username=username,
                session=session,
                delivery=_challenge_delivery(params),
                parameters=carried,
            )
        if name == "SELECT_MFA_TYPE":
            options = _mfa_types(_json_list(params.get("MFAS_CAN_CHOOSE")))
            return Challenge(
                COGNITO, ChallengeKind.SELECT_MFA_TYPE, username, session, options=options, parameters=carried
            )
        if name == "MFA_SETUP":
            return self._mfa_setup_challenge(params, session, username, carried)
        raise e.UnsupportedChallenge(
            f"Cognito asked for a {name or 'unnamed'} challenge, which this client does not answer: "
            "check the app client's auth flows and the pool's MFA settings."
        )

    def _mfa_setup_challenge(
        self, params: Mapping[str, Any], session: Secret, username: str, carried: dict[str, str]
    ) -> Challenge:
        can_setup = _json_list(params.get("MFAS_CAN_SETUP"))
        if can_setup and "SOFTWARE_TOKEN_MFA" not in can_setup:
            raise e.UnsupportedChallenge(
                f"The pool requires MFA set-up with {', '.join(can_setup)}, but only authenticator-app (TOTP) "
                "set-up can be done during sign-in: give the user a verified phone number or allow TOTP."
            )
        with cognito_errors({"NotAuthorizedException": _SESSION_GONE, "ResourceNotFoundException": _SESSION_GONE}):
            answer = self._client.associate_software_token(Session=session.reveal())
        setup = self._mfa_setup(answer["SecretCode"], username, answer.get("Session") or session.reveal())
        return Challenge(
            COGNITO,
            ChallengeKind.MFA_SETUP,
            username,
            setup.session or session,
            mfa_setup=setup,
            parameters=carried,
        )

    def _mfa_setup(self, secret_code: str, label: str, session: str | None) -> MfaSetup:
        query = urlencode({"secret": secret_code, "issuer": self._totp_issuer})
        uri = f"otpauth://totp/{quote(self._totp_issuer)}:{quote(label)}?{query}"
        return MfaSetup(
            secret=Secret(secret_code), otpauth_uri=Secret(uri), session=Secret(session) if session else None
        )

    # --- refresh ----------------------------------------------------------------------------------------

    @checked_answers("Cognito")
    def refresh(self, tokens: Tokens) -> Tokens:
        if tokens.refresh_token is None:
            raise e.SessionExpired("No Cognito refresh token is kept: sign in again.")
        params: dict[str, str] = {"REFRESH_TOKEN": tokens.refresh_token.reveal()}
        if self._client_secret is not None:
            # Cognito wants the hash of the user's sub here, not of the alias typed at sign-in.
            params |= self._secret_hash(tokens.subject or tokens.username or "", "SECRET_HASH")
        with cognito_errors({"NotAuthorizedException": _TOKEN_REVOKED}):
            answer = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            )
        result = answer.get("AuthenticationResult")
        if not result:
            raise e.ServiceError("Cognito answered a refresh without tokens.")
        return self._tokens(result, refresh_token=result.get("RefreshToken"))

    def _tokens(self, result: Mapping[str, Any], refresh_token: str | None) -> Tokens:
        id_token = result.get("IdToken")
        claims = self._verifier.verify(id_token) if id_token else {}
        return Tokens(
            provider=COGNITO,
            access_token=Secret(result["AccessToken"]),
            id_token=Secret(id_token) if id_token else None,
            refresh_token=Secret(refresh_token) if refresh_token else None,
            expires_at=self._clock.now() + timedelta(seconds=int(result.get("ExpiresIn", 3600))),
            username=claims.get("cognito:username"),
            subject=claims.get("sub"),
        )

    def _secret_hash(self, username: str, key: str = "SecretHash") -> dict[str, Any]:
        if self._client_secret is None:
            return {}
        return {key: srp.secret_hash(username, self._client_id, self._client_secret.reveal())}


def _session_argument(session: str | None) -> dict[str, Any]:
    return {"Session": session} if session else {}


def _delivery(details: Mapping[str, Any] | None) -> CodeDelivery | None:
    if not details:
        return None
    return CodeDelivery(
        medium=str(details.get("DeliveryMedium", "")),
        destination=str(details.get("Destination", "")),
        attribute=details.get("AttributeName"),
    )


def _challenge_delivery(params: Mapping[str, Any]) -> CodeDelivery | None:
    medium = params.get("CODE_DELIVERY_DELIVERY_MEDIUM")
    destination = params.get("CODE_DELIVERY_DESTINATION")
    return CodeDelivery(str(medium), str(destination)) if medium and destination else None


def _mfa_type(name: str) -> MfaType | None:
    try:
        return MfaType(name)
    except ValueError:
        return None


def _mfa_types(names: list[str]) -> tuple[MfaType, ...]:
    """The MFA types Cognito named that this client knows, in Cognito's order."""
    return tuple(kind for kind in map(_mfa_type, names) if kind is not None)


def _json_list(value: Any) -> list[str]:
    """MFA type lists: Cognito sends a JSON string, moto a list or its Python repr; the names are all we need."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return re.findall(r"[A-Z][A-Z_]+", value)
    return []


def _unverified_claim(token: str, claim: str) -> str | None:
    """Only for a display label: the token itself is Cognito's, which checks it on every call."""
    try:
        value = jwt.decode(token, options={"verify_signature": False}).get(claim)
    except jwt.PyJWTError:
        return None
    return str(value) if value else None
